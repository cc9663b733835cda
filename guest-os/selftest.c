// selftest.c: the result-line format of every self-test (see
// /work/notes/CONVENTIONS.md, "Console conventions"): each line starts with
// "<test>: ", a failed check contains " FAIL", platform-dependent lines
// start with "<test>: info " (the equivalence check ignores them), and the
// test ends with "<test>: done, N checks, M failed".
#include "guest-os/defs.h"

static const char *test;
static int nchecks, nfailed;

void
t_begin(const char *name)
{
  test = name;
  nchecks = nfailed = 0;
}

// A check: the line is printed either way, with " FAIL" if !ok.
void
t_check(int ok, const char *fmt, ...)
{
  va_list ap;
  nchecks++;
  if (!ok)
    nfailed++;
  printf("%s: ", test);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("%s\n", ok ? "" : " FAIL");
}

// A deterministic result line that is not a pass/fail check.
void
t_line(const char *fmt, ...)
{
  va_list ap;
  printf("%s: ", test);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

// A platform-dependent line, excluded from the equivalence comparison.
void
t_info(const char *fmt, ...)
{
  va_list ap;
  printf("%s: info ", test);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

// Returns 0 if every check passed.
int
t_done(void)
{
  printf("%s: done, %d checks, %d failed\n", test, nchecks, nfailed);
  return nfailed != 0;
}

// FNV-1a, 64 bit, over the 8 bytes of v: a compact digest of a sweep's
// results that differs if any single result differs.
u64
fnv1a(u64 h, u64 v)
{
  for (int i = 0; i < 8; i++) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 0x100000001b3UL;
  }
  return h;
}
