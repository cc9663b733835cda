// diag.c: readable failures. When an exit forces hv6 to stop the VM,
// vm_stop (vm.c) prints one `hv6: vm stopped:` line and then, from here,
// that exit in words: the cause, the guest pc and instruction, what
// stval, htval and htinst mean for this cause (priv spec §8.6.3), and
// hstatus.SPV/GVA; for a guest-page fault also what stage 2 holds at the
// GPA. The code that stopped the VM adds the likely mistake with vm_hint
// when it knows one. Host panics are decoded in kernel/trap.c.
//
//   hv6: vm stopped: guest load at GPA 0x0 (no device) not handled (lab 2: hyp/mmio.c)
//   hv6:   last exit: load guest-page fault (scause 21) at pc 0x8020567e in VS-mode, insn 0x0000609c (load 8 bytes)
//   hv6:     stval 0x2000004000 (guest virtual address), htval 0x0 (GPA 0x0), htinst 0x0 (0: ...)
//   hv6:     hstatus.SPV=1 (from the guest) GVA=1 (stval is a guest virtual address)
//   hv6:     stage 2: GPA 0x0 is neither guest RAM nor a device
//   hv6:   hint: no device at this GPA: the guest must get an access fault, as on the board ...
#include "hyp/hyp.h"
#include "hyp/decode.h"

// A G-stage PTE's permission bits in the monitor's notation: "rwxu-ad".
void pte_perm(u64 pte, char buf[8])
{
  const char *bits = "rwxugad";
  for (int i = 0; i < 7; i++)
    buf[i] = (pte >> (i + 1)) & 1 ? bits[i] : '-';
  buf[7] = 0;
}

static int is_guest_page_fault(u64 scause)
{
  return scause == EXC_INST_GUEST_PAGE_FAULT || scause == EXC_LOAD_GUEST_PAGE_FAULT ||
         scause == EXC_STORE_GUEST_PAGE_FAULT;
}

// What stval holds for this cause (priv spec §4.1.9, §8.6.3).
static const char *stval_words(u64 scause, u64 stval, u64 hstatus)
{
  switch (scause) {
  case EXC_ILLEGAL_INST:
  case EXC_VIRTUAL_INST:
    return stval ? "the instruction bits" : "0: the hart did not report the instruction";
  case EXC_ECALL_VS:
    return 0;                 // always 0: not worth a word
  }
  return (hstatus & HSTATUS_GVA) ? "guest virtual address" : "faulting address";
}

// htinst of a guest-page fault (§8.6.3): 0 if the hart gives nothing, a
// "transformed" copy of the load/store (bit 0 set), or a pseudoinstruction
// (bit 0 clear) when the fault hit the guest's own page-table walk.
static void htinst_words(u64 htinst, char *buf, int n)
{
  if (htinst == 0) {
    snprintf(buf, n, "0: not provided, hv6 reads the instruction with HLVX");
  } else if (htinst & 1) {
    char words[40];
    insn_words((u32)htinst | 2, words, sizeof(words));
    snprintf(buf, n, "transformed %s%s", words, (htinst & 2) ? "" : ", was compressed");
  } else {
    snprintf(buf, n, "pseudoinstruction: the guest's page-table walk read a PTE there");
  }
}

// A leaf that maps gpa and still faulted: the bits this access needs and
// the leaf lacks (priv spec §8.5.1: every G-stage access is checked as a
// U-mode access, so U is always needed).
static void leaf_lacks(u64 pte, u64 cause, const char *pre)
{
  static const struct { u64 bit; const char *words; } need[] = {
    { PTE_U, "U (every G-stage access is checked as U-mode)" },
    { PTE_R, "R (a load)" }, { PTE_W, "W (a store)" }, { PTE_X, "X (a fetch)" },
  };
  u64 want = PTE_U | (cause == EXC_INST_GUEST_PAGE_FAULT ? PTE_X :
                      cause == EXC_LOAD_GUEST_PAGE_FAULT ? PTE_R : PTE_W);
  for (u64 i = 0; i < NELEM(need); i++)
    if ((want & need[i].bit) && !(pte & need[i].bit))
      printf("%s    the leaf lacks %s\n", pre, need[i].words);
}

// What G-stage translation holds at gpa: why a guest-page fault happened.
static void stage2_words(struct vm *vm, u64 gpa, u64 cause, const char *pre)
{
  printf("%s  stage 2: GPA 0x%lx ", pre, gpa);
  if (gmem_is_ram(vm, gpa, 1)) {
    int level;
    u64 *pte = stage2_leaf(vm, gpa, &level);
    if (pte == 0) {
      printf("is guest RAM, not mapped\n");
    } else {
      char perm[8];
      pte_perm(*pte, perm);
      printf("is guest RAM, mapped: leaf pte 0x%016lx (%s %s) -> HPA 0x%lx\n", *pte,
             level == 2 ? "1G" : level == 1 ? "2M" : "4K", perm,
             PTE2PA(*pte) + (gpa & (stage2_level_size(level) - 1)));
      leaf_lacks(*pte, cause, pre);
    }
    return;
  }
#if LAB >= 2
  const struct mmio_dev *d = mmio_find(vm, gpa);
  if (d) {
    printf("is device %s, offset 0x%lx (emulated, never mapped)\n", d->name, gpa - d->base);
    return;
  }
#endif
  printf("is neither guest RAM nor a device\n");
}

// The exit the vCPU is handling, decoded; each line starts with pre.
void diag_exit(struct vcpu *v, const char *pre)
{
  u64 cause = v->scause, hstatus = v->ctx.hstatus;
  int vs = (v->ctx.sstatus & SSTATUS_SPP) != 0;
  if (cause & SCAUSE_INTR) {
    // The host's own interrupt, taken while the guest ran.
    printf("%slast exit: %s (interrupt %ld) while the guest ran at pc 0x%lx in %s-mode\n",
           pre, scause_name(cause), cause & ~SCAUSE_INTR, v->ctx.sepc, vs ? "VS" : "VU");
    return;
  }
  u64 pc = v->ctx.sepc;
  if (cause == EXC_ECALL_VS)
    pc -= 4;                  // sbi.c steps over the ecall before serving it
  printf("%slast exit: %s (scause %ld) at pc 0x%lx in %s-mode", pre, scause_name(cause),
         cause, pc, vs ? "VS" : "VU");
  u32 insn;
  char words[96];
  if (cause == EXC_ECALL_VS) {
    printf(", SBI call a7 0x%lx a6 %ld\n", SBI_ARG(v, 7), SBI_ARG(v, 6));
  } else if (cause != EXC_INST_GUEST_PAGE_FAULT && insn_fetch(pc, &insn) == 0) {
    insn_words(insn, words, sizeof(words));
    if (words[0] == '?')
      printf(", insn 0x%08x\n", insn);
    else
      printf(", insn 0x%08x (%s)\n", insn, words);
  } else {
    printf("\n");
  }

  u64 gpa = v->gpa;
  const char *sw = stval_words(cause, v->stval, hstatus);
  if (sw) {
    printf("%s  stval 0x%lx (%s)", pre, v->stval, sw);
    if (is_guest_page_fault(cause))
      printf(", htval 0x%lx (GPA 0x%lx)", v->htval, gpa);
    if (cause == EXC_LOAD_GUEST_PAGE_FAULT || cause == EXC_STORE_GUEST_PAGE_FAULT) {
      htinst_words(v->htinst, words, sizeof(words));
      printf(", htinst 0x%lx (%s)", v->htinst, words);
    }
    printf("\n");
  }
  printf("%s  hstatus.SPV=%d (%s) GVA=%d (%s)\n", pre, (hstatus & HSTATUS_SPV) != 0,
         (hstatus & HSTATUS_SPV) ? "from the guest" : "not from the guest",
         (hstatus & HSTATUS_GVA) != 0,
         (hstatus & HSTATUS_GVA) ? "stval is a guest virtual address" : "stval is not one");
  if (is_guest_page_fault(cause))
    stage2_words(v->vm, gpa, cause, pre);
}

// The likely mistake behind the stop just printed, in one line.
void vm_hint(const char *fmt, ...)
{
  va_list ap;
  printf("hv6:   hint: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}
