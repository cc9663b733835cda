// exit.c: the exit dispatcher. After vmentry.S has saved the guest, read
// why it left (scause, priv spec §8.6.1 / Table 8.6) and hand the exit to
// the code that emulates it. Interrupts here are the host's own (timer,
// console, disks), taken while the guest ran.
#include "hyp/hyp.h"
#if LAB >= 5
#include "hyp/snapstore.h"
#endif

static const char *reason_names[EXIT_NR] = {
  [EXIT_SBI] = "sbi", [EXIT_CSR] = "csr", [EXIT_SRET] = "sret",
  [EXIT_WFI] = "wfi", [EXIT_SFENCE] = "sfence", [EXIT_ILLEGAL] = "illegal",
  [EXIT_RAMFAULT] = "ramfault", [EXIT_MMIO] = "mmio", [EXIT_ACCESS] = "accessfault",
  [EXIT_TIMER] = "timer", [EXIT_EXTIRQ] = "extirq", [EXIT_SOFTIRQ] = "softirq",
  [EXIT_OTHER] = "other",
};

const char *exit_reason_name(enum exit_reason r)
{
  return r < EXIT_NR ? reason_names[r] : "?";
}

static void interrupt(struct vcpu *v, u64 code)
{
  struct vm *vm = v->vm;
  switch (code) {
  case IRQ_S_TIMER:
    vm->exits[EXIT_TIMER]++;
#if LAB >= 3
    vtimer_tick(v);
#else
    timer_set(~0UL);
#endif
    return;
  case IRQ_S_EXT:
    vm->exits[EXIT_EXTIRQ]++;
    hostirq_handle(v);
    return;
  case IRQ_S_SOFT:
    vm->exits[EXIT_SOFTIRQ]++;
    csr_clear(sip, SIP_SSIP);
    return;
  }
  vm->exits[EXIT_OTHER]++;
  vm_stop(vm, "unexpected host interrupt %ld", code);
  vm_hint("hv6 takes only the host's timer, external and software interrupts "
          "(interrupt() above): which code enabled interrupt %ld in sie?", code);
}

static inline __attribute__((always_inline)) void dispatch(struct vcpu *v)
{
  // SBI calls first: the commonest exit of all (console, timer, IPIs).
  if (v->scause == EXC_ECALL_VS) {
    sbi_handle_ecall(v);
    return;
  }
  if (v->scause & SCAUSE_INTR) {
    interrupt(v, v->scause & ~SCAUSE_INTR);
    return;
  }
  switch (v->scause) {
  case EXC_VIRTUAL_INST:
    csr_virtual_insn(v);
    return;
  case EXC_INST_GUEST_PAGE_FAULT:
  case EXC_LOAD_GUEST_PAGE_FAULT:
  case EXC_STORE_GUEST_PAGE_FAULT:
    // Only a guest-page fault sets htval and htinst (§8.6.3); reading
    // them for every exit would cost the commoner exits for nothing.
    v->htval = csr_read(CSR_HTVAL);
    v->htinst = csr_read(CSR_HTINST);
    stage2_fault(v);
    return;
  }
  // Everything else the guest owns is delegated in hedeleg (vcpu.c) and
  // never gets here; what does is a cause we do not handle.
  v->vm->exits[EXIT_OTHER]++;
  vm_stop(v->vm, "unhandled exit: %s (scause %ld) at guest pc 0x%lx",
          scause_name(v->scause), v->scause, v->ctx.sepc);
  if (v->scause <= EXC_STORE_PAGE_FAULT)
    vm_hint("a guest kernel handles %s itself on real hardware: hedeleg (0x%lx) "
            "does not delegate it -- see HEDELEG_GUEST in vcpu.c",
            scause_name(v->scause), csr_read(CSR_HEDELEG));
}

// With `trace` on (tools/run.py --trace, the monitor): a line for the
// exit, and one for how it ended. (Its own function, so that an exit
// without it asks once.)
static __attribute__((noinline)) void dispatch_traced(struct vcpu *v)
{
  trace_before(v);
  dispatch(v);
  trace_after(v);
}

// Every exit: trap_vector (kernel/vmentry.S) has saved the guest's
// registers in ctx and jumps here, on the host's stack. This never
// returns: it goes straight back into the guest, or, when the VM has
// stopped, makes vcpu_enter return to vcpu_run.
void exit_handle(struct context *ctx)
{
  struct vcpu *v = (struct vcpu *)ctx;   // ctx is struct vcpu's first member
  struct vm *vm = v->vm;
  v->scause = csr_read(scause);
  v->stval = csr_read(stval);
  if (vm->trace)
    dispatch_traced(v);
  else
    dispatch(v);
#if LAB >= 5
  if (vm->restore_pending)
    snapshot_poll(vm);        // a restore the monitor validated
#endif
  if (vm->state != VM_RUNNING)
    vcpu_leave(ctx);
  vcpu_resume(ctx);
}
