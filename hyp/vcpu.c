// vcpu.c: a virtual hart. vcpu_init puts it in the state a kernel
// expects from OpenSBI (VS-mode at the entry point, a0 = hartid 0,
// a1 = the device tree) and sets the H-extension CSRs that decide what
// traps (the trap policy); vcpu_run enters it until the VM stops (each
// exit is exit.c's business).
#include "hyp/hyp.h"

// Exceptions the guest handles itself without an exit (hedeleg, priv
// spec §8.2.2): everything a guest kernel owns on real hardware.
#define HEDELEG_GUEST ((1UL << EXC_INST_MISALIGNED) | (1UL << EXC_INST_ACCESS) | \
  (1UL << EXC_ILLEGAL_INST) | (1UL << EXC_BREAKPOINT) | \
  (1UL << EXC_LOAD_MISALIGNED) | (1UL << EXC_LOAD_ACCESS) | \
  (1UL << EXC_STORE_MISALIGNED) | (1UL << EXC_STORE_ACCESS) | \
  (1UL << EXC_ECALL_U) | (1UL << EXC_INST_PAGE_FAULT) | \
  (1UL << EXC_LOAD_PAGE_FAULT) | (1UL << EXC_STORE_PAGE_FAULT))

// Virtual interrupts go to VS-mode as its S-level ones (hideleg, §8.2.2).
#define HIDELEG_GUEST (HIP_VSSIP | HIP_VSTIP | HIP_VSEIP)

// The trap policy (csr.c). TRAP=all: SRET (VTSR), satp and SFENCE.VMA
// (VTVM), WFI (VTW) and the counters cycle, time and instret all trap.
// hv6 does not virtualize the performance-monitoring counters
// (hpmcounter3-31), so they stay readable as on the bare board.
#if TRAP_ALL
#define HSTATUS_POLICY (HSTATUS_VTSR | HSTATUS_VTVM | HSTATUS_VTW)
#define HCOUNTEREN_POLICY (~(COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR))
#else
#define HSTATUS_POLICY 0UL
#define HCOUNTEREN_POLICY (~0UL)
#endif

void vcpu_init(struct vcpu *v, struct vm *vm)
{
  memset(v, 0, sizeof(*v));
  v->vm = vm;
  v->timer_deadline = ~0UL;
  v->ctx.sepc = vm->entry;
  v->ctx.x[10] = 0;              // a0: hartid
  v->ctx.x[11] = vm->fdt_gpa;    // a1: device tree
  v->ctx.sstatus = SSTATUS_SPP | SSTATUS_FS;
  v->ctx.hstatus = HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VSXL_64 | HSTATUS_POLICY;

  csr_write(CSR_HEDELEG, HEDELEG_GUEST);
  csr_write(CSR_HIDELEG, HIDELEG_GUEST);
  csr_write(CSR_HCOUNTEREN, HCOUNTEREN_POLICY);
  csr_write(CSR_HVIP, 0);
  csr_write(CSR_HIE, 0);
  csr_write(CSR_HGATP, stage2_hgatp(vm));
  hfence_gvma_all();
  // The guest's clock starts at 0 when it boots, as on a fresh board.
  csr_write(CSR_HTIMEDELTA, -timer_now());
#if SSTC
  csr_write(CSR_HENVCFG, host_has_sstc ? ENVCFG_STCE : 0);
  if (host_has_sstc)
    csr_write(CSR_VSTIMECMP, ~0UL);
#else
  csr_write(CSR_HENVCFG, 0);
#endif
  // A fresh hart: the VS CSRs hold nothing of a previous boot.
  csr_write(CSR_VSSTATUS, 0);
  csr_write(CSR_VSIE, 0);
  csr_write(CSR_VSTVEC, 0);
  csr_write(CSR_VSSCRATCH, 0);
  csr_write(CSR_VSEPC, 0);
  csr_write(CSR_VSCAUSE, 0);
  csr_write(CSR_VSTVAL, 0);
  csr_write(CSR_VSATP, 0);
  csr_write(CSR_SCOUNTEREN, 0);
}

// Run the guest until the VM stops. vcpu_enter (kernel/vmentry.S) returns
// only when exit_handle (exit.c) says the VM stopped; after every other
// exit the assembly goes straight back into the guest.
void vcpu_run(struct vcpu *v)
{
  struct vm *vm = v->vm;
  vm->state = VM_RUNNING;
  vm->trace = vm->cfg && (vm->cfg->flags & BOOTCFG_F_TRACE);
  vm->no_htval = vm->cfg && (vm->cfg->flags & BOOTCFG_F_NO_HTVAL);
  if (vm->cfg && (vm->cfg->flags & BOOTCFG_F_MONITOR))
    monitor_run(vm, "boot");
  if (vm->state == VM_RUNNING)
    vcpu_enter(&v->ctx);
}
