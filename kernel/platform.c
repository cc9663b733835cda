// platform.c: the host board as the device tree describes it, found once
// at boot, and turning it off.
#include "kernel/defs.h"
#include "sbi/calls.h"

struct fdt_info platform;

void platform_init(void *fdt)
{
  const char *why;
  if (fdt_parse(fdt, &platform, &why) < 0) {
    // No console yet: use QEMU virt's UART where it always is.
    uart_init(0x10000000);
    panic("device tree at %p: %s", fdt, why);
  }
}

// Stop the whole machine. A failure is passed on as the SRST reason, but
// QEMU 7.2's OpenSBI powers off the same way for both (QEMU exits with
// status 0): tools read the hv6: lines on the console, not the status.
void platform_poweroff(int failure)
{
  sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN,
                   failure ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
}
