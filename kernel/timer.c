// timer.c: the host's one timer. With Sstc (priv spec: "Sstc" extension,
// stimecmp) the host writes stimecmp itself; without it, it asks OpenSBI
// (SBI TIME set_timer). hyp/vtimer.c multiplexes the vCPU deadlines on it.
#include "kernel/defs.h"
#include "sbi/calls.h"

int host_has_sstc;
static u64 freq;

void timer_init(void)
{
  freq = platform.timebase;
  if (freq == 0)
    freq = 10000000;   // QEMU virt's timebase
  host_has_sstc = fdt_isa_has(platform.isa, "sstc");
  timer_set(~0UL);
}

u64 timer_now(void)
{
  return csr_read(time);
}

u64 timer_freq(void)
{
  return freq;
}

void timer_set(u64 deadline)
{
  if (host_has_sstc)
    csr_write(CSR_STIMECMP, deadline);
  else
    sbi_set_timer(deadline);
}
