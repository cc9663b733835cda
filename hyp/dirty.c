// dirty.c: dirty-page tracking for incremental snapshots (lab 5). After a
// save or restore (snapshot.c calls dirty_start), every guest RAM page is
// write-protected in the G-stage tables; the guest's first store to a
// page takes a guest-page fault, which stage2_fault hands to
// snapshot_dirty_fault: it marks the page in a bitmap, makes it writable
// again and lets the guest retry. The next save stores only marked pages.
// Writes by the hypervisor itself (device DMA, SBI buffers) are marked by
// snapshot_mark_dirty, called from gmem_page.
#include "hyp/hyp.h"
#if LAB >= 5
#include "hyp/snapstore.h"

// One bit per guest RAM page, set when the page was written (or
// populated) since the snapshot `base` was saved or restored.
static struct {
  int on;                 // RAM is write-protected for tracking
  u64 base;               // id of the snapshot the dirty bits are relative to
  u64 *bits;
  u64 nbits, npages;      // bits = guest pages; npages = host pages of bits
  u64 faults;             // write faults taken for tracking
} track;

static u64 page_no(struct vm *vm, u64 gpa)
{
  (void)vm;
  return (gpa - GUEST_RAM_BASE) >> PGSHIFT;
}

static void mark(struct vm *vm, u64 gpa)
{
  u64 p = page_no(vm, gpa);
  if (track.bits && p < track.nbits)
    track.bits[p / 64] |= 1UL << (p % 64);
}

// Written since the base?
int dirty_page(struct vm *vm, u64 gpa)
{
  u64 p = page_no(vm, gpa);
  return track.bits && p < track.nbits && (track.bits[p / 64] >> (p % 64) & 1);
}

void snapshot_mark_dirty(struct vm *vm, u64 gpa, u64 len)
{
  if (!track.on || !gmem_is_ram(vm, gpa, len ? len : 1))
    return;
  for (u64 a = ROUNDDOWN(gpa, PGSIZE); a < gpa + len || a == ROUNDDOWN(gpa, PGSIZE); a += PGSIZE)
    mark(vm, a);
}

// The snapshot the dirty bits are relative to, or 0 (the next save is full).
u64 dirty_base(void)
{
  return track.on ? track.base : 0;
}

// Stop tracking (a restore is about to replace guest RAM).
void dirty_stop(void)
{
  track.on = 0;
}

// Snapshot id was deleted: the dirty bits are relative to nothing now.
void dirty_forget(u64 id)
{
  if (track.base == id)
    track.base = 0;
}

// A fresh VM: no snapshot to be relative to.
void dirty_forget_all(void)
{
  track.base = 0;
}

#if SOL >= 5
// Guest RAM may be mapped with 2 MiB leaves (stage2.c, ram_populate_huge):
// tracking is per 4 KiB page, so each becomes 512 4 KiB leaves first. One
// that cannot (no page for the table) stays a writable 2 MiB leaf, and
// every save stores it whole (count_leaf in snapshot.c): bigger, still right.
static void split_leaf(struct vm *vm, u64 gpa, u64 *pte, int level, void *arg)
{
  (void)pte, (void)arg;
  if (level == 1)
    stage2_split(vm, gpa);
}

static void wp_leaf(struct vm *vm, u64 gpa, u64 *pte, int level, void *arg)
{
  (void)arg;
  if (level == 0 && gmem_is_ram(vm, gpa, PGSIZE))
    *pte &= ~(PTE_W | PTE_D);
}

// Start tracking: no page is dirty, every RAM page is read-only in the
// G-stage, so the guest's first write to each one faults once.
void dirty_start(struct vm *vm, u64 base)
{
  u64 nbits = vm->ram_size / PGSIZE;
  u64 npages = ROUNDUP(ROUNDUP(nbits, 64) / 8, PGSIZE) / PGSIZE;
  if (track.bits && track.npages != npages) {
    kfree_contig(track.bits, track.npages);
    track.bits = 0;
  }
  if (track.bits == 0) {
    track.bits = kalloc_contig(npages, PGSIZE);
    if (track.bits == 0) {
      track.on = 0;          // every save will be full: correct, just bigger
      track.base = 0;
      return;
    }
    track.npages = npages;
  }
  track.nbits = nbits;
  memset(track.bits, 0, npages * PGSIZE);
  stage2_each_leaf(vm, split_leaf, 0);
  stage2_each_leaf(vm, wp_leaf, 0);
  hfence_gvma_all();
  track.on = 1;
  track.base = base;
}

// stage2_fault calls this first for every guest-page fault in RAM.
int snapshot_dirty_fault(struct vm *vm, u64 gpa)
{
  if (!track.on || !gmem_is_ram(vm, gpa, 1))
    return 0;
  int level;
  u64 *pte = stage2_leaf(vm, gpa, &level);
  if (pte == 0 || level != 0) {
    mark(vm, gpa);           // about to be populated: new since the base
    return 0;
  }
  if (*pte & PTE_W)
    return 0;
  *pte |= PTE_W | PTE_D;
  mark(vm, gpa);
  track.faults++;
  hfence_gvma_gpa(ROUNDDOWN(gpa, PGSIZE));
  return 1;
}
#else
// Lab 5: write-protect guest RAM and start dirty tracking.
void dirty_start(struct vm *vm, u64 base)
{
  (void)vm, (void)base;
  track.on = 0;              // without tracking every save is a full one
}

// Lab 5: a write fault on a page write-protected for tracking.
int snapshot_dirty_fault(struct vm *vm, u64 gpa)
{
  (void)vm, (void)gpa;
  return 0;
}
#endif
#endif
