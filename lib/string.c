// string.c: the C library's memory and string functions, for programs
// that have no C library (the host kernel and the guest OS; GCC may also
// emit memset/memcpy calls for struct copies). Host-native test builds
// (HOST_TEST) use the real C library's and take only strncpy_safe here.
#include "lib/lib.h"

#ifndef HOST_TEST
void *memset(void *dst, int c, size_t n)
{
  u8 *d = dst;
  u64 w = (u8)c * 0x0101010101010101UL;
  // Whole 64-byte blocks when aligned: the hypervisor zeroes a page on
  // every demand fault, and eight stores per loop trip make that a
  // quarter of the instructions of a word-at-a-time loop.
  if ((((u64)d | n) & 63) == 0) {
    for (u64 *p = dst, *end = (u64 *)(d + n); p < end; p += 8) {
      p[0] = w; p[1] = w; p[2] = w; p[3] = w;
      p[4] = w; p[5] = w; p[6] = w; p[7] = w;
    }
    return dst;
  }
  if ((((u64)d | n) & 7) == 0) {
    for (size_t i = 0; i < n; i += 8)
      *(u64 *)(d + i) = w;
    return dst;
  }
  for (size_t i = 0; i < n; i++)
    d[i] = (u8)c;
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
  return memmove(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
  u8 *d = dst;
  const u8 *s = src;
  if (d == s || n == 0)
    return dst;
  if (d < s || d >= s + n) {
    if ((((u64)d | (u64)s | n) & 7) == 0) {
      for (size_t i = 0; i < n; i += 8)
        *(u64 *)(d + i) = *(const u64 *)(s + i);
    } else {
      for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    }
  } else {
    while (n-- > 0)
      d[n] = s[n];
  }
  return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
  const u8 *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i])
      return x[i] - y[i];
  return 0;
}

size_t strlen(const char *s)
{
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

size_t strnlen(const char *s, size_t max)
{
  size_t n = 0;
  while (n < max && s[n])
    n++;
  return n;
}

int strcmp(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
  while (n > 0 && *a && *a == *b)
    n--, a++, b++;
  return n == 0 ? 0 : (u8)*a - (u8)*b;
}
#endif

// Copy at most n-1 characters and always NUL-terminate.
char *strncpy_safe(char *dst, const char *src, size_t n)
{
  size_t i = 0;
  if (n == 0)
    return dst;
  for (; i + 1 < n && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}

// Are all n bytes at p zero? Words at a time when aligned (snapshots ask it
// of whole pages).
int mem_is_zero(const void *p, size_t n)
{
  const u8 *b = p;
  if ((((u64)b | n) & 7) == 0) {
    for (size_t i = 0; i < n; i += 8)
      if (*(const u64 *)(b + i))
        return 0;
    return 1;
  }
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return 0;
  return 1;
}
