// main.c: the guest OS's C entry point, called by entry.S on the boot
// stack with interrupts off and paging off.
#include "guest-os/defs.h"

struct fdt_info plat;   // the machine, as its device tree describes it

void
main(u64 hartid, u64 fdt)
{
  consinit();
  printf("hv6-guest: booting on hart %d\n", (int)hartid);
  const char *why;
  if (fdt_parse((const void *)fdt, &plat, &why) < 0)
    panic("device tree at 0x%lx: %s", fdt, why);
  trapinit();
  // Floating point stays off (sstatus.FS = Off, priv spec §3.1.6.6): the
  // guest does not use it, and a fixed FS keeps the CSR sweeps
  // deterministic whatever the firmware or hypervisor left there.
  csr_clear(sstatus, SSTATUS_FS);
  kvminit();
  uvminit();
#if LAB >= 3
  timerinit();
  plicinit();
#endif
  shell(plat.bootargs);
}
