// printf.c: the host's formatted output, straight to the UART (the
// formatting itself is lib/format.c), and panic().
#include "kernel/defs.h"

static void put_uart(void *arg, char c)
{
  (void)arg;
  uart_putc(c);
}

int vprintf(const char *fmt, va_list ap)
{
  return vformat(put_uart, 0, fmt, ap);
}

int printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

// A host panic is always a bug in hv6 itself (never a guest's doing): print
// why and stop the whole machine with a failure status.
void panic(const char *fmt, ...)
{
  va_list ap;
  printf("hv6: panic: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  platform_poweroff(1);
}
