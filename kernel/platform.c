// platform.c: the host board as the device tree describes it, found once
// at boot, and turning it off.
#include "kernel/defs.h"
#include "sbi/calls.h"

struct platform platform;

void platform_init(void *fdt)
{
  struct fdt_dev d;
  if (fdt_init(fdt) < 0 || fdt_memory(&platform.ram_base, &platform.ram_size) < 0) {
    // No console yet: use QEMU virt's UART where it always is.
    uart_init(0x10000000);
    panic("no usable device tree at %p", fdt);
  }
  if (fdt_find_compatible("ns16550a", 0, &d) == 0) {
    platform.uart_base = d.base;
    platform.uart_irq = d.irq;
  }
  if (fdt_find_compatible("riscv,plic0", 0, &d) == 0 ||
      fdt_find_compatible("sifive,plic-1.0.0", 0, &d) == 0)
    platform.plic_base = d.base;
  for (int i = 0; i < (int)NELEM(platform.virtio); i++)
    if (fdt_find_compatible("virtio,mmio", i, &platform.virtio[i]) == 0)
      platform.nvirtio = i + 1;
}

// Stop the whole machine. QEMU exits with status 0, or 1 for a failure
// (OpenSBI's SRST on QEMU's sifive_test device).
void platform_poweroff(int failure)
{
  sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN,
                   failure ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
  for (;;)
    wfi();
}
