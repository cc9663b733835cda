// stage2.c: G-stage address translation, guest physical -> host physical
// (priv spec §8.5: Sv39x4). The root table is 16 KiB (2048 entries, the
// GPA's top 11 bits 40:30) and 16 KiB-aligned; the two lower levels are
// ordinary 4 KiB Sv39 tables. Every leaf has U=1: G-stage accesses are
// checked as U-mode accesses (§8.5.1). hgatp names the root and the VMID.
//
// Guest RAM (GPA 0x80000000, GUEST_MEM bytes) starts unmapped; the first
// touch of a page takes a guest-page fault (cause 20/21/23) to
// stage2_fault, which backs it with a zeroed host page -- or, in the
// reference solution, with a zeroed 2 MiB block under one 2 MiB leaf when
// the whole 2 MiB region is RAM, untouched and the host has the block
// (ram_populate_huge: one fault instead of 512, and shorter two-stage
// walks). A fault anywhere else is a device access (mmio.c) or, if no
// device is there, the access fault the real board would give.
#include "hyp/hyp.h"
#if LAB >= 5 && !defined(HOST_TEST)   // the unit tests link stage2.c alone
#include "hyp/snapstore.h"
#endif

#define ROOT_PAGES   4                   // 16 KiB root
#define LEVELS       3
#define LEAF_PERM    (PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)

#if SOL < 2
static int stage2_map_flat(struct vm *vm);
#endif

int stage2_init(struct vm *vm)
{
  vm->s2root = kalloc_contig(ROOT_PAGES, ROOT_PAGES * PGSIZE);
  if (vm->s2root == 0)
    return -1;
#if SOL >= 2
  return 0;
#else
  // Lab 2: guest RAM starts unmapped (return 0 here once demand paging works).
  return stage2_map_flat(vm);
#endif
}

u64 stage2_hgatp(struct vm *vm)
{
  return HGATP_MODE_SV39X4 | ((u64)vm->vmid << HGATP_VMID_SHIFT) |
         ((u64)vm->s2root >> PGSHIFT);
}

// Invalidate the G-stage translations of one guest physical address
// (HFENCE.GVMA takes the GPA shifted right by 2, §8.3.2).
static void stage2_flush(u64 gpa)
{
  hfence_gvma_gpa(gpa);
}

// Index of gpa in the table at level (2 = root, 0 = last).
u64 stage2_index(u64 gpa, int level)
{
  u64 bits = level == 2 ? 11 : 9;
  return (gpa >> (PGSHIFT + 9 * level)) & ((1UL << bits) - 1);
}

// Bytes mapped by one entry of a table at level.
u64 stage2_level_size(int level)
{
  return PGSIZE << (9 * level);
}

static int is_leaf(u64 pte)
{
  return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X));
}

static void each_leaf(struct vm *vm, u64 *table, int level, u64 base,
                      stage2_leaf_fn fn, void *arg)
{
  int n = level == 2 ? 2048 : 512;
  for (int i = 0; i < n; i++) {
    u64 gpa = base + (u64)i * stage2_level_size(level);
    if (is_leaf(table[i]))
      fn(vm, gpa, &table[i], level, arg);
    else if ((table[i] & PTE_V) && level > 0)
      each_leaf(vm, (u64 *)PTE2PA(table[i]), level - 1, gpa, fn, arg);
  }
}

// Call fn for every leaf of the G-stage tables, in GPA order (the
// monitor lists them, snapshots save and write-protect them).
void stage2_each_leaf(struct vm *vm, stage2_leaf_fn fn, void *arg)
{
  if (vm->s2root)
    each_leaf(vm, vm->s2root, 2, 0, fn, arg);
}

// The leaf PTE that maps gpa and its level, or 0 if none does.
u64 *stage2_leaf(struct vm *vm, u64 gpa, int *level)
{
  u64 *table = vm->s2root;
  for (int l = 2; table && gpa < (1UL << 41); l--) {
    u64 *pte = &table[stage2_index(gpa, l)];
    if (is_leaf(*pte)) {
      *level = l;
      return pte;
    }
    if (!(*pte & PTE_V) || l == 0)
      return 0;
    table = (u64 *)PTE2PA(*pte);
  }
  return 0;
}

#if SOL >= 2
// The PTE for gpa at the given level, creating the tables above it when
// alloc is set. Returns 0 if a table is missing (or cannot be allocated),
// or if a bigger leaf already maps the address.
static u64 *stage2_walk(struct vm *vm, u64 gpa, int level, int alloc)
{
  u64 *table = vm->s2root;
  for (int l = 2; l > level; l--) {
    u64 *pte = &table[stage2_index(gpa, l)];
    if (*pte & PTE_V) {
      if (*pte & (PTE_R | PTE_W | PTE_X))
        return 0;                         // a leaf above: no table here
      table = (u64 *)PTE2PA(*pte);
    } else {
      if (!alloc || (table = kalloc()) == 0)
        return 0;
      *pte = PA2PTE(table) | PTE_V;
    }
  }
  return &table[stage2_index(gpa, level)];
}

// Map [gpa, gpa+size) to hpa with one leaf of size 4 KiB, 2 MiB or 1 GiB.
int stage2_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 perm)
{
  int level;
  for (level = 0; level < LEVELS && stage2_level_size(level) != size; level++)
    ;
  if (level == LEVELS || gpa % size || hpa % size || gpa >= (1UL << 41))
    return -1;
  // A leaf needs R or X; W without R is reserved; G and the PPN are not
  // the caller's to set (§8.5.1: G-stage PTEs have G = 0).
  if (!(perm & (PTE_R | PTE_X)) || (perm & (PTE_W | PTE_R)) == PTE_W ||
      (perm & ~(PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D)))
    return -1;
  u64 *pte = stage2_walk(vm, gpa, level, 1);
  if (pte == 0 || (*pte & PTE_V))
    return -1;
  *pte = PA2PTE(hpa) | perm | PTE_V;
  stage2_flush(gpa);
  return 0;
}

// The host physical address behind gpa, or 0 if it is not mapped.
u64 stage2_translate(struct vm *vm, u64 gpa)
{
  if (gpa >= (1UL << 41))
    return 0;
  u64 *table = vm->s2root;
  for (int l = 2; l >= 0; l--) {
    u64 pte = table[stage2_index(gpa, l)];
    if (!(pte & PTE_V))
      return 0;
    if (pte & (PTE_R | PTE_W | PTE_X))
      return PTE2PA(pte) + (gpa & (stage2_level_size(l) - 1));
    table = (u64 *)PTE2PA(pte);
  }
  return 0;
}

// Back one page of guest RAM with a zeroed host page. Returns its host
// address, or 0 when the host has no memory left.
static void *ram_populate(struct vm *vm, u64 gpa)
{
  void *pa = kalloc();
  if (pa == 0)
    return 0;
  if (stage2_map(vm, ROUNDDOWN(gpa, PGSIZE), (u64)pa, PGSIZE, LEAF_PERM) < 0) {
    kfree(pa);
    return 0;
  }
  vm->pages++;
  return pa;
}

#define HUGE         (2UL << 20)         // a level-1 leaf
// A level-1 pointer PTE whose table stage2_split made out of a 2 MiB leaf:
// its 512 pages are one kalloc_contig block, freed as one. RSW (bits 9:8)
// is the software's; the hart ignores it (priv spec §4.4.1, §8.5.1).
#define PTE_SPLIT    (1UL << 8)

// Back the whole 2 MiB-aligned region around gpa with one zeroed 2 MiB
// block under one 2 MiB leaf, the way KVM backs guests with transparent
// huge pages: the guest takes one fault instead of 512, and every TLB
// refill walks one level less of the G-stage -- for the guest's own page
// tables too, which is most of the gain (they sit in the image's region,
// populated by the loader through gmem_page). Only when the region is all
// RAM, nothing in it is mapped yet (no level-0 table below it), and the
// host has 512 free pages in one 2 MiB-aligned run (kalloc_contig). Returns
// the host page holding gpa, or 0: then a 4 KiB page will do.
static void *ram_populate_huge(struct vm *vm, u64 gpa)
{
  u64 base = ROUNDDOWN(gpa, HUGE);
  if (!gmem_is_ram(vm, base, HUGE))
    return 0;
#if LAB >= 5 && !defined(HOST_TEST)   // the unit tests link stage2.c alone
  // Dirty tracking for an incremental save (dirty.c) is per 4 KiB page: the
  // next save would have to store all 512 pages of a new, writable 2 MiB
  // leaf however few the guest wrote.
  if (dirty_base())
    return 0;
#endif
  u64 *pte = stage2_walk(vm, base, 1, 1);
  if (pte == 0 || (*pte & PTE_V))
    return 0;                             // a table below: some 4 KiB page is in use
  u8 *pa = kalloc_contig(HUGE / PGSIZE, HUGE);   // zeroed
  if (pa == 0)
    return 0;
  // The leaf goes in the empty PTE the walk found: what stage2_map would
  // do, without walking the tables again.
  *pte = PA2PTE(pa) | LEAF_PERM | PTE_V;
  stage2_flush(base);
  vm->pages += HUGE / PGSIZE;
  return pa + ROUNDDOWN(gpa - base, PGSIZE);
}

// Turn the 2 MiB leaf mapping gpa into a table of 512 4 KiB leaves over the
// same host pages with the same permissions, so that dirty tracking
// (dirty.c) can write-protect them one by one. The guest sees no change.
// Returns -1 if no 2 MiB leaf maps gpa or there is no page for the table.
int stage2_split(struct vm *vm, u64 gpa)
{
  int level;
  u64 *pte = stage2_leaf(vm, gpa, &level);
  if (pte == 0 || level != 1)
    return -1;
  u64 *table = kalloc();
  if (table == 0)
    return -1;
  u64 hpa = PTE2PA(*pte), flags = *pte & ((1UL << PTE_PPN_SHIFT) - 1);
  for (int i = 0; i < 512; i++)
    table[i] = PA2PTE(hpa + (u64)i * PGSIZE) | flags;
  *pte = PA2PTE(table) | PTE_SPLIT | PTE_V;
  // The old translation stays right (same pages), but a cached 2 MiB one
  // would outlive the 4 KiB leaves' later permission changes.
  stage2_flush(ROUNDDOWN(gpa, HUGE));
  return 0;
}

static void free_table(u64 *table, int level)
{
  int n = level == 2 ? 2048 : 512;
  for (int i = 0; i < n; i++) {
    u64 pte = table[i];
    if (!(pte & PTE_V))
      continue;
    if (pte & (PTE_R | PTE_W | PTE_X)) {
      kfree_contig((void *)PTE2PA(pte), stage2_level_size(level) / PGSIZE);
    } else if (pte & PTE_SPLIT) {
      // A split 2 MiB leaf: the block goes back as it came, then its table.
      u64 *leaves = (u64 *)PTE2PA(pte);
      kfree_contig((void *)PTE2PA(leaves[0]), HUGE / PGSIZE);
      kfree(leaves);
    } else {
      free_table((u64 *)PTE2PA(pte), level - 1);
    }
  }
  if (level == 2)
    kfree_contig(table, ROOT_PAGES);
  else
    kfree(table);
}

void stage2_destroy(struct vm *vm)
{
  free_table(vm->s2root, 2);
  vm->s2root = 0;
  vm->pages = 0;
  hfence_gvma_all();
}

#else
// Until lab 2: all of guest RAM is one contiguous host block, mapped up
// front with 2 MiB leaves. stage2_init allocates and maps it.
//
// Lab 2 (labs/stage2/README.md): replace everything from here to the
// matching #endif with real Sv39x4 tables --
//   stage2_walk(vm, gpa, level, alloc)  the PTE for gpa at level, creating
//                                       the tables above it when alloc is set
//   stage2_map(vm, gpa, hpa, size, perm) one 4K/2M/1G leaf; refuse bad
//                                       alignment, GPAs >= 2^41, double maps
//   stage2_translate(vm, gpa)           hpa or 0
//   ram_populate(vm, gpa)               a zeroed page mapped at gpa (demand paging)
//   stage2_destroy(vm)                  free every table and every guest page
// then make stage2_init leave RAM unmapped. tests/test_stage2.c checks
// them natively (tests/run); stage2_fault and gmem_page below already
// call ram_populate (through populate).
int stage2_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 perm)
{
  if (size != (2UL << 20) || gpa % size || hpa % size || stage2_index(gpa, 2) != 2)
    return -1;
  u64 *root = vm->s2root;
  u64 *l1 = (u64 *)PTE2PA(root[2]);
  if (!(root[2] & PTE_V)) {
    if ((l1 = kalloc()) == 0)
      return -1;
    root[2] = PA2PTE(l1) | PTE_V;
  }
  l1[stage2_index(gpa, 1)] = PA2PTE(hpa) | perm | PTE_V;
  stage2_flush(gpa);
  return 0;
}

u64 stage2_translate(struct vm *vm, u64 gpa)
{
  if (!gmem_is_ram(vm, gpa, 1))
    return 0;
  return vm->flat_hpa + (gpa - GUEST_RAM_BASE);
}

static void *ram_populate(struct vm *vm, u64 gpa)
{
  (void)vm, (void)gpa;
  return 0;
}

void stage2_destroy(struct vm *vm)
{
  kfree((void *)PTE2PA(vm->s2root[2]));
  kfree_contig(vm->s2root, ROOT_PAGES);
  kfree_contig((void *)vm->flat_hpa, vm->ram_size / PGSIZE);
  hfence_gvma_all();
}

static int stage2_map_flat(struct vm *vm)
{
  u64 block = 2UL << 20;
  vm->flat_hpa = (u64)kalloc_contig(vm->ram_size / PGSIZE, block);
  if (vm->flat_hpa == 0)
    return -1;
  for (u64 off = 0; off < vm->ram_size; off += block)
    if (stage2_map(vm, GUEST_RAM_BASE + off, vm->flat_hpa + off, block, LEAF_PERM) < 0)
      return -1;
  vm->pages = vm->ram_size / PGSIZE;
  return 0;
}
#endif

// Back the page at gpa with zeroed host memory: its whole 2 MiB region
// when huge and ram_populate_huge can, else one 4 KiB page. The host page
// holding gpa, or 0.
static void *populate(struct vm *vm, u64 gpa, int huge)
{
#if SOL >= 2
  void *pa = huge ? ram_populate_huge(vm, gpa) : 0;
  if (pa)
    return pa;
#else
  (void)huge;
#endif
  return ram_populate(vm, gpa);
}

static void *page_at(struct vm *vm, u64 gpa, int huge)
{
  if (!gmem_is_ram(vm, gpa, 1))
    return 0;
#if LAB >= 5 && !defined(HOST_TEST)   // the unit tests link stage2.c alone
  // The caller may write the page (device DMA, SBI buffers): to dirty
  // tracking (snapshot.c) every hypervisor access counts as a write.
  snapshot_mark_dirty(vm, gpa, 1);
#endif
  u64 hpa = stage2_translate(vm, gpa);
  if (hpa)
    return (void *)ROUNDDOWN(hpa, PGSIZE);
  return populate(vm, gpa, huge);
}

// The host address of the guest RAM page holding gpa, populating it if
// the guest has not touched it yet, the way a guest fault would (so the
// image's region, where the guest keeps its page tables, can get a 2 MiB
// leaf); 0 if gpa is not guest RAM or the host is out of memory.
void *gmem_page(struct vm *vm, u64 gpa)
{
  return page_at(vm, gpa, 1);
}

// The same, populating one 4 KiB page at most: snapshot restore backs
// exactly the pages a snapshot holds (it checked the host has that many).
void *gmem_page_4k(struct vm *vm, u64 gpa)
{
  return page_at(vm, gpa, 0);
}

// gmem_page for a range: the host address of gpa, and in *n how many bytes
// from gpa on are guest RAM under the same G-stage leaf, so host-contiguous
// (up to 2 MiB: one translation for a whole buffer, or for every ring of
// a virtqueue). 0 if gpa is not guest RAM or the host is out of memory.
void *gmem_span(struct vm *vm, u64 gpa, u64 *n)
{
  u8 *page = page_at(vm, gpa, 1);
  int level;
  if (page == 0 || stage2_leaf(vm, gpa, &level) == 0)
    return 0;
  u64 size = stage2_level_size(level);
  u64 end = ROUNDDOWN(gpa, size) + size, ram_end = GUEST_RAM_BASE + vm->ram_size;
  if (end > ram_end)
    end = ram_end;
#if LAB >= 5 && !defined(HOST_TEST)
  snapshot_mark_dirty(vm, gpa, end - gpa);     // as page_at did for its page
#endif
  *n = end - gpa;
  return page + gpa % PGSIZE;
}

// A guest-page fault in guest RAM: the guest's first touch of the page
// (demand paging), or a write to a page write-protected for dirty tracking.
// (Out of line: inlined, its registers would be saved and restored on
// every device access too.)
static __attribute__((noinline)) void ram_fault(struct vm *vm, u64 gpa)
{
  vm->exits[EXIT_RAMFAULT]++;
#if LAB >= 5 && !defined(HOST_TEST)   // the unit tests link stage2.c alone
  if (snapshot_dirty_fault(vm, gpa))
    return;                   // a write to a page write-protected for tracking
#endif
  if (populate(vm, gpa, 1) != 0)
    return;                   // the common case: the guest's first touch
  // Populating fails when the page is mapped already (stage2_map refuses
  // a double map) or when the host has no memory: which was it?
  if (stage2_translate(vm, gpa) != 0) {
    vm_stop(vm, "guest-page fault at GPA 0x%lx, which is mapped in stage 2", gpa);
    vm_hint("a G-stage leaf needs V, U and the access's R/W/X (priv spec 8.5.1; "
            "the stage-2 line above shows it); if it has them, a missing HFENCE.GVMA?");
  } else if (kalloc_free_pages() >= 3) {
    // A page and at most two tables: with 3 pages free, memory was not it.
    vm_stop(vm, "cannot back guest page 0x%lx: ram_populate failed with %ld host "
            "pages free", gpa, kalloc_free_pages());
    vm_hint("is ram_populate written (lab 2), and does stage2_map accept a 4 KiB "
            "leaf at 0x%lx?", ROUNDDOWN(gpa, PGSIZE));
  } else {
    vm_stop(vm, "out of memory: the host cannot back guest page 0x%lx "
            "(%ld pages in use, %ld host pages free)", gpa, vm->pages,
            kalloc_free_pages());
    vm_hint("the guest touched more RAM than the host can back: "
            "a smaller GUEST_MEM, or more host memory");
  }
}

// The guest-page fault at gpa: RAM, or a device's window, or nothing.
static inline void fault_at(struct vcpu *v, u64 gpa)
{
  v->gpa = gpa;               // for the stop report and the trace
  if (gmem_is_ram(v->vm, gpa, 1))
    ram_fault(v->vm, gpa);
  else
    mmio_fault(v, gpa);
}

// A hart may write 0 to htval (§8.6.3): then hv6 walks the guest's page
// tables itself. (Out of line, so that stage2_fault needs no stack frame.)
static __attribute__((noinline)) void fault_walked(struct vcpu *v)
{
  fault_at(v, vswalk_fault_gpa(v));
}

// A guest-page fault (cause 20, 21 or 23). htval holds the faulting GPA
// shifted right by 2, and stval's low 2 bits complete it (§8.6.3).
void stage2_fault(struct vcpu *v)
{
  if (v->htval == 0 || v->vm->no_htval)
    fault_walked(v);
  else
    fault_at(v, (v->htval << 2) | (v->stval & 3));
}
