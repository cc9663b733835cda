// plic.c: the host's platform-level interrupt controller (RISC-V PLIC
// spec v1.0.0), S-mode context of hart 0. QEMU virt numbers its contexts
// M0, S0, M1, S1, ... so hart 0's S-mode context is 1.
#include "kernel/defs.h"

#define PLIC_PRIORITY(irq)   (4 * (irq))
#define PLIC_PENDING(irq)    (0x1000 + 4 * ((irq) / 32))
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

// Enable irq at the given priority (1 is the lowest that is ever taken).
// A claim returns the pending source of highest priority, of those the
// one with the lowest ID (PLIC spec, "Interrupt Priorities").
void plic_enable(u32 irq, u32 priority)
{
  *reg(PLIC_PRIORITY(irq)) = priority;
  *reg(PLIC_ENABLE(HART0_S_CONTEXT) + 4 * (irq / 32)) |= 1U << (irq % 32);
}

// Is irq pending? A level-triggered source stays pending once its gateway
// has signalled it, even if the device lowers its line again, until it is
// claimed (PLIC spec, "Interrupt Gateways").
int plic_pending(u32 irq)
{
  return (*reg(PLIC_PENDING(irq)) >> (irq % 32)) & 1;
}

u32 plic_claim(void)
{
  return *reg(PLIC_CLAIM(HART0_S_CONTEXT));
}

void plic_complete(u32 irq)
{
  *reg(PLIC_CLAIM(HART0_S_CONTEXT)) = irq;
}
