// timer.c: the host's one timer. With Sstc (priv spec: "Sstc" extension,
// stimecmp) the host writes stimecmp itself; without it, it asks OpenSBI
// (SBI TIME set_timer). hyp/vtimer.c multiplexes the vCPU deadlines on it.
#include "kernel/defs.h"
#include "sbi/calls.h"

int host_has_sstc;
static u64 freq;

// Does the ISA string name an extension, e.g. "_sstc"? (multi-letter
// extensions are '_'-separated, riscv,isa binding.)
static int isa_has(const char *isa, const char *ext)
{
  size_t n = strlen(ext);
  for (const char *p = isa; *p; p++)
    if (*p == '_' && strncmp(p + 1, ext, n) == 0 && (p[n + 1] == '_' || p[n + 1] == 0))
      return 1;
  return 0;
}

void timer_init(void)
{
  freq = fdt_timebase();
  if (freq == 0)
    freq = 10000000;   // QEMU virt's timebase
  host_has_sstc = isa_has(fdt_isa(), "sstc");
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
