// loader.c: put the guest kernel image into guest RAM. A raw binary goes
// to GPA 0x80200000, where OpenSBI would have jumped (QEMU virt); an ELF
// image (ELF-64 spec, EM_RISCV) is placed at its PT_LOAD physical
// addresses and entered at e_entry. tools/mkbootcfg.py refuses bad images
// before boot; this checks again, because the bytes are still input.
#include "hyp/hyp.h"

#define EM_RISCV 243
#define PT_LOAD  1

struct elf64_ehdr {
  u8  ident[16];
  u16 type, machine;
  u32 version;
  u64 entry, phoff, shoff;
  u32 flags;
  u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
  u32 type, flags;
  u64 offset, vaddr, paddr, filesz, memsz, align;
};

// May [gpa, gpa+len) hold guest code? RAM, below the device tree.
static int loadable(struct vm *vm, u64 gpa, u64 len)
{
  return gmem_is_ram(vm, gpa, len) && gpa + len <= vm->fdt_gpa;
}

// The headers are copied out of the image: e_phoff need not be aligned.
static int load_elf(struct vm *vm, const u8 *image, u64 size)
{
  struct elf64_ehdr eh;
  memset(&eh, 0, sizeof(eh));
  if (size >= sizeof(eh))
    memcpy(&eh, image, sizeof(eh));
  if (size < sizeof(eh) || eh.ident[4] != 2 || eh.ident[5] != 1 ||
      eh.machine != EM_RISCV || eh.phentsize != sizeof(struct elf64_phdr) ||
      eh.phoff > size || (u64)eh.phnum * sizeof(struct elf64_phdr) > size - eh.phoff) {
    printf("hv6: guest image: not a 64-bit little-endian RISC-V ELF\n");
    return -1;
  }
  for (int i = 0; i < eh.phnum; i++) {
    struct elf64_phdr ph;
    memcpy(&ph, image + eh.phoff + i * sizeof(ph), sizeof(ph));
    if (ph.type != PT_LOAD || ph.memsz == 0)
      continue;
    if (ph.filesz > ph.memsz || ph.offset > size ||
        ph.filesz > size - ph.offset || !loadable(vm, ph.paddr, ph.memsz)) {
      printf("hv6: guest image: segment %d (0x%lx, %ld bytes) is outside guest RAM "
             "or overlaps the device tree\n", i, ph.paddr, ph.memsz);
      return -1;
    }
    if (gmem_write(vm, ph.paddr, image + ph.offset, ph.filesz) < 0)
      return -1;
  }
  if (!loadable(vm, eh.entry, 4)) {
    printf("hv6: guest image: entry point 0x%lx is not in guest RAM\n", eh.entry);
    return -1;
  }
  vm->entry = eh.entry;
  return 0;
}

int loader_load(struct vm *vm, const u8 *image, u64 size, u32 kind)
{
  if (kind == BOOTCFG_IMAGE_ELF)
    return load_elf(vm, image, size);
  // The entry point itself must be guest code RAM, even for a tiny image.
  if (kind != BOOTCFG_IMAGE_RAW || size == 0 || !loadable(vm, GUEST_KERNEL_GPA, size < 4 ? 4 : size)) {
    printf("hv6: guest image: %ld bytes do not fit in guest RAM at 0x%lx\n",
           size, GUEST_KERNEL_GPA);
    return -1;
  }
  vm->entry = GUEST_KERNEL_GPA;
  return gmem_write(vm, GUEST_KERNEL_GPA, image, size);
}
