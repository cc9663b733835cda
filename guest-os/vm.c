// vm.c: the guest's own Sv39 page table (priv spec v1.12 §4.4).
//
// One page table, shared by S-mode and the U-mode test programs:
//  - RAM is identity-mapped read-write, with 2 MiB pages where the range
//    allows (§4.4.1: any level may hold a leaf), except the kernel image,
//    mapped with 4 KiB pages so text is read-execute and the run-time code
//    buffer (.jit) is the only writable and executable memory;
//  - the devices found in the device tree are identity-mapped read-write;
//  - everything else is unmapped, so stray pointers fault.
// A and D are set in every leaf so that no access depends on whether the
// (possibly virtual) hardware updates them or raises a page fault (§4.3.1).
#include "guest-os/defs.h"

extern char _entry[], etext[], jit[], ejit[], end[];

#define LEVELSHIFT(l) (PGSHIFT + 9 * (l))
#define LEVELSIZE(l)  (1UL << LEVELSHIFT(l))
#define VPN(va, l)    (((va) >> LEVELSHIFT(l)) & 0x1ff)

static u64 ptpool[NPTPAGES][512] __attribute__((aligned(PGSIZE)));
static int ptused;
static u64 *root;

// Next free RAM page after the image, skipping the device tree.
static u64 freepage;

void *
kalloc_page(void)
{
  for (;;) {
    u64 pa = freepage;
    if (pa + PGSIZE > plat.mem_base + plat.mem_size)
      panic("kalloc_page: out of memory");
    freepage += PGSIZE;
    if (pa + PGSIZE <= plat.fdt_base || pa >= plat.fdt_base + plat.fdt_size) {
      memset((void *)pa, 0, PGSIZE);
      return (void *)pa;
    }
  }
}

// The end of the RAM below the device tree, which both QEMU (natively)
// and hv6 put at the top of RAM: where the allocator, going upwards from
// the image, comes last.
u64
ram_top(void)
{
  u64 end = plat.mem_base + plat.mem_size;
  if (plat.fdt_base >= plat.mem_base && plat.fdt_base < end)
    end = plat.fdt_base;
  return end;
}

static u64 *
ptalloc(void)
{
  if (ptused == NPTPAGES)
    panic("vm: out of page-table pages");
  return ptpool[ptused++];
}

// The PTE that maps va at `level` (2 = 1 GiB, 1 = 2 MiB, 0 = 4 KiB),
// creating missing tables if alloc. Returns NULL if a table is missing
// and !alloc, or if a larger leaf already covers va.
u64 *
walk(u64 va, int level, int alloc)
{
  u64 *pt = root;
  for (int l = 2; l > level; l--) {
    u64 *pte = &pt[VPN(va, l)];
    if (*pte & PTE_V) {
      if (*pte & (PTE_R | PTE_W | PTE_X))
        return NULL;
    } else {
      if (!alloc)
        return NULL;
      *pte = PA2PTE(ptalloc()) | PTE_V;
    }
    pt = (u64 *)PTE2PA(*pte);
  }
  return &pt[VPN(va, level)];
}

void
vm_map_page(u64 va, u64 pa, int level, u64 perm)
{
  u64 *pte = walk(va, level, 1);
  if (pte == NULL)
    panic("vm_map_page: 0x%lx is inside a larger page", va);
  *pte = PA2PTE(pa) | perm | PTE_A | PTE_D | PTE_V;
  // Even a newly valid PTE needs a fence before use (§4.2.1).
  asm volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}

void
vm_unmap_page(u64 va, int level)
{
  u64 *pte = walk(va, level, 0);
  if (pte)
    *pte = 0;
  asm volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}

// Map [va, va+size) to [pa, pa+size) with the largest pages that fit.
void
vm_map(u64 va, u64 pa, u64 size, u64 perm)
{
  u64 endva = va + ROUNDUP(size, PGSIZE);
  while (va < endva) {
    int l = 2;
    while (l > 0 && ((va | pa) & (LEVELSIZE(l) - 1) || endva - va < LEVELSIZE(l)))
      l--;
    vm_map_page(va, pa, l, perm);
    va += LEVELSIZE(l);
    pa += LEVELSIZE(l);
  }
}

void
kvminit(void)
{
  u64 kbase = (u64)_entry, kend = ROUNDUP((u64)end, LEVELSIZE(1));
  u64 ramend = plat.mem_base + plat.mem_size;
  root = ptalloc();

  if (kbase > plat.mem_base)
    vm_map(plat.mem_base, plat.mem_base, kbase - plat.mem_base, PTE_R | PTE_W);
  vm_map(kbase, kbase, (u64)etext - kbase, PTE_R | PTE_X);
  vm_map((u64)etext, (u64)etext, (u64)jit - (u64)etext, PTE_R);
  vm_map((u64)jit, (u64)jit, (u64)ejit - (u64)jit, PTE_R | PTE_W | PTE_X);
  vm_map((u64)ejit, (u64)ejit, kend - (u64)ejit, PTE_R | PTE_W);
  if (ramend > kend)
    vm_map(kend, kend, ramend - kend, PTE_R | PTE_W);

  if (plat.uart.base)
    vm_map(plat.uart.base, plat.uart.base, plat.uart.size, PTE_R | PTE_W);
  if (plat.plic.base)
    vm_map(plat.plic.base, plat.plic.base, plat.plic.size, PTE_R | PTE_W);
  for (int i = 0; i < plat.nvirtio; i++)
    vm_map(plat.virtio[i].base, plat.virtio[i].base, plat.virtio[i].size, PTE_R | PTE_W);

  freepage = ROUNDUP((u64)end, PGSIZE);
  csr_write(satp, SATP_MODE_SV39 | ((u64)root >> PGSHIFT));
  asm volatile("sfence.vma zero, zero" ::: "memory");
}
