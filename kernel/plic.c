// plic.c: the host's platform-level interrupt controller (RISC-V PLIC
// spec v1.0.0), S-mode context of hart 0. QEMU virt numbers its contexts
// M0, S0, M1, S1, ... so hart 0's S-mode context is 1.
#include "kernel/defs.h"

#define PLIC_PRIORITY(irq)   (4 * (irq))
#define PLIC_ENABLE(ctx)     (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)  (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)      (0x200004 + 0x1000 * (ctx))
#define HART0_S_CONTEXT      1

static volatile u8 *plic;

static volatile u32 *reg(u64 off) { return (volatile u32 *)(plic + off); }

void plic_init(u64 base)
{
  plic = (volatile u8 *)base;
  *reg(PLIC_THRESHOLD(HART0_S_CONTEXT)) = 0;
}

void plic_enable(u32 irq)
{
  *reg(PLIC_PRIORITY(irq)) = 1;
  *reg(PLIC_ENABLE(HART0_S_CONTEXT) + 4 * (irq / 32)) |= 1U << (irq % 32);
}

u32 plic_claim(void)
{
  return *reg(PLIC_CLAIM(HART0_S_CONTEXT));
}

void plic_complete(u32 irq)
{
  *reg(PLIC_CLAIM(HART0_S_CONTEXT)) = irq;
}
