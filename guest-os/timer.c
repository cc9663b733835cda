// timer.c: the guest's periodic timer tick (lab 3). The tick comes from
// Sstc (stimecmp) when the device tree's riscv,isa names it, else from
// SBI TIME set_timer (SBI spec v2.0 §6), else there is no tick. Time is
// the `time` CSR in timebase units (/cpus timebase-frequency); under hv6
// it is the VM's virtual time.
//
// The tick is off until a command starts it (timer_start), so that the
// other self-tests see exactly the machine state they expect.
#include "guest-os/defs.h"
#include "sbi/ecall.h"

#if LAB >= 3

volatile u64 ticks;          // ticks since timer_start
static u64 interval, next;   // timebase units per tick; deadline of the next tick
static int source;           // TIMER_NONE, TIMER_SBI or TIMER_SSTC
static void (*tick_hook)(void);

void
timerinit(void)
{
  if (plat.timebase == 0)
    plat.timebase = 10000000;
  if (fdt_isa_has(plat.isa, "sstc"))
    source = TIMER_SSTC;
  else if (sbi_probe_extension(SBI_EXT_TIME))
    source = TIMER_SBI;
  trap_set_irq_handler(IRQ_S_TIMER, timer_intr);
}

int
timer_source(void)
{
  return source;
}

u64
timer_now(void)
{
  return csr_read(time);
}

// Ask for a timer interrupt at time t (~0: none); also clears a pending one.
void
timer_set(u64 t)
{
  if (source == TIMER_SSTC)
    csr_write(CSR_STIMECMP, t);
  else if (source == TIMER_SBI)
    sbi_set_timer(t);
}

// The periodic tick: hz ticks per second, hook() after each (or none).
// Returns -1 if there is no timer, or if the first tick does not come
// within ten intervals and a second (a broken timer must not hang a WFI
// forever; the second is for a loaded host, where QEMU may stall for a
// tenth of a second and see the deadline pass before its interrupt).
int
timer_start(int hz, void (*hook)(void))
{
  if (source == TIMER_NONE)
    return -1;
  interval = plat.timebase / hz;
  tick_hook = 0;
  ticks = 0;
  next = timer_now() + interval;
  timer_set(next);
  csr_set(sie, SIP_STIP);
  u64 s = csr_read(sstatus), end = timer_now() + 10 * interval + plat.timebase;
  csr_set(sstatus, SSTATUS_SIE);
  while (ticks == 0 && timer_now() < end)
    ;
  if (!(s & SSTATUS_SIE))
    csr_clear(sstatus, SSTATUS_SIE);
  if (ticks == 0) {
    timer_stop();
    return -1;
  }
  ticks = 0;
  tick_hook = hook;
  return 0;
}

void
timer_stop(void)
{
  csr_clear(sie, SIP_STIP);
  interval = 0;
  tick_hook = 0;
  timer_set(~0UL);
}

// The deadline of the next tick.
u64
timer_next(void)
{
  return next;
}

u64
timer_interval(void)
{
  return interval;
}

// The next deadline is the previous one plus the interval, so ticks do
// not drift with the interrupt latency; after a long delay (more than ten
// ticks missed) it starts again from now instead of catching up.
void
timer_intr(void)
{
  if (interval == 0) {
    timer_set(~0UL);
    return;
  }
  ticks++;
  next += interval;
  u64 now = timer_now();
  if (now > next + 10 * interval)
    next = now + interval;
  timer_set(next);
  if (tick_hook)
    tick_hook();
}

// Wait with interrupts enabled until cond() holds (WFI between checks).
void
wait_until(int (*cond)(void))
{
  u64 s = csr_read(sstatus);
  for (;;) {
    csr_clear(sstatus, SSTATUS_SIE);
    if (cond())
      break;
    wfi();                   // wakes on a pending enabled interrupt even with SIE=0
    csr_set(sstatus, SSTATUS_SIE);   // take it
  }
  if (!(s & SSTATUS_SIE))
    csr_clear(sstatus, SSTATUS_SIE);
}

#endif
