// printf.c: formatted output to the host console, and panic().
// Supports %d %i %u %x %p %s %c %% with l/ll length and 0/width padding.
#include "kernel/defs.h"

struct out {
  char *buf;      // NULL: straight to the UART
  size_t len, cap;
};

static void out_putc(struct out *o, char c)
{
  if (o->buf == 0) {
    uart_putc(c);
  } else if (o->len + 1 < o->cap) {
    o->buf[o->len] = c;
  }
  o->len++;
}

static void out_num(struct out *o, u64 x, int base, int neg, int width, char pad)
{
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[x % base];
    x /= base;
  } while (x);
  if (neg)
    tmp[n++] = '-';
  while (width-- > n)
    out_putc(o, pad);
  while (n > 0)
    out_putc(o, tmp[--n]);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out_putc(o, *fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, lng = 0;
    if (*fmt == '0')
      pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l')
      lng++, fmt++;
    switch (*fmt) {
    case 'd':
    case 'i': {
      i64 v = lng ? va_arg(ap, i64) : va_arg(ap, int);
      out_num(o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
      break;
    }
    case 'u':
      out_num(o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, 0, width, pad);
      break;
    case 'x':
      out_num(o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, 0, width, pad);
      break;
    case 'p':
      out_putc(o, '0');
      out_putc(o, 'x');
      out_num(o, (u64)va_arg(ap, void *), 16, 0, width, pad);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      int n = strlen(s);
      while (width-- > n)
        out_putc(o, ' ');
      while (*s)
        out_putc(o, *s++);
      break;
    }
    case 'c':
      out_putc(o, (char)va_arg(ap, int));
      break;
    case '%':
      out_putc(o, '%');
      break;
    case 0:
      return;
    default:
      out_putc(o, '%');
      out_putc(o, *fmt);
    }
  }
}

int vprintf(const char *fmt, va_list ap)
{
  struct out o = { 0, 0, 0 };
  format(&o, fmt, ap);
  return o.len;
}

int printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
  struct out o = { buf, 0, n };
  va_list ap;
  va_start(ap, fmt);
  format(&o, fmt, ap);
  va_end(ap);
  if (n > 0)
    buf[o.len < n ? o.len : n - 1] = 0;
  return o.len;
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
