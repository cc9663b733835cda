// context.h: the register file saved on every guest exit and restored on
// every entry. kernel/vmentry.S fills it; hyp/ reads and edits it. The
// offsets are shared with the assembly, so they live here as numbers.
#pragma once

#define CTX_X(n)     ((n) * 8)       // guest x0..x31 (x0 unused)
#define CTX_SEPC     (32 * 8)        // guest pc at the exit
#define CTX_SSTATUS  (33 * 8)        // sstatus at the exit (SPP: VS or VU)
#define CTX_HSTATUS  (34 * 8)        // hstatus at the exit (SPV, GVA)
#define CTX_HOST     (35 * 8)        // host ra, sp, gp, tp, s0..s11
#define CTX_SIZE     (CTX_HOST + 16 * 8)

#ifndef __ASSEMBLER__
#include "kernel/riscv.h"
struct context {
  u64 x[32];
  u64 sepc;
  u64 sstatus;
  u64 hstatus;
  u64 host[16];
};
_Static_assert(sizeof(struct context) == CTX_SIZE, "context.h offsets");

// vmentry.S
void vcpu_enter(struct context *c);          // returns when the VM stops
// The two ways out of exit_handle (hyp/exit.c): back into the guest, or
// (the VM stopped) back out of vcpu_enter.
void vcpu_resume(struct context *c) __attribute__((noreturn));
void vcpu_leave(struct context *c) __attribute__((noreturn));
// An instruction halfword or word from guest virtual memory, zero-
// extended, or HLVX_FAULT (which neither can be) if the read faulted.
#define HLVX_FAULT (~0UL)
u64  hlvx_hu(u64 gva);
u64  hlvx_wu(u64 gva);
void trap_vector(void);
#endif
