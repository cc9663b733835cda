// calls.h: SBI call wrappers shared by the host kernel and the guest OS.
#pragma once
#include "sbi/ecall.h"

long sbi_probe_extension(long ext);   // 0 if absent
void sbi_set_timer(unsigned long deadline);
void sbi_console_putchar(int c);
int  sbi_console_getchar(void);       // -1 if nothing
void sbi_system_reset(long type, long reason) __attribute__((noreturn));
