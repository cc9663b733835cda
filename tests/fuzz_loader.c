// fuzz_loader.c: libFuzzer target for the guest image loader
// (hyp/loader.c loader_load), whose input is the guest image in the boot
// configuration: raw bytes or an ELF file, neither trusted. The VM is a
// fake with the real G-stage code (hyp/stage2.c, hyp/gmem.c), every
// guest page its own ASan-fenced heap block.
// Input: 1 byte (image kind, RAM size), then the image. The image is
// copied into a heap block of exactly its size, so reading past it is
// an ASan error.
// Invariants: loader_load succeeds or fails without touching anything
// outside the image and guest RAM; on success the entry point is guest
// RAM below the device tree, and every PT_LOAD segment's file bytes are
// in guest RAM at its physical address (a raw image at 0x80200000).
// SOURCES: hyp/loader.c hyp/gmem.c hyp/stage2.c hyp/vswalk.c tests/fake_host.c lib/crc32.c lib/string.c
// LAB: 1
#include "hyp/hyp.h"
#include "tests/fake_host.h"
#include "tests/fuzz.h"

void vm_stop(struct vm *vm, const char *fmt, ...) { (void)fmt; vm->state = VM_STOPPED; }
void mmio_fault(struct vcpu *v, u64 gpa) { (void)v, (void)gpa; }

static struct vm vm;

static int check_bytes(u64 gpa, const u8 *src, u64 n)
{
  u8 buf[4096];
  for (u64 done = 0; done < n; ) {
    u64 k = n - done < sizeof(buf) ? n - done : sizeof(buf);
    if (gmem_read(&vm, gpa + done, buf, k) < 0 || memcmp(buf, src + done, k) != 0)
      return -1;
    done += k;
  }
  return 0;
}

static u64 rd(const u8 *p, int n) { u64 v = 0; memcpy(&v, p, n); return v; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  u8 sel = data[0];
  size--;
  u8 *image = malloc(size ? size : 1);
  memcpy(image, data + 1, size);
  fake_quiet = 1;
  memset(&vm, 0, sizeof(vm));
  vm.ram_size = (sel & 0x40) ? (4UL << 20) : (8UL << 20);
  vm.fdt_gpa = GUEST_RAM_BASE + vm.ram_size - GUEST_FDT_SIZE;
  fake_kalloc_limit = 1L << 20;
  FUZZ_CHECK(stage2_init(&vm) == 0, "stage2_init");
  u32 kind = (sel & 0x80) ? sel & 3 : BOOTCFG_IMAGE_ELF;

  int r = loader_load(&vm, image, size, kind);
  FUZZ_CHECK(r == 0 || r == -1, "loader_load = %d", r);
  if (r == 0) {
    FUZZ_CHECK(vm.entry >= GUEST_RAM_BASE && vm.entry + 4 <= vm.fdt_gpa,
               "entry 0x%lx outside guest code RAM", (unsigned long)vm.entry);
    if (kind == BOOTCFG_IMAGE_RAW) {
      FUZZ_CHECK(kind == BOOTCFG_IMAGE_RAW && vm.entry == GUEST_KERNEL_GPA &&
                 check_bytes(GUEST_KERNEL_GPA, image, size) == 0, "raw image not in RAM");
    } else {
      FUZZ_CHECK(kind == BOOTCFG_IMAGE_ELF, "kind %u loaded", kind);
      // An independent walk of the program headers, by byte offsets.
      u64 phoff = rd(image + 32, 8);
      u16 phnum = rd(image + 56, 2);
      for (u32 i = 0; i < phnum; i++) {
        const u8 *ph = image + phoff + 56 * i;
        u32 type = rd(ph, 4);
        u64 off = rd(ph + 8, 8), paddr = rd(ph + 24, 8), filesz = rd(ph + 32, 8),
            memsz = rd(ph + 40, 8);
        if (type != 1 || memsz == 0)
          continue;
        FUZZ_CHECK(paddr >= GUEST_RAM_BASE && paddr - GUEST_RAM_BASE <= vm.ram_size &&
                   memsz <= vm.fdt_gpa - paddr && filesz <= memsz && off <= size &&
                   filesz <= size - off, "segment %u accepted: 0x%lx+0x%lx", i,
                   (unsigned long)paddr, (unsigned long)memsz);
        // Later segments may overwrite earlier ones; check the last one fully.
        if (i + 1 == phnum)
          FUZZ_CHECK(check_bytes(paddr, image + off, filesz) == 0, "segment %u bytes", i);
      }
    }
  }
  FUZZ_CHECK(vm.pages <= vm.ram_size / PGSIZE, "pages");
  stage2_destroy(&vm);
  FUZZ_CHECK(fake_kalloc_used == 0, "%ld pages leaked", fake_kalloc_used);
  free(image);
  return 0;
}
