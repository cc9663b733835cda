// jit.c: run instructions written at run time. The CSR number of a CSR
// instruction is an immediate, so sweeping all 4096 CSRs (or any
// instruction word) means writing the word into memory and executing it.
// The buffer is the one page of the image mapped writable and executable
// (guest.ld's .jit, vm.c); fence.i makes the stores visible to
// instruction fetch (unprivileged spec, Zifencei).
#include "guest-os/defs.h"

#define RET 0x00008067   // jalr x0, 0(ra)

static u32 buf[64] __attribute__((section(".jit"), aligned(16)));

// Run insns[0..n) followed by ret, as a function, with every trap it
// takes expected (each faulting instruction is skipped).
void
jit_run(const u32 *insns, int n, struct jitresult *r)
{
  if (n + 1 > (int)NELEM(buf))
    panic("jit_run: %d instructions", n);
  for (int i = 0; i < n; i++)
    buf[i] = insns[i];
  buf[n] = RET;
  asm volatile("fence.i" ::: "memory");
  register u64 a0 asm("a0") = 0;
  expect_begin();
  // Call through a register; the stub may write a0 and nothing else.
  asm volatile("jalr ra, 0(%1)" : "+r"(a0) : "r"(buf) : "ra", "memory");
  r->ntraps = expect_end(&r->first);
  r->a0 = a0;
}
