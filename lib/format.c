// format.c: printf-style formatting, shared by the host's printf
// (kernel/printf.c, to the UART) and the guest's (guest-os/printf.c, to
// its console): the caller supplies put(), which takes one character.
// Supports %d %i %u %x %p %s %c %% with a '0' flag, a field width and the
// l/ll length modifiers, and %-Ns (left-justified); %p prints 0x and 16
// hex digits.
#include "lib/lib.h"

struct out {
  void (*put)(void *arg, char c);
  void *arg;
  int len;
};

static void out_putc(struct out *o, char c)
{
  o->put(o->arg, c);
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
  if (neg) {
    // With zero padding the sign goes before the zeros: -0042.
    if (pad == '0') {
      out_putc(o, '-');
      width--;
    } else {
      tmp[n++] = '-';
    }
  }
  while (width-- > n)
    out_putc(o, pad);
  while (n > 0)
    out_putc(o, tmp[--n]);
}

int vformat(void (*put)(void *arg, char c), void *arg, const char *fmt, va_list ap)
{
  struct out o = { put, arg, 0 };
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out_putc(&o, *fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, lng = 0, left = 0;
    if (*fmt == '-')
      left = 1, fmt++;
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
      out_num(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
      break;
    }
    case 'u':
      out_num(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, 0, width, pad);
      break;
    case 'x':
      out_num(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, 0, width, pad);
      break;
    case 'p':
      out_putc(&o, '0');
      out_putc(&o, 'x');
      out_num(&o, (u64)va_arg(ap, void *), 16, 0, 16, '0');
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == 0)
        s = "(null)";
      int n = strlen(s);
      while (!left && width-- > n)
        out_putc(&o, ' ');
      while (*s)
        out_putc(&o, *s++);
      while (left && width-- > n)
        out_putc(&o, ' ');
      break;
    }
    case 'c':
      out_putc(&o, (char)va_arg(ap, int));
      break;
    case '%':
      out_putc(&o, '%');
      break;
    case 0:
      return o.len;   // a lone '%' at the end
    default:
      out_putc(&o, '%');
      out_putc(&o, *fmt);
    }
  }
  return o.len;
}

struct sbuf {
  char *buf;
  size_t len, cap;
};

static void sbuf_put(void *arg, char c)
{
  struct sbuf *b = arg;
  if (b->len + 1 < b->cap)
    b->buf[b->len] = c;
  b->len++;
}

// Like C's snprintf: at most n-1 characters and a NUL; returns the length
// the whole output would have had.
int snprintf(char *buf, size_t n, const char *fmt, ...)
{
  struct sbuf b = { buf, 0, n };
  va_list ap;
  va_start(ap, fmt);
  int len = vformat(sbuf_put, &b, fmt, ap);
  va_end(ap);
  if (n > 0)
    buf[b.len < n ? b.len : n - 1] = 0;
  return len;
}
