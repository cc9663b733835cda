// vm.c: a virtual machine's life. vm_main reads the boot configuration
// that tools/mkbootcfg.py wrote, creates the VM (G-stage tables, guest
// RAM, the image, the device tree), runs its vCPU until the guest shuts
// down, reboots or has to be stopped, and reports the exit counters.
#include "hyp/hyp.h"
#if LAB >= 5
#include "hyp/snapstore.h"
#endif

struct vm the_vm;

// The boot configuration is command-line input: check all of it before
// anything depends on it.
static const struct bootcfg *bootcfg_check(void)
{
  const struct bootcfg *cfg = (const struct bootcfg *)BOOTCFG_PA;
  if (memcmp(cfg->magic, BOOTCFG_MAGIC, 8) != 0) {
    printf("hv6: no guest: nothing valid at %p (run hv6 through tools/run.py, "
           "e.g. make qemu)\n", (void *)BOOTCFG_PA);
    return 0;
  }
  struct bootcfg hdr = *cfg;
  hdr.hdr_crc32 = 0;
  if (cfg->version != BOOTCFG_VERSION || cfg->hdr_size != BOOTCFG_HDR_SIZE ||
      crc32(0, &hdr, sizeof(hdr)) != cfg->hdr_crc32) {
    printf("hv6: boot configuration is corrupt or from another hv6 version\n");
    return 0;
  }
  if (cfg->image_size == 0 || cfg->image_size > BOOTCFG_MAX - BOOTCFG_HDR_SIZE ||
      crc32(0, (const u8 *)cfg + BOOTCFG_HDR_SIZE, cfg->image_size) != cfg->image_crc32) {
    printf("hv6: guest image is missing or corrupt\n");
    return 0;
  }
  if (cfg->guest_mem < (4UL << 20) || cfg->guest_mem > (1UL << 32) ||
      cfg->guest_mem % (2UL << 20)) {
    printf("hv6: GUEST_MEM must be a multiple of 2 MiB from 4 MiB to 4 GiB\n");
    return 0;
  }
  // The strings go to the guest's DT and to the snapshot code as C strings.
  if (strnlen(cfg->bootargs, sizeof(cfg->bootargs)) == sizeof(cfg->bootargs) ||
      strnlen(cfg->restore, sizeof(cfg->restore)) == sizeof(cfg->restore) ||
      strnlen(cfg->disk_id, sizeof(cfg->disk_id)) == sizeof(cfg->disk_id)) {
    printf("hv6: boot configuration string without its NUL (bootargs, restore or disk id)\n");
    return 0;
  }
  return cfg;
}

int vm_create(struct vm *vm, const struct bootcfg *cfg)
{
  memset(vm, 0, sizeof(*vm));
  vm->cfg = cfg;
  vm->ram_size = cfg->guest_mem;
  vm->vmid = 1;
  vm->fdt_gpa = GUEST_RAM_BASE + vm->ram_size - GUEST_FDT_SIZE;
  if (stage2_init(vm) < 0) {
    printf("hv6: not enough host memory for a %ld MiB guest\n", vm->ram_size >> 20);
    return -1;
  }
#if LAB >= 2
  vuart_init(vm);
#endif
#if LAB >= 3
  vplic_init(vm);
#endif
  const u8 *image = (const u8 *)cfg + BOOTCFG_HDR_SIZE;
  if (loader_load(vm, image, cfg->image_size, cfg->image_kind) < 0)
    return -1;
  static u8 fdt[16384];
  int n = fdt_generate(vm, fdt, sizeof(fdt));
  if (n < 0 || gmem_write(vm, vm->fdt_gpa, fdt, n) < 0) {
    printf("hv6: cannot build the guest device tree\n");
    return -1;
  }
#if LAB >= 4
  vblkdev_create(vm);
#endif
  vcpu_init(&vm->vcpu, vm);
  return 0;
}

static void stop(struct vm *vm, const char *fmt, va_list ap)
{
  printf("hv6: vm stopped: ");
  vprintf(fmt, ap);
  printf("\n");
  vm->state = VM_STOPPED;
}

// Stop the VM (not the host) with a one-line diagnostic: the exit the
// vCPU is handling led here, so print it decoded (diag.c). The caller
// may add the likely mistake with vm_hint.
void vm_stop(struct vm *vm, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  stop(vm, fmt, ap);
  va_end(ap);
  diag_exit(&vm->vcpu, "hv6:   ");
}

// Stop the VM between exits, for a reason of the host's (the monitor's
// quit, a snapshot restore that failed midway): the vCPU's last exit has
// nothing to do with it and is not printed.
void vm_halt(struct vm *vm, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  stop(vm, fmt, ap);
  va_end(ap);
}

void vm_print_exits(struct vm *vm)
{
  u64 total = 0;
  printf("hv6: exits:");
  for (int r = 0; r < EXIT_NR; r++) {
    total += vm->exits[r];
    if (vm->exits[r])
      printf(" %s=%ld", exit_reason_name(r), vm->exits[r]);
  }
  printf(" total=%ld\n", total);
}

void vm_main(void)
{
  const struct bootcfg *cfg = bootcfg_check();
  if (cfg == 0)
    platform_poweroff(1);
  struct vm *vm = &the_vm;
#if LAB >= 5
  int first = 1;
#endif
  for (;;) {
    if (vm_create(vm, cfg) < 0)
      platform_poweroff(1);
#if LAB >= 5
    // make qemu RESTORE=name: resume a snapshot instead of booting (only
    // on the first boot; a guest reboot boots afresh). Refused = power off.
    snapshot_vm_reset(vm);
    if (first && cfg->restore[0]) {
      first = 0;
      if (snapshot_boot_restore(vm) < 0)
        platform_poweroff(1);
    } else
#endif
    printf("hv6: booting guest (%ld MiB RAM, trap policy %s)\n",
           vm->ram_size >> 20, TRAP_ALL ? "all" : "min");
    vcpu_run(&vm->vcpu);
    vm_print_exits(vm);
    printf("hv6: guest memory: %ld of %ld pages backed (%ld KiB of %ld MiB)\n", vm->pages,
           vm->ram_size / PGSIZE, vm->pages * (PGSIZE >> 10), vm->ram_size >> 20);
    if (vm->state != VM_REBOOT)
      break;
    printf("hv6: guest reboot\n");
    stage2_destroy(vm);
  }
  platform_poweroff(vm->state == VM_STOPPED);
}
