// calls.c: the SBI calls both the host kernel (to OpenSBI) and the guest
// OS (to OpenSBI natively, or to hv6) make. Thin wrappers over sbi_ecall.
#include "sbi/calls.h"

long sbi_probe_extension(long ext)
{
  struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext, 0, 0, 0, 0, 0);
  return r.error ? 0 : r.value;
}

void sbi_set_timer(unsigned long deadline)
{
  sbi_ecall(SBI_EXT_TIME, SBI_TIME_SET_TIMER, deadline, 0, 0, 0, 0, 0);
}

void sbi_console_putchar(int c)
{
  sbi_ecall(SBI_LEGACY_CONSOLE_PUTCHAR, 0, c, 0, 0, 0, 0, 0);
}

int sbi_console_getchar(void)
{
  return (int)sbi_ecall(SBI_LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0, 0, 0, 0).error;
}

void sbi_system_reset(long type, long reason)
{
  sbi_ecall(SBI_EXT_SRST, SBI_SRST_RESET, type, reason, 0, 0, 0, 0);
  // SRST absent: fall back to the legacy shutdown (SBI spec §5.9).
  sbi_ecall(SBI_LEGACY_SHUTDOWN, 0, 0, 0, 0, 0, 0, 0);
}
