// vtimer.c: the guest's timer, and WFI that blocks.
//
// Guest time is virtual: the guest's `time` CSR reads host time plus
// htimedelta (priv spec §8.2.11), which vcpu.c sets so that the guest's
// clock starts at 0. The guest asks for a timer interrupt with SBI TIME
// set_timer(deadline) (SBI spec v2.0 §6), a deadline in guest time.
//
// The hart has one S-mode timer (kernel/timer.c), and the host may want it
// for its own events too: so it is multiplexed. The host timer is always
// set to the earlier of the host's next event and the vCPU's deadline
// (converted to host time). When it fires we take an exit (scause =
// supervisor timer interrupt) and vtimer_tick() injects VSTIP through
// hvip if the deadline has passed. VSTIP stays pending until the guest
// sets a new deadline (set_timer "clears the pending timer interrupt").
//
// SSTC=1 builds let the guest use Sstc instead: with henvcfg.STCE set
// (vcpu.c) the guest writes stimecmp -- really vstimecmp -- itself and the
// hart raises VSTIP without any exit; set_timer then just writes
// vstimecmp for it.
//
// WFI (with hstatus.VTW, TRAP=all): the vCPU must not run again until one
// of its interrupts is pending and enabled in its sie (WFI ignores
// sstatus.SIE, priv spec §3.3.3). Returning at once would be correct but
// turns an idle guest into a busy loop of exits, so vtimer_wfi() waits in
// the host's own WFI instead. With TRAP=min (VTW=0) the guest's WFI runs
// in hardware: the hart sleeps until any interrupt enabled in (m)ie is
// pending -- the host's timer and external interrupts (which exit) or the
// guest's own VS interrupts.
#include "hyp/hyp.h"
#include "sbi/sbi.h"

#if LAB >= 3

#define VS_IRQS (HIP_VSSIP | HIP_VSTIP | HIP_VSEIP)

static u64 host_deadline = ~0UL;         // host time of the host's own event
static void (*host_fn)(void);

#if SOL >= 3
static u64 vtimer_guest_now(void)
{
  return timer_now() + csr_read(CSR_HTIMEDELTA);
}

// A guest-time deadline in host time: now plus what is left of it, or
// ~0 (never) if that lies beyond the end of host time.
static u64 to_host(u64 guest)
{
  u64 now = timer_now(), gnow = now + csr_read(CSR_HTIMEDELTA);
  if (guest <= gnow)
    return now;
  u64 host = now + (guest - gnow);
  return host < now ? ~0UL : host;
}

// Program the host timer for whichever comes first.
static void program(struct vcpu *v)
{
  u64 vdl = v->timer_deadline == ~0UL ? ~0UL : to_host(v->timer_deadline);
  timer_set(vdl < host_deadline ? vdl : host_deadline);
}

void vtimer_set(struct vcpu *v, u64 deadline)
{
#if SSTC
  if (host_has_sstc) {
    // The hart compares vstimecmp with guest time and raises VSTIP itself.
    csr_write(CSR_VSTIMECMP, deadline);
    v->timer_deadline = deadline;
    return;
  }
#endif
  vcpu_set_irq(v, HIP_VSTIP, 0);
  v->timer_deadline = deadline;
  if (deadline != ~0UL && vtimer_guest_now() >= deadline) {
    vcpu_set_irq(v, HIP_VSTIP, 1);        // in the past (or 0): at once
    v->timer_deadline = ~0UL;
  }
  program(v);
}

void vtimer_tick(struct vcpu *v)
{
  if (v->timer_deadline != ~0UL && vtimer_guest_now() >= v->timer_deadline) {
    vcpu_set_irq(v, HIP_VSTIP, 1);
    v->timer_deadline = ~0UL;             // fired; pending until the next set_timer
  }
  if (host_deadline != ~0UL && timer_now() >= host_deadline) {
    void (*fn)(void) = host_fn;
    host_deadline = ~0UL;
    host_fn = 0;
    if (fn)
      fn();
  }
  program(v);   // also clears the host's STIP until the next event
}

// The host's own timer event (one slot): fn runs at host time `when`.
void vtimer_host_event(u64 when, void (*fn)(void))
{
  host_deadline = when;
  host_fn = fn;
  program(&the_vm.vcpu);
}

// Pending and enabled for the guest: hip's VS bits (hvip, and with Sstc
// the vstimecmp comparison) against its sie (vsie bit i = hie bit i+1).
static int vintr_pending(void)
{
  return (csr_read(CSR_HIP) & (csr_read(CSR_VSIE) << 1) & VS_IRQS) != 0;
}

void vtimer_wfi(struct vcpu *v)
{
  struct vm *vm = v->vm;
  while (vm->state == VM_RUNNING && !vintr_pending()) {
    // sstatus.SIE is 0: WFI still wakes when an interrupt enabled in sie
    // (the host's timer and external interrupts) or in hie (the guest's)
    // is pending, and we handle it here by polling instead of trapping.
    wfi();
    u64 sip = csr_read(sip);
    if (sip & SIP_STIP) {
      vm->exits[EXIT_TIMER]++;
      vtimer_tick(v);
    }
    if (sip & SIP_SEIP) {
      vm->exits[EXIT_EXTIRQ]++;
      hostirq_handle(v);        // which opens the monitor on its key
    }
  }
}
#else
// Lab 3: set_timer and the timer multiplexing, the tick that injects
// VSTIP, and a WFI that blocks. Until then the guest's timer never fires
// and WFI returns at once (correct, but an idle guest spins).
void vtimer_set(struct vcpu *v, u64 deadline)
{
  v->timer_deadline = deadline;
}

void vtimer_tick(struct vcpu *v)
{
  (void)v;
  timer_set(~0UL);
}

void vtimer_host_event(u64 when, void (*fn)(void))
{
  host_deadline = when;
  host_fn = fn;
}

void vtimer_wfi(struct vcpu *v)
{
  (void)v, (void)host_deadline, (void)host_fn;
}
#endif

// SBI TIME (SBI spec v2.0 §6): set_timer(stime_value), one 64-bit argument.
void sbi_time(struct vcpu *v, long fid)
{
  if (fid != SBI_TIME_SET_TIMER) {
    sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
    return;
  }
  vtimer_set(v, SBI_ARG(v, 0));
  sbi_ret(v, SBI_SUCCESS, 0);
}

#endif
