// console.c: the guest's console. Output goes through the SBI debug
// console (DBCN, SBI spec v2.0 §12) when the firmware has it, else
// through the legacy putchar call (§5.2); input is polled with the legacy
// getchar call (§5.3). Both work natively under OpenSBI and under hv6.
#include "guest-os/defs.h"
#include "sbi/ecall.h"

static int use_dbcn;

void
consinit(void)
{
  use_dbcn = sbi_probe_extension(SBI_EXT_DBCN);
}

void
consputc(int c)
{
  if (use_dbcn)
    sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, c & 0xff, 0, 0, 0, 0, 0);
  else
    sbi_console_putchar(c);
}

// Write n bytes. DBCN write takes a physical address (§12.1); the guest's
// kernel memory is identity-mapped, so a kernel virtual address is one.
void
conswrite(const char *s, int n)
{
  if (!use_dbcn) {
    for (int i = 0; i < n; i++)
      sbi_console_putchar(s[i]);
    return;
  }
  while (n > 0) {
    struct sbiret r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE, n, (long)s, 0, 0, 0, 0);
    if (r.error != SBI_SUCCESS || r.value <= 0)
      return;
    s += r.value;
    n -= r.value;
  }
}

// One character, or -1 if none is waiting.
int
consgetc(void)
{
#if LAB >= 3
  if (uartcons_active())
    return uartcons_getc();   // filled by the UART's interrupt (plic.c)
#endif
  return sbi_console_getchar();
}
