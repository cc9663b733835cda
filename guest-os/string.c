// string.c: the few C library string functions the guest needs. GCC may
// also emit calls to memset/memcpy for struct copies and initialisers.
#include "guest-os/defs.h"

void *
memset(void *dst, int c, size_t n)
{
  u8 *d = dst;
  while (n-- > 0)
    *d++ = c;
  return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
  u8 *d = dst;
  const u8 *s = src;
  while (n-- > 0)
    *d++ = *s++;
  return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
  const u8 *x = a, *y = b;
  for (; n > 0; n--, x++, y++)
    if (*x != *y)
      return *x - *y;
  return 0;
}

size_t
strlen(const char *s)
{
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

int
strncmp(const char *a, const char *b, size_t n)
{
  for (; n > 0 && *a && *a == *b; n--, a++, b++)
    ;
  return n == 0 ? 0 : (u8)*a - (u8)*b;
}

int
strcmp(const char *a, const char *b)
{
  return strncmp(a, b, (size_t)-1);
}
