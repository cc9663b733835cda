// csr.c: virtual-instruction exits (cause 22, priv spec §8.6.1). The
// hart raises one when VS- or VU-mode runs an instruction that HS-mode
// could run: a hypervisor CSR, SRET with hstatus.VTSR, WFI with VTW,
// satp/SFENCE.VMA with VTVM, or a counter that hcounteren hides. We
// emulate what the guest may do and make everything else the illegal-
// instruction fault a machine without the H-extension would raise.
//
// Trap policies (TRAP=min|all, vcpu.c): with TRAP=min only hypervisor
// CSRs and HLV/HSV/HFENCE get here; with TRAP=all every sensitive
// instruction does, and this file is the whole classic trap-and-emulate
// monitor of Popek and Goldberg.
#include "hyp/hyp.h"
#include "hyp/decode.h"

// The new CSR value a CSRRW/CSRRS/CSRRC computes from old (Zicsr).
static u64 csr_new_value(const struct sys_insn *s, u64 old, u64 src)
{
  switch (s->kind) {
  case SYS_CSRRW: return src;
  case SYS_CSRRS: return old | src;
  default:        return old & ~src;
  }
}

#if SOL >= 1
// The guest's view of the CSRs hv6 emulates. Returns 0 and sets *val, or
// -1 if the CSR is not one the guest may access.
static int csr_emulated_read(struct vcpu *v, u32 csr, u64 *val)
{
  (void)v;
  switch (csr) {
  case CSR_SATP:    *val = csr_read(CSR_VSATP); return 0;   // VTVM
  case CSR_TIME:    *val = csr_read(time) + csr_read(CSR_HTIMEDELTA); return 0;
  case CSR_CYCLE:   *val = csr_read(cycle); return 0;
  case CSR_INSTRET: *val = csr_read(instret); return 0;
#if LAB >= 3 && SSTC
  // Sstc with TRAP=all: hcounteren.TM=0 hides stimecmp too (priv spec
  // Sstc spec): the guest means vstimecmp; writing it sets the timer.
  case CSR_STIMECMP:
    if (!host_has_sstc)
      return -1;
    *val = csr_read(CSR_VSTIMECMP);
    return 0;
#endif
  }
  return -1;
}

static int csr_emulated_write(struct vcpu *v, u32 csr, u64 val)
{
  (void)v;
  if (csr == CSR_SATP) {
    // satp is WARL (§4.1.11): vsatp applies the same rules in hardware.
    csr_write(CSR_VSATP, val);
    return 0;
  }
#if LAB >= 3 && SSTC
  if (csr == CSR_STIMECMP && host_has_sstc) {
    vtimer_set(v, val);
    return 0;
  }
#endif
  return -1;   // the counters are read-only: writing them is illegal
}

// CSRRW/CSRRS/CSRRC[I] that trapped. Only VS-mode may reach the CSRs we
// emulate; from VU-mode the instruction would be illegal natively.
// U-mode may read a counter only if scounteren allows it (§4.1.5).
static int user_counter(u32 csr)
{
  return csr >= CSR_CYCLE && csr <= CSR_INSTRET &&
         (csr_read(scounteren) & (1UL << (csr - CSR_CYCLE)));
}

static void emulate_csr(struct vcpu *v, const struct sys_insn *s, u32 insn)
{
  int from_vs = (v->ctx.sstatus & SSTATUS_SPP) != 0;
  u64 old = 0;
  if (!from_vs && !user_counter(s->csr)) {
    inject_illegal(v, insn);
    return;
  }
  // CSRRW with rd = x0 does not read (Zicsr); a CSR we do not emulate is
  // refused by whichever of the read or the write comes first.
  if (sys_csr_reads(s) && csr_emulated_read(v, s->csr, &old) < 0) {
    inject_illegal(v, insn);
    return;
  }
  if (sys_csr_writes(s)) {
    u64 src = s->imm ? s->uimm : vcpu_reg(v, s->rs1);
    if (csr_emulated_write(v, s->csr, csr_new_value(s, old, src)) < 0) {
      inject_illegal(v, insn);
      return;
    }
  }
  v->vm->exits[EXIT_CSR]++;
  vcpu_set_reg(v, s->rd, old);
  v->ctx.sepc += 4;
}

// SRET with hstatus.VTSR (§4.1.1, SRET): pc = sepc, privilege = SPP,
// SIE = SPIE, SPIE = 1, SPP = U — all on the guest's vsstatus.
static void emulate_sret(struct vcpu *v)
{
  u64 vs = csr_read(CSR_VSSTATUS);
  if (vs & SSTATUS_SPP)
    v->ctx.sstatus |= SSTATUS_SPP;
  else
    v->ctx.sstatus &= ~SSTATUS_SPP;
  vs &= ~(SSTATUS_SIE | SSTATUS_SPP);
  if (vs & SSTATUS_SPIE)
    vs |= SSTATUS_SIE;
  vs |= SSTATUS_SPIE;
  csr_write(CSR_VSSTATUS, vs);
  v->ctx.sepc = csr_read(CSR_VSEPC);
  v->vm->exits[EXIT_SRET]++;
}

// SFENCE.VMA with hstatus.VTVM: the guest's translations are VS-stage,
// which HFENCE.VVMA flushes for the current VMID (§8.3.1). The operands
// keep their meaning: rs1 = virtual address, rs2 = ASID.
static void emulate_sfence(struct vcpu *v, const struct sys_insn *s)
{
  u64 va = vcpu_reg(v, s->rs1), asid = vcpu_reg(v, s->rs2);
  if (s->rs1 && s->rs2)
    asm volatile("hfence.vvma %0, %1" :: "r"(va), "r"(asid) : "memory");
  else if (s->rs1)
    asm volatile("hfence.vvma %0, zero" :: "r"(va) : "memory");
  else if (s->rs2)
    asm volatile("hfence.vvma zero, %0" :: "r"(asid) : "memory");
  else
    asm volatile("hfence.vvma zero, zero" ::: "memory");
  v->vm->exits[EXIT_SFENCE]++;
  v->ctx.sepc += 4;
}
#endif

// WFI with hstatus.VTW: a hint, so returning at once is always correct
// (§3.3.3); lab 3 makes it block until a virtual interrupt is pending.
static void emulate_wfi(struct vcpu *v)
{
  v->vm->exits[EXIT_WFI]++;
#if LAB >= 3
  vtimer_wfi(v);
#endif
  // Step over it once the wait is over: while it waits (the monitor can
  // open then), the vCPU's pc is still the WFI's, as a stop report says.
  v->ctx.sepc += 4;
}

void csr_virtual_insn(struct vcpu *v)
{
  // stval should hold the instruction (§8.6.3), but QEMU 7.2 leaves a
  // stale value there for HLV/HSV, and real cores may write 0: read the
  // instruction from guest memory instead, which is always right.
  u32 insn;
  struct sys_insn s;
  if (insn_fetch(v->ctx.sepc, &insn) < 0) {
    vm_stop(v->vm, "cannot read the instruction at guest pc 0x%lx", v->ctx.sepc);
    return;
  }
  int from_vs = (v->ctx.sstatus & SSTATUS_SPP) != 0;
  if (decode_system(insn, &s) < 0) {
    inject_illegal(v, insn);
    return;
  }
#if SOL >= 1
  switch (s.kind) {
  case SYS_CSRRW:
  case SYS_CSRRS:
  case SYS_CSRRC:
    emulate_csr(v, &s, insn);
    return;
  case SYS_SRET:
    if (from_vs) {
      emulate_sret(v);
      return;
    }
    break;
  case SYS_WFI:
    if (from_vs) {
      emulate_wfi(v);
      return;
    }
    break;
  case SYS_SFENCE_VMA:
    if (from_vs) {
      emulate_sfence(v, &s);
      return;
    }
    break;
  default:
    break;
  }
  // Hypervisor CSRs, HLV/HSV/HFENCE, and VU-mode privileged instructions
  // do not exist for this guest: illegal instruction (priv spec §2.1).
  inject_illegal(v, insn);
#else
  // Lab 1: decode the instruction (decode.h gives you struct sys_insn),
  // emulate the CSR accesses, SRET, WFI and SFENCE.VMA the trap policy
  // sends here, and turn everything else into an illegal-instruction
  // fault for the guest. Until then the VM stops here.
  (void)from_vs;
  (void)emulate_wfi;
  (void)csr_new_value;
  vm_stop(v->vm, "virtual instruction 0x%08x at pc 0x%lx not emulated (lab 1: csr.c)",
          insn, v->ctx.sepc);
  vm_hint("csr_virtual_insn is still the lab-1 stub: decode the instruction "
          "(decode_system) and emulate it (labs/csr/README.md, task 2)");
#endif
}
