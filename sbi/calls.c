// calls.c: the SBI calls both the host kernel (to OpenSBI) and the guest
// OS (to OpenSBI natively, or to hv6) make in normal operation. Thin
// wrappers over sbi_ecall; the self-tests call sbi_ecall themselves to
// check every return value.
#include "sbi/calls.h"

// BASE probe_extension (SBI spec v2.0 §4.8): nonzero if present.
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

// Legacy getchar (§5.3) returns the character in a0, or -1 if none.
int sbi_console_getchar(void)
{
  long c = sbi_ecall(SBI_LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0, 0, 0, 0).error;
  return c < 0 ? -1 : (int)(c & 0xff);
}

void sbi_system_reset(long type, long reason)
{
  sbi_ecall(SBI_EXT_SRST, SBI_SRST_RESET, type, reason, 0, 0, 0, 0);
  // SRST absent (or it returned): the legacy shutdown (§5.8) is all that
  // is left.
  sbi_ecall(SBI_LEGACY_SHUTDOWN, 0, 0, 0, 0, 0, 0, 0);
  for (;;)
    asm volatile("wfi");
}
