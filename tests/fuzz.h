// fuzz.h: what every libFuzzer target in tests/ shares. FUZZ_CHECK is an
// invariant: when it fails the target prints why and aborts, which
// libFuzzer reports as a crash and saves the input (tests/fuzz).
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>

#define FUZZ_CHECK(cond, ...) do {                                    \
    if (!(cond)) {                                                    \
      fprintf(stderr, "FUZZ-CHECK %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fprintf(stderr, "\n");                                          \
      abort();                                                        \
    }                                                                 \
  } while (0)

// Consume bytes of the fuzz input as little-endian integers; 0 when used up.
struct fuzz_in {
  const uint8_t *p;
  size_t n;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, int bytes)
{
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) {
    if (in->n == 0)
      break;
    v |= (uint64_t)*in->p++ << (8 * i);
    in->n--;
  }
  return v;
}
