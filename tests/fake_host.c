// fake_host.c: the host kernel as hyp/ sees it, faked for host-native
// unit tests and fuzzers (tests/, built with -DHOST_TEST). printf and the
// string functions are the C library's, crc32 and strncpy_safe lib/'s
// (name lib/crc32.c lib/string.c in SOURCES); this file supplies the rest:
// panic -> abort, vm_hint -> nothing, the page allocator from a bounded
// pool of separately malloc'd pages (so AddressSanitizer guards every
// page's edges), the
// console, the timer, a fake CSR file (kernel/riscv.h maps csr_read etc.
// here under HOST_TEST) and a fake firmware for sbi_ecall.
//
// Every definition is weak: a test that needs different behaviour defines
// its own. Knobs a test may set: fake_quiet (1: console output and
// printf-style hyp messages are counted, not printed), fake_kalloc_limit
// (pages the pool hands out before kalloc returns 0).
// SOURCES line for a test that uses it:  // SOURCES: tests/fake_host.c ...
#include "kernel/defs.h"
#include "tests/fake_host.h"
#include "sbi/ecall.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEAK __attribute__((weak))

int fake_quiet;
u64 fake_putc_count;
long fake_kalloc_limit = 1L << 20;
long fake_kalloc_used;

// ---- printf.c ----
WEAK void panic(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "hv6: panic: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  abort();
}

// ---- hyp/diag.c: a hint after a VM stop (the test's vm_stop prints nothing) ----
WEAK void vm_hint(const char *fmt, ...)
{
  (void)fmt;
}

// ---- uart.c / console.c ----
WEAK void uart_putc(int c)
{
  fake_putc_count++;
  if (!fake_quiet)
    putchar(c);
}
WEAK int uart_getc(void) { return -1; }
WEAK int console_getc(void) { return -1; }
WEAK int console_waiting;       // 0: console_ready says "nothing" at once
WEAK int console_check(void) { return 0; }
WEAK int console_escape(void) { return 0; }

// ---- kalloc.c: each page its own aligned heap block ----
// kalloc_contig runs are one block. The pool remembers nothing: kfree
// gives the block back to the C library (ASan then catches use-after-free).
WEAK void *kalloc_contig(u64 npages, u64 align)
{
  if (npages == 0 || fake_kalloc_used + (long)npages > fake_kalloc_limit)
    return 0;
  if (align < PGSIZE)
    align = PGSIZE;
  void *p = aligned_alloc(align, npages * PGSIZE);
  if (p == 0)
    return 0;
  memset(p, 0, npages * PGSIZE);
  fake_kalloc_used += npages;
  return p;
}
WEAK void *kalloc(void) { return kalloc_contig(1, PGSIZE); }
WEAK void kfree_contig(void *pa, u64 npages)
{
  if (pa == 0)
    return;
  fake_kalloc_used -= npages;
  free(pa);
}
WEAK void kfree(void *pa) { kfree_contig(pa, 1); }
WEAK u64 kalloc_free_pages(void) { return fake_kalloc_limit - fake_kalloc_used; }
WEAK int kalloc_owns(u64 pa) { (void)pa; return 1; }
WEAK void kalloc_reserve(u64 pa, u64 len) { (void)pa, (void)len; }

// ---- timer.c ----
int host_has_sstc WEAK = 0;
u64 fake_time;
WEAK u64 timer_now(void) { return fake_time; }
WEAK void timer_set(u64 deadline) { (void)deadline; }
WEAK u64 timer_freq(void) { return 10000000; }

// ---- plic.c ----
WEAK u32 plic_claim(void) { return 0; }
WEAK void plic_complete(u32 irq) { (void)irq; }
WEAK void plic_enable(u32 irq, u32 priority) { (void)irq, (void)priority; }

// ---- platform.c ----
WEAK void platform_poweroff(int failure)
{
  fprintf(stderr, "fake_host: platform_poweroff(%d)\n", failure);
  abort();
}

// ---- the CSR file (kernel/riscv.h under HOST_TEST) ----
#define NCSR 64
static struct { char name[24]; u64 val; } csrs[NCSR];
static int ncsrs;

static u64 *csr_slot(const char *name)
{
  for (int i = 0; i < ncsrs; i++)
    if (strcmp(csrs[i].name, name) == 0)
      return &csrs[i].val;
  if (ncsrs == NCSR) {
    fprintf(stderr, "fake_host: more than %d CSRs\n", NCSR);
    abort();
  }
  snprintf(csrs[ncsrs].name, sizeof(csrs[ncsrs].name), "%s", name);
  csrs[ncsrs].val = 0;
  return &csrs[ncsrs++].val;
}

WEAK u64 fake_csr_read(const char *csr) { return *csr_slot(csr); }
WEAK void fake_csr_write(const char *csr, u64 val) { *csr_slot(csr) = val; }
WEAK u64 fake_csr_rmw(const char *csr, u64 set, u64 clear, int swap, u64 val)
{
  u64 *p = csr_slot(csr), old = *p;
  *p = swap ? val : (old | set) & ~clear;
  return old;
}

// ---- the firmware under the host (sbi/ecall.h under HOST_TEST) ----
WEAK struct sbiret sbi_ecall(long ext, long fid, long a0, long a1, long a2, long a3,
                             long a4, long a5)
{
  (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
  if (ext == SBI_EXT_BASE && fid >= SBI_BASE_GET_MVENDORID && fid <= SBI_BASE_GET_MIMPID)
    return (struct sbiret){ 0, 0 };
  return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
}
