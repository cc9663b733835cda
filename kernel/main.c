// main.c: the host kernel's start. OpenSBI enters _entry (entry.S) in
// HS-mode on hart 0; main finds the board, checks for the H-extension,
// sets up memory, traps, timer and interrupts, and hands over to the
// hypervisor (hyp/vm.c), which runs the guest until it stops.
#include "kernel/defs.h"
#include "hyp/bootcfg.h"
#include "hyp/hyp.h"

extern char kernel_end[];

void main(u64 hartid, void *fdt)
{
  platform_init(fdt);
  uart_init(platform.uart.base);
  printf("hv6: hypervisor starting (hart %ld, %ld MiB RAM)\n", hartid,
         platform.mem_size >> 20);
  // The hypervisor extension is the letter h in riscv,isa (priv spec §8).
  if (!fdt_isa_has(platform.isa, "h")) {
    printf("hv6: this CPU has no H-extension (riscv,isa = \"%s\"); "
           "hv6 needs QEMU >= 7.2 with -cpu rv64 (h=true)\n", platform.isa);
    platform_poweroff(1);
  }
  trap_init();
  // The host never runs floating point (-mabi=lp64), but the guest may:
  // with V=1 both sstatus.FS and vsstatus.FS must be non-Off (§8.2.1).
  csr_set(sstatus, SSTATUS_FS);
  kinit((u64)kernel_end, platform.mem_base + platform.mem_size);
  // The boot configuration and guest image sit in host RAM where QEMU's
  // loader put them; keep the allocator off them.
  kalloc_reserve(BOOTCFG_PA, BOOTCFG_MAX);
  kalloc_reserve((u64)fdt, platform.fdt_size);
  timer_init();
  if (platform.plic.base) {
    plic_init(platform.plic.base);
    plic_enable(platform.uart.irq, 1);
    console_intr_on();
    csr_set(sie, SIP_SEIP | SIP_STIP);
  }
  vm_main();
  platform_poweroff(0);
}
