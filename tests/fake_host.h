// fake_host.h: knobs of tests/fake_host.c (the faked host kernel).
#pragma once
#include "kernel/riscv.h"

extern int  fake_quiet;          // 1: uart_putc counts instead of printing
extern u64  fake_putc_count;     // characters "printed" on the host console
extern long fake_kalloc_limit;   // pages kalloc may hand out in all
extern long fake_kalloc_used;    // pages handed out and not freed
extern u64  fake_time;           // what timer_now() returns
