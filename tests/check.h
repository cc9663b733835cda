// check.h: the tiny assertion kit of hv6's host-native unit tests.
// Each tests/test_*.c is its own program: CHECK() counts, main() ends
// with check_summary(), which prints "<file>: N passed, M failed" and
// returns the exit status. tests/run builds and runs them all with
// AddressSanitizer and UndefinedBehaviorSanitizer.
#pragma once
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do {                                         \
    if (cond) {                                                       \
      check_passed++;                                                 \
    } else {                                                          \
      check_failed++;                                                 \
      printf("%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond);         \
      printf(__VA_ARGS__);                                            \
      printf("\n");                                                   \
    }                                                                 \
  } while (0)

static inline int check_summary(const char *name)
{
  printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
  return check_failed != 0;
}
