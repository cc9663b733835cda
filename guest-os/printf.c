// printf.c: formatted console output and panic, in the spirit of xv6's
// printf.c. Supports %d %i %u %x %p %s %c %% with an optional '0' flag,
// field width and 'l' length modifier. Output is buffered per call and
// written with one console write so a line is not interleaved with others.
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

static void
put(struct out *o, char c)
{
  if (o->n == sizeof(o->buf))
    flush(o);
  o->buf[o->n++] = c;
}

static void
putnum(struct out *o, u64 x, int base, int neg, int width, char pad)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = digits[x % base];
    x /= base;
  } while (x != 0);
  if (neg)
    tmp[i++] = '-';
  // With zero padding the sign must come before the zeros.
  if (neg && pad == '0') {
    put(o, '-');
    i--;
    width--;
  }
  for (int w = i; w < width; w++)
    put(o, pad);
  while (i > 0)
    put(o, tmp[--i]);
}

void
vprintf(const char *fmt, va_list ap)
{
  struct out o;
  o.n = 0;
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, islong = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      islong = 1;
      fmt++;
    }
    switch (*fmt) {
    case 'd':
    case 'i': {
      i64 v = islong ? va_arg(ap, i64) : va_arg(ap, int);
      putnum(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
      break;
    }
    case 'u':
      putnum(&o, islong ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, 0, width, pad);
      break;
    case 'x':
      putnum(&o, islong ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, 0, width, pad);
      break;
    case 'p':
      put(&o, '0');
      put(&o, 'x');
      putnum(&o, (u64)va_arg(ap, void *), 16, 0, 16, '0');
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == NULL)
        s = "(null)";
      int len = strlen(s);
      for (int w = len; w < width; w++)
        put(&o, ' ');
      while (*s)
        put(&o, *s++);
      break;
    }
    case 'c':
      put(&o, (char)va_arg(ap, int));
      break;
    case '%':
      put(&o, '%');
      break;
    case 0:
      fmt--;  // a lone '%' at the end: stop at the terminator
      break;
    default:
      put(&o, '%');
      put(&o, *fmt);
      break;
    }
  }
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
  sbi_shutdown();
}
