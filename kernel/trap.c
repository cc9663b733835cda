// trap.c: traps taken while host code runs. The host keeps its interrupts
// off (they reach it only as guest exits, see vmentry.S), so a trap here is
// an exception in hv6 itself: a bug. Report it in words and stop.
#include "kernel/defs.h"
#include "kernel/context.h"

void trap_init(void)
{
  csr_write(stvec, (u64)trap_vector);
  csr_write(sscratch, 0);
}

void kerneltrap(void)
{
  u64 scause = csr_read(scause);
  panic("host trap: %s (scause=0x%lx sepc=0x%lx stval=0x%lx htval=0x%lx)",
        scause_name(scause), scause, csr_read(sepc), csr_read(stval),
        csr_read(CSR_HTVAL));
}
