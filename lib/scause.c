// scause.c: scause values in words, for the host's diagnostics and the
// guest's self-test output. The names are the privileged spec's (v1.12
// Table 4.2, with the H-extension's causes of Table 8.6).
#include "lib/lib.h"

static const char *const exceptions[] = {
  [EXC_INST_MISALIGNED] = "instruction address misaligned",
  [EXC_INST_ACCESS] = "instruction access fault",
  [EXC_ILLEGAL_INST] = "illegal instruction",
  [EXC_BREAKPOINT] = "breakpoint",
  [EXC_LOAD_MISALIGNED] = "load address misaligned",
  [EXC_LOAD_ACCESS] = "load access fault",
  [EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
  [EXC_STORE_ACCESS] = "store/AMO access fault",
  [EXC_ECALL_U] = "environment call from U-mode or VU-mode",
  [EXC_ECALL_S] = "environment call from HS-mode",
  [EXC_ECALL_VS] = "environment call from VS-mode",
  [EXC_ECALL_M] = "environment call from M-mode",
  [EXC_INST_PAGE_FAULT] = "instruction page fault",
  [EXC_LOAD_PAGE_FAULT] = "load page fault",
  [EXC_STORE_PAGE_FAULT] = "store/AMO page fault",
  [18] = "software check",
  [19] = "hardware error",
  [EXC_INST_GUEST_PAGE_FAULT] = "instruction guest-page fault",
  [EXC_LOAD_GUEST_PAGE_FAULT] = "load guest-page fault",
  [EXC_VIRTUAL_INST] = "virtual instruction",
  [EXC_STORE_GUEST_PAGE_FAULT] = "store/AMO guest-page fault",
};

static const char *const interrupts[] = {
  [IRQ_S_SOFT] = "supervisor software interrupt",
  [IRQ_VS_SOFT] = "virtual supervisor software interrupt",
  [IRQ_S_TIMER] = "supervisor timer interrupt",
  [IRQ_VS_TIMER] = "virtual supervisor timer interrupt",
  [IRQ_S_EXT] = "supervisor external interrupt",
  [IRQ_VS_EXT] = "virtual supervisor external interrupt",
  [IRQ_SG_EXT] = "supervisor guest external interrupt",
  [13] = "counter overflow interrupt",
};

const char *scause_name(u64 scause)
{
  u64 code = scause & ~SCAUSE_INTR;
  const char *s = 0;
  if (scause & SCAUSE_INTR)
    s = code < NELEM(interrupts) ? interrupts[code] : 0;
  else
    s = code < NELEM(exceptions) ? exceptions[code] : 0;
  return s ? s : "reserved";
}
