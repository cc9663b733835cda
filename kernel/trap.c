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

// Names of scause values (priv spec Table 4.2, plus the H-extension's
// causes of §8.6.1).
const char *scause_name(u64 scause)
{
  static const char *exc[] = {
    [0] = "instruction address misaligned", [1] = "instruction access fault",
    [2] = "illegal instruction", [3] = "breakpoint",
    [4] = "load address misaligned", [5] = "load access fault",
    [6] = "store/AMO address misaligned", [7] = "store/AMO access fault",
    [8] = "environment call from U/VU-mode", [9] = "environment call from HS-mode",
    [10] = "environment call from VS-mode", [11] = "environment call from M-mode",
    [12] = "instruction page fault", [13] = "load page fault",
    [15] = "store/AMO page fault", [20] = "instruction guest-page fault",
    [21] = "load guest-page fault", [22] = "virtual instruction",
    [23] = "store/AMO guest-page fault",
  };
  static const char *intr[] = {
    [1] = "supervisor software interrupt", [2] = "virtual supervisor software interrupt",
    [5] = "supervisor timer interrupt", [6] = "virtual supervisor timer interrupt",
    [9] = "supervisor external interrupt", [10] = "virtual supervisor external interrupt",
    [12] = "supervisor guest external interrupt",
  };
  u64 code = scause & ~SCAUSE_INTR;
  const char *s = 0;
  if (scause & SCAUSE_INTR)
    s = code < NELEM(intr) ? intr[code] : 0;
  else
    s = code < NELEM(exc) ? exc[code] : 0;
  return s ? s : "unknown cause";
}

void kerneltrap(void)
{
  u64 scause = csr_read(scause);
  panic("host trap: %s (scause=0x%lx sepc=0x%lx stval=0x%lx htval=0x%lx)",
        scause_name(scause), scause, csr_read(sepc), csr_read(stval),
        csr_read(CSR_HTVAL));
}
