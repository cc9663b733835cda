// test_stage2.c: the G-stage page tables of hyp/stage2.c (lab 2), run
// natively against a simulated host: kalloc and friends hand out real
// (aligned) host memory and count it, so the tables can be walked by hand
// and every page can be checked to come back at stage2_destroy. Huge
// leaves (1 GiB) get fake, never-touched "host physical" addresses.
// max_contig makes the host fragmented (no run longer than that), which
// is how the 4 KiB demand-paging path is tested even where the reference
// solution would back a fault with a 2 MiB leaf.
// SOURCES: hyp/stage2.c hyp/gmem.c hyp/vswalk.c tests/fake_host.c
// LAB: 2
#include "hyp/hyp.h"
#include "tests/check.h"
#include <stdlib.h>
#include <string.h>

// ---- the simulated host ----

#define MAXALLOC 8192
static struct { void *p; u64 npages; int fake; } allocs[MAXALLOC];
static int nalloc, live_pages, bad_frees, fail_after = -1;
static u64 max_contig = ~0UL;             // longest run the host can give
static char last_stop[256], last_hint[256];
static u64 last_mmio_gpa;
static int mmio_calls;
static u64 fake_next = 0x10000000000UL;   // 1 TiB: where fake huge blocks come from

static void *track(void *p, u64 npages, int fake)
{
  for (int i = 0; i < MAXALLOC; i++)
    if (allocs[i].p == 0) {
      allocs[i].p = p, allocs[i].npages = npages, allocs[i].fake = fake;
      nalloc++;
      live_pages += npages;
      return p;
    }
  abort();
}

void *kalloc_contig(u64 npages, u64 align)
{
  if (fail_after == 0 || npages > max_contig)
    return 0;
  if (fail_after > 0)
    fail_after--;
  if (npages >= 512 * 64) {     // >= 128 MiB: a fake block, never touched
    u64 a = (fake_next + align - 1) & ~(align - 1);
    fake_next = a + npages * PGSIZE;
    return track((void *)a, npages, 1);
  }
  void *p = aligned_alloc(align < PGSIZE ? PGSIZE : align, npages * PGSIZE);
  memset(p, 0, npages * PGSIZE);
  return track(p, npages, 0);
}

void *kalloc(void)
{
  return kalloc_contig(1, PGSIZE);
}

void kfree_contig(void *p, u64 npages)
{
  for (int i = 0; i < MAXALLOC; i++)
    if (allocs[i].p == p) {
      if (allocs[i].npages != npages)
        bad_frees++;
      if (!allocs[i].fake)
        free(p);
      allocs[i].p = 0;
      nalloc--;
      live_pages -= allocs[i].npages;
      return;
    }
  bad_frees++;
}

void kfree(void *p)
{
  kfree_contig(p, 1);
}

u64 kalloc_free_pages(void)
{
  return fail_after < 0 ? 12345 : (u64)fail_after;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_stop, sizeof(last_stop), fmt, ap);
  va_end(ap);
  vm->state = VM_STOPPED;
}

void vm_hint(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_hint, sizeof(last_hint), fmt, ap);
  va_end(ap);
}

void mmio_fault(struct vcpu *v, u64 gpa)
{
  (void)v;
  mmio_calls++;
  last_mmio_gpa = gpa;
}

// ---- helpers ----

#define RW   (PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)
#define K4   (1UL << 12)
#define M2   (1UL << 21)
#define G1   (1UL << 30)

static void vm_new(struct vm *vm, u64 ram)
{
  memset(vm, 0, sizeof(*vm));
  vm->ram_size = ram;
  vm->vmid = 1;
  vm->vcpu.vm = vm;
  CHECK(stage2_init(vm) == 0, "stage2_init");
}

// The PTE that maps gpa, found by walking the tables the way the
// hardware does (priv spec §8.5: 11-bit root index, then 9, 9); level
// tells which table it was in.
static u64 walk(struct vm *vm, u64 gpa, int *level)
{
  u64 *t = vm->s2root;
  for (int l = 2; l >= 0; l--) {
    u64 idx = (gpa >> (12 + 9 * l)) & (l == 2 ? 0x7ff : 0x1ff);
    u64 pte = t[idx];
    if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W | PTE_X))) {
      *level = l;
      return pte;
    }
    // A pointer to the next level: V only (A, D, U are reserved there;
    // bits 9:8 are RSW, the software's own).
    CHECK((pte & 0xff) == PTE_V, "non-leaf pte 0x%lx has flags 0x%lx",
          (unsigned long)pte, (unsigned long)(pte & 0xff));
    t = (u64 *)PTE2PA(pte);
  }
  *level = -1;
  return 0;
}

static void fault(struct vm *vm, u64 cause, u64 gpa, u64 gva)
{
  struct vcpu *v = &vm->vcpu;
  v->scause = cause;
  v->htval = gpa >> 2;
  v->stval = gva;
  v->htinst = 0;
  stage2_fault(v);
}

// ---- tests ----

static void test_root_and_hgatp(void)
{
  struct vm vm;
  vm_new(&vm, 128UL << 20);
  CHECK(((u64)vm.s2root & 0x3fff) == 0, "root %p is not 16 KiB aligned", (void *)vm.s2root);
  u64 h = stage2_hgatp(&vm);
  CHECK(h >> 60 == 8, "hgatp mode %lu, want 8 (Sv39x4)", (unsigned long)(h >> 60));
  CHECK(((h >> 44) & 0x3fff) == 1, "hgatp vmid");
  CHECK((h & ((1UL << 44) - 1)) << 12 == (u64)vm.s2root, "hgatp ppn");
  stage2_destroy(&vm);
  CHECK(live_pages == 0, "%d pages still allocated after destroy", live_pages);
}

static void test_leaves(void)
{
  struct vm vm;
  vm_new(&vm, 128UL << 20);
  int lvl;
  // 4 KiB
  void *pg = kalloc();
  CHECK(stage2_map(&vm, 0x80001000, (u64)pg, K4, RW) == 0, "map 4K");
  CHECK(stage2_translate(&vm, 0x80001234) == (u64)pg + 0x234, "translate 4K");
  CHECK(stage2_translate(&vm, 0x80000fff) == 0, "the page below is unmapped");
  CHECK(stage2_translate(&vm, 0x80002000) == 0, "the page above is unmapped");
  u64 pte = walk(&vm, 0x80001000, &lvl);
  CHECK(lvl == 0 && (pte & 0x3ff) == (RW | PTE_V) && PTE2PA(pte) == (u64)pg,
        "4K leaf pte 0x%lx at level %d", (unsigned long)pte, lvl);
  // 2 MiB
  void *blk = kalloc_contig(512, M2);
  CHECK(stage2_map(&vm, 0x80400000, (u64)blk, M2, PTE_R | PTE_U | PTE_A) == 0, "map 2M");
  CHECK(stage2_translate(&vm, 0x80400000 + 0x12345) == (u64)blk + 0x12345, "translate 2M");
  pte = walk(&vm, 0x805fffff, &lvl);
  CHECK(lvl == 1 && (pte & 0x3ff) == (PTE_R | PTE_U | PTE_A | PTE_V), "2M leaf at level %d", lvl);
  // 1 GiB (a fake host block: only addresses, never touched)
  void *giga = kalloc_contig(G1 / K4, G1);
  CHECK(stage2_map(&vm, 0xc0000000, (u64)giga, G1, RW) == 0, "map 1G");
  CHECK(stage2_translate(&vm, 0xc0000000 + 0x3ffffff8) == (u64)giga + 0x3ffffff8, "translate 1G");
  pte = walk(&vm, 0xc0000000, &lvl);
  CHECK(lvl == 2, "1G leaf at the root, level %d", lvl);
  // The top of the 41-bit space works; nothing beyond it.
  void *top = kalloc();
  CHECK(stage2_map(&vm, (1UL << 41) - K4, (u64)top, K4, RW) == 0, "map the last 4K of 2^41");
  CHECK(stage2_translate(&vm, (1UL << 41) - 1) == (u64)top + 0xfff, "translate 2^41-1");
  CHECK(stage2_translate(&vm, 1UL << 41) == 0, "2^41 is beyond Sv39x4");
  CHECK(stage2_translate(&vm, ~0UL) == 0, "~0 is beyond Sv39x4");
  CHECK(stage2_translate(&vm, (1UL << 41) + 0x80001000) == 0, "no aliasing above 2^41");
  stage2_destroy(&vm);
  CHECK(live_pages == 0 && bad_frees == 0, "destroy: %d pages left, %d bad frees",
        live_pages, bad_frees);
}

static void test_refusals(void)
{
  struct vm vm;
  vm_new(&vm, 128UL << 20);
  u64 hp = 0x7f0000000000UL;   // never dereferenced: every call here fails
  CHECK(stage2_map(&vm, 0x80000800, hp, K4, RW) < 0, "misaligned GPA 4K");
  CHECK(stage2_map(&vm, 0x80001000, hp + 8, K4, RW) < 0, "misaligned HPA 4K");
  CHECK(stage2_map(&vm, 0x80001000, hp, M2, RW) < 0, "misaligned GPA 2M");
  CHECK(stage2_map(&vm, 0x80200000, hp + K4, M2, RW) < 0, "misaligned HPA 2M");
  CHECK(stage2_map(&vm, 0x80200000, hp, G1, RW) < 0, "misaligned GPA 1G");
  CHECK(stage2_map(&vm, 0x80000000, hp, 2 * K4, RW) < 0, "size 8K is no leaf size");
  CHECK(stage2_map(&vm, 0x80000000, hp, 0, RW) < 0, "size 0");
  CHECK(stage2_map(&vm, 1UL << 41, hp, K4, RW) < 0, "GPA 2^41");
  CHECK(stage2_map(&vm, 1UL << 50, hp, G1, RW) < 0, "GPA 2^50");
  CHECK(stage2_map(&vm, ~0UL << 12, hp, K4, RW) < 0, "GPA ~0");
  CHECK(stage2_map(&vm, 0x80000000, hp, K4, 0) < 0, "no permission bits");
  CHECK(stage2_map(&vm, 0x80000000, hp, K4, PTE_W | PTE_U) < 0, "W without R is reserved");
  CHECK(stage2_map(&vm, 0x80000000, hp, K4, RW | (1UL << 20)) < 0, "PPN bits in perm");
  CHECK(live_pages == 4, "refused maps allocated nothing beyond the root (%d pages)", live_pages);
  // Double maps, at each level and across levels.
  void *a = kalloc(), *b = kalloc(), *blk = kalloc_contig(512, M2), *blk2 = kalloc_contig(512, M2);
  CHECK(stage2_map(&vm, 0x80000000, (u64)a, K4, RW) == 0, "first 4K map");
  CHECK(stage2_map(&vm, 0x80000000, (u64)b, K4, RW) < 0, "the same 4K page twice");
  CHECK(stage2_translate(&vm, 0x80000000) == (u64)a, "the first mapping stays");
  CHECK(stage2_map(&vm, 0x80000000, (u64)blk, M2, RW) < 0, "2M over a table of 4K pages");
  CHECK(stage2_map(&vm, 0x80200000, (u64)blk, M2, RW) == 0, "2M next to it");
  CHECK(stage2_map(&vm, 0x80200000, (u64)blk2, M2, RW) < 0, "the same 2M twice");
  CHECK(stage2_map(&vm, 0x80201000, (u64)b, K4, RW) < 0, "4K inside a 2M leaf");
  CHECK(stage2_translate(&vm, 0x80201000) == (u64)blk + K4, "2M leaf intact");
  CHECK(stage2_map(&vm, 0x80000000, 0x40000000000UL, G1, RW) < 0, "1G over tables");
  kfree(b);
  kfree_contig(blk2, 512);
  stage2_destroy(&vm);
  CHECK(live_pages == 0 && bad_frees == 0, "destroy: %d pages left, %d bad frees",
        live_pages, bad_frees);
}

static void test_demand_paging(void)
{
  struct vm vm;
  u64 ram = 4UL << 20;
  vm_new(&vm, ram);
  max_contig = 4;        // no 2 MiB runs on this host: every fault gets 4 KiB
  CHECK(vm.pages == 0, "RAM starts unmapped (%lu pages)", (unsigned long)vm.pages);
  CHECK(stage2_translate(&vm, 0x80000000) == 0, "RAM starts unmapped");
  // A load guest-page fault: htval = GPA >> 2, stval = GVA (low bits shared).
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x80123458, 0xffffffc000123459UL);
  u64 hpa = stage2_translate(&vm, 0x80123459);
  CHECK(hpa != 0 && (hpa & 0xfff) == 0x459, "the faulting page is mapped (0x%lx)", (unsigned long)hpa);
  CHECK(vm.pages == 1 && vm.exits[EXIT_RAMFAULT] == 1, "pages %lu ramfaults %lu",
        (unsigned long)vm.pages, (unsigned long)vm.exits[EXIT_RAMFAULT]);
  u8 *page = (u8 *)(hpa & ~0xfffUL);
  int zero = 1;
  for (int i = 0; i < 4096; i++)
    zero &= page[i] == 0;
  CHECK(zero, "a fresh guest page is zeroed");
  int lvl;
  u64 pte = walk(&vm, 0x80123000, &lvl);
  CHECK(lvl == 0 && (pte & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_V)) == (PTE_R | PTE_W | PTE_X | PTE_U | PTE_V),
        "RAM pages are 4K leaves with RWX and U (G-stage accesses are U-mode, §8.5.1): 0x%lx",
        (unsigned long)pte);
  // Store and fetch faults map too; faults outside RAM go to mmio_fault.
  fault(&vm, EXC_STORE_GUEST_PAGE_FAULT, 0x80000000, 0x80000000);
  fault(&vm, EXC_INST_GUEST_PAGE_FAULT, 0x803ff000, 0x1000);
  CHECK(vm.pages == 3 && stage2_translate(&vm, 0x803fffff) != 0, "store and fetch faults map");
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x80400000, 0x80400000);   // first byte past RAM
  CHECK(mmio_calls == 1 && last_mmio_gpa == 0x80400000, "past RAM -> mmio_fault");
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x10000005, 0x10000005);
  CHECK(mmio_calls == 2 && last_mmio_gpa == 0x10000005, "UART GPA -> mmio_fault (0x%lx)",
        (unsigned long)last_mmio_gpa);
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x7ffffff8, 0x7ffffff8);
  CHECK(mmio_calls == 3, "below RAM -> mmio_fault");
  CHECK(vm.pages == 3 && vm.state != VM_STOPPED, "nothing else mapped, VM running");
  // gmem_page (the hypervisor's own accesses) populates too, and touching
  // all of RAM maps exactly ram/4K pages.
  for (u64 gpa = 0x80000000; gpa < 0x80000000 + ram; gpa += K4)
    CHECK(gmem_page(&vm, gpa + 7) != 0, "gmem_page 0x%lx", (unsigned long)gpa);
  CHECK(vm.pages == ram / K4, "all of RAM: %lu pages", (unsigned long)vm.pages);
  CHECK(gmem_page(&vm, 0x80000000 + ram) == 0, "gmem_page past RAM");
  CHECK(gmem_page(&vm, 0x10000000) == 0, "gmem_page of a device");
  // Tables: root (4 pages) + one level-1 table + 2 level-0 tables.
  CHECK(live_pages == 4 + 1 + 2 + (int)(ram / K4), "%d pages allocated", live_pages);
  u8 buf[64];
  memset(buf, 0xab, sizeof(buf));
  CHECK(gmem_write(&vm, 0x80000ff0, buf, sizeof(buf)) == 0, "gmem_write across a page");
  u64 x;
  CHECK(gmem_read(&vm, 0x80000ff8, &x, 8) == 0 && x == 0xababababababababUL, "gmem_read back");
  CHECK(gmem_read(&vm, 0x80000000 + ram - 4, &x, 8) < 0, "gmem_read across the end of RAM");
  CHECK(gmem_read(&vm, ~0UL - 3, &x, 8) < 0, "gmem_read at the top of the address space");
  stage2_destroy(&vm);
  CHECK(live_pages == 0 && bad_frees == 0, "destroy: %d pages left, %d bad frees",
        live_pages, bad_frees);
  CHECK(vm.pages == 0 && vm.s2root == 0, "destroy resets the VM's counters");
  max_contig = ~0UL;
}

static void test_out_of_memory(void)
{
  struct vm vm;
  vm_new(&vm, 128UL << 20);
  max_contig = 4;                  // no 2 MiB block either: the 4 KiB path runs out
  fail_after = 0;                  // the host has nothing left
  fault(&vm, EXC_STORE_GUEST_PAGE_FAULT, 0x80000000, 0x80000000);
  CHECK(vm.state == VM_STOPPED && strstr(last_stop, "out of memory") &&
        strstr(last_hint, "more RAM than the host"),
        "no host page: the VM stops with a diagnostic (\"%s\", hint \"%s\")", last_stop, last_hint);
  CHECK(stage2_translate(&vm, 0x80000000) == 0 && vm.pages == 0, "nothing mapped");
  vm.state = VM_RUNNING;
  fail_after = 2;                  // tables succeed, the page itself fails
  last_stop[0] = 0;
  fault(&vm, EXC_STORE_GUEST_PAGE_FAULT, 0x80000000, 0x80000000);
  fail_after = -1;
  max_contig = ~0UL;
  CHECK(vm.state == VM_STOPPED && strstr(last_stop, "out of memory"), "OOM midway: \"%s\"",
        last_stop);
  CHECK(gmem_page(&vm, 0x80001000) != 0, "memory back: gmem_page works again");
  stage2_destroy(&vm);
  CHECK(live_pages == 0 && bad_frees == 0, "destroy after OOM: %d pages left, %d bad frees",
        live_pages, bad_frees);
  // A refused stage2_map in demand paging must not leak the page.
}

static void test_refault_mapped(void)
{
  struct vm vm;
  vm_new(&vm, 8UL << 20);
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x80001000, 0x1000);
  CHECK(vm.state != VM_STOPPED, "first fault maps");
  // A fault on a page that is already mapped means stale TLB entries:
  // the VM is stopped with a diagnostic instead of looping forever.
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x80001000, 0x1000);
  CHECK(vm.state == VM_STOPPED && strstr(last_stop, "mapped in stage 2") &&
        strstr(last_hint, "HFENCE"), "refault: \"%s\", hint \"%s\"", last_stop, last_hint);
  stage2_destroy(&vm);
  CHECK(live_pages == 0, "destroy: %d pages left", live_pages);
}

#if SOL >= 2
// The reference solution backs a fault with one 2 MiB leaf when the whole
// 2 MiB region is RAM, untouched, and the host has the block.
static void test_huge_pages(void)
{
  struct vm vm;
  vm_new(&vm, 10UL << 20);
  int lvl;
  fault(&vm, EXC_LOAD_GUEST_PAGE_FAULT, 0x80212348, 0x12349);
  u64 pte = walk(&vm, 0x80212348, &lvl);
  u8 *blk = (u8 *)PTE2PA(pte);
  CHECK(lvl == 1 && (pte & 0x3ff) == (RW | PTE_V) && ((u64)blk & (M2 - 1)) == 0,
        "an untouched 2 MiB region gets one 2M leaf: pte 0x%lx level %d", (unsigned long)pte, lvl);
  CHECK(vm.pages == 512 && vm.exits[EXIT_RAMFAULT] == 1, "512 pages for one fault (pages %lu)",
        (unsigned long)vm.pages);
  CHECK(live_pages == 4 + 1 + 512, "root + level-1 table + the block: %d pages", live_pages);
  int zero = 1;
  for (u64 i = 0; i < M2; i += 8)
    zero &= *(u64 *)(blk + i) == 0;
  CHECK(zero, "the block is zeroed");
  CHECK(stage2_translate(&vm, 0x80200000) == (u64)blk &&
        stage2_translate(&vm, 0x803fffff) == (u64)blk + M2 - 1 &&
        stage2_translate(&vm, 0x80212349) == (u64)blk + 0x12349, "translate inside the 2M leaf");
  CHECK(stage2_translate(&vm, 0x801fffff) == 0 && stage2_translate(&vm, 0x80400000) == 0,
        "nothing around it");
  CHECK(gmem_page(&vm, 0x803ff008) == blk + M2 - K4 && gmem_page(&vm, 0x80200000) == blk &&
        vm.pages == 512, "gmem_page gives the 4 KiB page inside the 2M leaf");
  // A region where the hypervisor already backed a 4 KiB page stays 4 KiB.
  CHECK(gmem_page_4k(&vm, 0x80400000) != 0 && vm.pages == 513, "gmem_page_4k maps 4 KiB");
  fault(&vm, EXC_STORE_GUEST_PAGE_FAULT, 0x80500000, 0x80500000);
  pte = walk(&vm, 0x80500000, &lvl);
  CHECK(lvl == 0 && (pte & PTE_V) && vm.pages == 514, "a 4 KiB page in the region: 4K leaf");
  // A fragmented host (no 2 MiB-aligned run): a 4 KiB page.
  max_contig = 511;
  fault(&vm, EXC_STORE_GUEST_PAGE_FAULT, 0x80600000, 0x80600000);
  max_contig = ~0UL;
  pte = walk(&vm, 0x80600000, &lvl);
  CHECK(lvl == 0 && (pte & PTE_V) && vm.pages == 515 && vm.state != VM_STOPPED,
        "no contiguous block: 4K leaf (level %d, pages %lu)", lvl, (unsigned long)vm.pages);
  // Split for dirty tracking: 512 4K leaves over the same pages, same
  // permissions; the guest sees no change.
  CHECK(stage2_split(&vm, 0x80400000) < 0 && stage2_split(&vm, 0x80000000) < 0,
        "split refuses a 4K leaf and an unmapped address");
  fail_after = 0;
  CHECK(stage2_split(&vm, 0x80212000) < 0, "split without a page for the table fails");
  fail_after = -1;
  pte = walk(&vm, 0x80300000, &lvl);
  CHECK(lvl == 1 && PTE2PA(pte) == (u64)blk, "a failed split leaves the 2M leaf");
  CHECK(stage2_split(&vm, 0x80212000) == 0, "split a 2M leaf");
  int same = 1;
  for (u64 off = 0; off < M2; off += K4) {
    pte = walk(&vm, 0x80200000 + off, &lvl);
    same &= lvl == 0 && PTE2PA(pte) == (u64)blk + off && (pte & 0x3ff) == (RW | PTE_V);
  }
  CHECK(same, "512 4K leaves over the block, same permissions");
  CHECK(stage2_translate(&vm, 0x80212349) == (u64)blk + 0x12349 && vm.pages == 515 &&
        live_pages == 4 + 1 + 512 + 3 + 2 + 1 && stage2_split(&vm, 0x80212000) < 0,
        "after the split: same translation, one more table (%d pages: root, level-1 "
        "table, block, 3 pages, 2 level-0 tables, the split's)", live_pages);
  // gmem_page (the loader, the device tree, DMA) populates like a fault.
  u8 *p = gmem_page(&vm, 0x80901008);
  pte = walk(&vm, 0x80900000, &lvl);
  CHECK(lvl == 1 && p == (u8 *)PTE2PA(pte) + 0x101000 && vm.pages == 515 + 512,
        "gmem_page in an untouched region: a 2M leaf (level %d)", lvl);
  // A region only partly RAM cannot have a 2M leaf.
  struct vm small;
  vm_new(&small, 3UL << 20);
  fault(&small, EXC_LOAD_GUEST_PAGE_FAULT, 0x80280000, 0x80280000);
  pte = walk(&small, 0x80280000, &lvl);
  CHECK(lvl == 0 && (pte & PTE_V) && small.pages == 1, "RAM ends inside the region: 4K leaf");
  stage2_destroy(&small);
  stage2_destroy(&vm);
  CHECK(live_pages == 0 && bad_frees == 0,
        "destroy gives the split block back as one run: %d pages left, %d bad frees",
        live_pages, bad_frees);
}
#endif

// A hart may write htval = 0 on a guest-page fault (priv spec §8.6.3):
// stage2_fault then takes the GPA from hyp/vswalk.c's walk of the guest's
// own Sv39 tables (here in guest RAM: root, L1, L0 at GPA T, T+4K, T+8K).
static void fault_no_htval(struct vm *vm, u64 gva)
{
  vm->vcpu.scause = EXC_LOAD_GUEST_PAGE_FAULT;
  vm->vcpu.htval = 0;
  vm->vcpu.stval = gva;
  vm->vcpu.htinst = 0;
  stage2_fault(&vm->vcpu);
}

static void test_htval_zero(void)
{
  struct vm vm;
  vm_new(&vm, 128UL << 20);
  u64 t = 0x80100000UL;
  u64 *root = gmem_page(&vm, t), *l1 = gmem_page(&vm, t + K4), *l0 = gmem_page(&vm, t + 2 * K4);
  CHECK(root && l1 && l0, "guest page-table pages");
  u64 leaf = PTE_R | PTE_W | PTE_A | PTE_D | PTE_V;
  root[1] = PA2PTE(t + K4) | PTE_V;                   // VA 0x40000000: L1
  l1[1] = PA2PTE(t + 2 * K4) | PTE_V;                 // VA 0x40200000: L0
  l0[1] = PA2PTE(0x80405000UL) | leaf;                // VA 0x40201000: 4 KiB page
  l1[2] = PA2PTE(0x80600000UL) | leaf;                // VA 0x40400000: 2 MiB page
  root[2] = PA2PTE(0x80800000UL) | PTE_V;             // VA 0x80000000: L1 never touched
  root[3] = PA2PTE(0x10000000UL) | PTE_V;             // VA 0xc0000000: L1 in the UART
  fake_csr_write("0x280", SATP_MODE_SV39 | (t >> PGSHIFT));   // vsatp

  fault_no_htval(&vm, 0x40201123UL);
  CHECK(vm.vcpu.gpa == 0x80405123UL, "4 KiB page: gpa 0x%lx", (unsigned long)vm.vcpu.gpa);
  int level;
  CHECK(walk(&vm, 0x80405000UL, &level) != 0, "the GPA the walk found was populated");
  fault_no_htval(&vm, 0x40512345UL);
  CHECK(vm.vcpu.gpa == 0x80712345UL, "2 MiB page: gpa 0x%lx", (unsigned long)vm.vcpu.gpa);
  // The hart's own walk faulted reading a PTE: that PTE's GPA (L1 index 3).
  fault_no_htval(&vm, 0x80600000UL);
  CHECK(vm.vcpu.gpa == 0x80800000UL + 3 * 8, "PTE read in unbacked RAM: gpa 0x%lx",
        (unsigned long)vm.vcpu.gpa);
  mmio_calls = 0;
  fault_no_htval(&vm, 0xc0000000UL);
  CHECK(mmio_calls == 1 && last_mmio_gpa == 0x10000000UL,
        "PTE read in a device window goes to the MMIO path at 0x%lx", (unsigned long)last_mmio_gpa);
  fault_no_htval(&vm, 0x100000000UL);                 // root[4] invalid
  CHECK(vm.vcpu.gpa == ~0UL && mmio_calls == 2, "no translation: gpa 0x%lx",
        (unsigned long)vm.vcpu.gpa);
  fake_csr_write("0x280", 0);                         // Bare: GPA = GVA
  fault_no_htval(&vm, 0x80a00010UL);
  CHECK(vm.vcpu.gpa == 0x80a00010UL, "vsatp Bare: gpa 0x%lx", (unsigned long)vm.vcpu.gpa);
  stage2_destroy(&vm);
}

int main(void)
{
  test_root_and_hgatp();
  test_leaves();
  test_refusals();
  test_demand_paging();
  test_out_of_memory();
  test_refault_mapped();
  test_htval_zero();
#if SOL >= 2
  test_huge_pages();
#endif
  return check_summary("test_stage2");
}
