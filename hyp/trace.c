// trace.c: exit tracing, one line per exit (monitor `trace on|off`, or
// `make qemu TRACE=1` at boot via BOOTCFG_F_TRACE). exit.c calls
// trace_before and trace_after around each exit; the line is printed
// after the exit has been handled, so it shows the exit's reason (the
// counter it moved), the guest pc, the instruction when it is the guest's
// doing, and the outcome: where the guest goes on.
#include "hyp/hyp.h"
#include "hyp/decode.h"

static const char *const sys_names[] = {
  [SYS_INVALID] = "invalid", [SYS_CSRRW] = "csrrw", [SYS_CSRRS] = "csrrs",
  [SYS_CSRRC] = "csrrc", [SYS_ECALL] = "ecall", [SYS_EBREAK] = "ebreak",
  [SYS_SRET] = "sret", [SYS_MRET] = "mret", [SYS_WFI] = "wfi",
  [SYS_SFENCE_VMA] = "sfence.vma", [SYS_HFENCE_VVMA] = "hfence.vvma",
  [SYS_HFENCE_GVMA] = "hfence.gvma", [SYS_HLV] = "hlv", [SYS_HSV] = "hsv",
  [SYS_OTHER] = "other",
};

// The instruction at pc in words: "csrrs csr 0xc01", "load 4 bytes", ...
void insn_words(u32 insn, char *buf, int n)
{
  struct sys_insn s;
  struct mem_insn m;
  if (decode_system(insn, &s) == 0 && s.kind != SYS_INVALID) {
    int csr = s.kind == SYS_CSRRW || s.kind == SYS_CSRRS || s.kind == SYS_CSRRC;
    snprintf(buf, n, csr ? "%s%s csr 0x%x" : "%s", sys_names[s.kind], s.imm ? "i" : "", s.csr);
  } else if (decode_mem(insn, &m) == 0) {
    snprintf(buf, n, "%s %d bytes", m.store ? "store" : "load", m.width);
  } else {
    snprintf(buf, n, "?");
  }
}

// The exit being traced: the guest pc and the counters from before it.
static u64 pc_before, exits_before[EXIT_NR];

void trace_before(struct vcpu *v)
{
  pc_before = v->ctx.sepc;
  memcpy(exits_before, v->vm->exits, sizeof(exits_before));
}

void trace_after(struct vcpu *v)
{
  u64 pc = pc_before;
  const u64 *exits = exits_before;
  struct vm *vm = v->vm;
  int r = EXIT_OTHER;
  for (int i = 0; i < EXIT_NR; i++)
    if (vm->exits[i] != exits[i])
      r = i;                  // the last one moved: injection follows emulation
  printf("hv6: trace: %-11s pc 0x%lx  %s", exit_reason_name(r), pc, scause_name(v->scause));
  if (!(v->scause & SCAUSE_INTR)) {
    u32 insn;
    char words[40];
    if (insn_fetch(pc, &insn) == 0) {
      insn_words(insn, words, sizeof(words));
      printf(", insn 0x%08x (%s)", insn, words);
    }
    if (v->scause == EXC_ECALL_VS)
      printf(", a7 0x%lx a6 %ld -> a0 %ld", SBI_ARG(v, 7), SBI_ARG(v, 6), SBI_ARG(v, 0));
    else if (v->scause >= EXC_INST_GUEST_PAGE_FAULT && v->scause != EXC_VIRTUAL_INST)
      printf(", gpa 0x%lx", v->gpa);
  }
  if (vm->state != VM_RUNNING)
    printf(" -> vm ends\n");
  else
    printf(" -> pc 0x%lx (%s)\n", v->ctx.sepc, (v->ctx.sstatus & SSTATUS_SPP) ? "VS" : "VU");
}
