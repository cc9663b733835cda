// printf.c: formatted console output and panic, in the spirit of xv6's
// printf.c; the formatting is lib/format.c's. Output is buffered per call
// and written with one console write so a line is not interleaved with
// others.
#include "guest-os/defs.h"

struct out {
  char buf[128];
  int n;
};

static void
flush(struct out *o)
{
  conswrite(o->buf, o->n);
  o->n = 0;
}

// lib/format.c's put(): buffer, and write whole buffers.
static void
put(void *arg, char c)
{
  struct out *o = arg;
  if (o->n == sizeof(o->buf))
    flush(o);
  o->buf[o->n++] = c;
}

void
vprintf(const char *fmt, va_list ap)
{
  struct out o;
  o.n = 0;
  vformat(put, &o, fmt, ap);
  flush(&o);
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

void
panic(const char *fmt, ...)
{
  va_list ap;
  printf("hv6-guest: panic: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
}
