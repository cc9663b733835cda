// sbi.c: the SBI calls the guest OS itself depends on (console, power).
// The self-tests make their own calls through sbi_ecall() to check the
// return values; these wrappers are for normal operation.
#include "guest-os/defs.h"
#include "sbi/ecall.h"

// BASE probe_extension (SBI spec v2.0 §4.8): nonzero if present.
int
sbi_has(long ext)
{
  struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext, 0, 0, 0, 0, 0);
  return r.error == SBI_SUCCESS && r.value != 0;
}

void
sbi_putchar(int c)
{
  sbi_ecall(SBI_LEGACY_CONSOLE_PUTCHAR, 0, c, 0, 0, 0, 0, 0);
}

// Legacy getchar (§5.3) returns the character in a0, or -1 if none.
int
sbi_getchar(void)
{
  struct sbiret r = sbi_ecall(SBI_LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0, 0, 0, 0);
  return r.error < 0 ? -1 : (int)(r.error & 0xff);
}

static void __attribute__((noreturn))
srst(long type)
{
  if (sbi_has(SBI_EXT_SRST))
    sbi_ecall(SBI_EXT_SRST, SBI_SRST_RESET, type, SBI_SRST_REASON_NONE, 0, 0, 0, 0);
  // No SRST (or it returned): the legacy shutdown (§5.8) is all that is left.
  sbi_ecall(SBI_LEGACY_SHUTDOWN, 0, 0, 0, 0, 0, 0, 0);
  for (;;)
    wfi();
}

void
sbi_shutdown(void)
{
  srst(SBI_SRST_TYPE_SHUTDOWN);
}

void
sbi_reboot(void)
{
  srst(SBI_SRST_TYPE_COLD_REBOOT);
}
