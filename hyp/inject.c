// inject.c: make the guest take an exception, as the hart would have
// trapped into S-mode on a machine without the H-extension (priv spec
// §4.1.1-§4.1.9, applied to the VS CSRs of §8.2.11): save pc in vsepc,
// cause and value in vscause/vstval, push SIE into SPIE and the previous
// privilege into SPP, and continue at vstvec in VS-mode.
#include "hyp/hyp.h"

void inject_exception(struct vcpu *v, u64 cause, u64 tval)
{
#if SOL >= 1
  u64 vstvec = csr_read(CSR_VSTVEC);
  if ((vstvec & ~3UL) == 0) {
    vm_stop(v->vm, "guest took %s (scause %ld) at pc 0x%lx with vstvec unset",
            scause_name(cause), cause, v->ctx.sepc);
    vm_hint("the guest has no trap handler (vstvec = 0). guest-os sets stvec in "
            "trapinit(), after its first printf: an exception before that is "
            "likely hv6's doing (see the last exit)");
    return;
  }
  u64 vsstatus = csr_read(CSR_VSSTATUS);
  int from_vs = (v->ctx.sstatus & SSTATUS_SPP) != 0;
  vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
  if (from_vs)
    vsstatus |= SSTATUS_SPP;
  if (vsstatus & SSTATUS_SIE)
    vsstatus |= SSTATUS_SPIE;
  vsstatus &= ~SSTATUS_SIE;
  csr_write(CSR_VSSTATUS, vsstatus);
  csr_write(CSR_VSEPC, v->ctx.sepc);
  csr_write(CSR_VSCAUSE, cause);
  csr_write(CSR_VSTVAL, tval);
  // Synchronous exceptions always go to the vector base (§4.1.2).
  v->ctx.sepc = vstvec & ~3UL;
  v->ctx.sstatus |= SSTATUS_SPP;
#else
  // Lab 1: do what the hart does when it traps into S-mode, on the VS
  // CSRs (vsepc, vscause, vstval, vsstatus.SPP/SPIE/SIE), and resume the
  // guest at its vstvec in VS-mode. Stop the VM if vstvec is unset.
  vm_stop(v->vm, "cannot inject %s (scause %ld) at guest pc 0x%lx: "
          "inject_exception is not written yet (lab 1: inject.c)",
          scause_name(cause), cause, v->ctx.sepc);
  vm_hint("the guest must take this exception as on a machine without H: "
          "write inject_exception (labs/csr/README.md, task 3)");
  (void)tval;
#endif
}

// What a machine without the H-extension does for an instruction that
// does not exist for the current privilege: illegal instruction, with
// the instruction bits in stval (QEMU writes them, as most cores do).
void inject_illegal(struct vcpu *v, u32 insn)
{
  v->vm->exits[EXIT_ILLEGAL]++;
  inject_exception(v, EXC_ILLEGAL_INST, insn);
}
