// kalloc.c: the host's physical page allocator. A bitmap over all of RAM
// (one bit per 4 KiB page) so that it can hand out single pages (guest
// RAM on demand, page tables) and aligned contiguous runs (the 16 KiB
// Sv39x4 root table, virtqueue buffers) from one pool.
#include "kernel/defs.h"

#define MAX_PAGES (1UL << 20)   // the bitmap covers up to 4 GiB of RAM

static u64 bitmap[MAX_PAGES / 64];   // 1 = page in use (or not RAM)
static u64 base_pa, npages, nfree;
static u64 hint;                      // where the last single-page search ended
static u64 chint;                     // where the last run was found (kalloc_contig)
static u64 nfrees;                    // kfree_contig calls so far
// The last kalloc_contig that found nothing: until a page is freed, no run
// that long (or longer) at that alignment can appear.
static struct { u64 cnt, align, nfrees; } miss;

static int  used(u64 i)  { return (bitmap[i / 64] >> (i % 64)) & 1; }
static void mark(u64 i)  { bitmap[i / 64] |= 1UL << (i % 64); }
static void clear(u64 i) { bitmap[i / 64] &= ~(1UL << (i % 64)); }

// Manage [start, end): everything else is marked used forever.
void kinit(u64 start, u64 end)
{
  start = ROUNDUP(start, PGSIZE);
  end = ROUNDDOWN(end, PGSIZE);
  base_pa = ROUNDDOWN(start, 1UL << 30);
  npages = (end - base_pa) / PGSIZE;
  if (npages > MAX_PAGES)
    npages = MAX_PAGES;
  memset(bitmap, 0xff, sizeof(bitmap));
  for (u64 pa = start; pa < base_pa + npages * PGSIZE; pa += PGSIZE) {
    clear((pa - base_pa) / PGSIZE);
    nfree++;
  }
}

void *kalloc(void)
{
  for (u64 n = 0; n < npages; n++) {
    u64 i = (hint + n) % npages;
    if (bitmap[i / 64] == ~0UL) {     // skip full words quickly
      n += 63 - i % 64;
      continue;
    }
    if (!used(i)) {
      mark(i);
      nfree--;
      hint = i + 1;
      void *pa = (void *)(base_pa + i * PGSIZE);
      memset(pa, 0, PGSIZE);
      return pa;
    }
  }
  return 0;
}

// Are pages [i, i+cnt) all free? A run of whole bitmap words (a 2 MiB
// run for stage2.c's huge guest pages is 8) is checked a word at a time.
static int run_free(u64 i, u64 cnt)
{
  if (i % 64 == 0 && cnt % 64 == 0) {
    for (u64 w = i / 64; w < (i + cnt) / 64; w++)
      if (bitmap[w])
        return 0;
    return 1;
  }
  for (u64 k = i; k < i + cnt; k++)
    if (used(k))
      return 0;
  return 1;
}

// Mark pages [i, i+cnt) used, a word at a time for a run of whole words.
static void mark_run(u64 i, u64 cnt)
{
  if (i % 64 == 0 && cnt % 64 == 0) {
    for (u64 w = i / 64; w < (i + cnt) / 64; w++)
      bitmap[w] = ~0UL;
    return;
  }
  for (u64 k = i; k < i + cnt; k++)
    mark(k);
}

// Next fit of cnt pages whose address is a multiple of align: the search
// starts where the last run was found (runs are taken in address order,
// so the ones before it are mostly used) and wraps around once. A failed
// search costs one run_free per aligned candidate (for 2 MiB runs on a
// 512 MiB host: 256 candidates, each stopped by its first used word), and
// is not repeated until something is freed: on a fragmented host every
// guest fault asks for a 2 MiB run first (hyp/stage2.c).
void *kalloc_contig(u64 cnt, u64 align)
{
  u64 step = align > PGSIZE ? align / PGSIZE : 1;
  u64 first = (ROUNDUP(base_pa, align) - base_pa) / PGSIZE;
  if (cnt > nfree || first + cnt > npages ||
      (miss.cnt && cnt >= miss.cnt && align == miss.align && nfrees == miss.nfrees))
    return 0;
  u64 ncand = (npages - cnt - first) / step + 1;          // i = first + k*step
  u64 start = chint > first ? (chint - first + step - 1) / step : 0;
  for (u64 k = 0; k < ncand; k++) {
    u64 i = first + ((start + k) % ncand) * step;
    if (run_free(i, cnt)) {
      mark_run(i, cnt);
      chint = i + cnt;
      nfree -= cnt;
      void *pa = (void *)(base_pa + i * PGSIZE);
      memset(pa, 0, cnt * PGSIZE);
      return pa;
    }
  }
  miss.cnt = cnt, miss.align = align, miss.nfrees = nfrees;
  return 0;
}

void kalloc_reserve(u64 pa, u64 len)
{
  for (u64 a = ROUNDDOWN(pa, PGSIZE); a < pa + len; a += PGSIZE) {
    u64 i = (a - base_pa) / PGSIZE;
    if (kalloc_owns(a) && !used(i)) {
      mark(i);
      nfree--;
    }
  }
}

int kalloc_owns(u64 pa)
{
  return pa >= base_pa && pa < base_pa + npages * PGSIZE;
}

void kfree(void *pa)
{
  kfree_contig(pa, 1);
}

void kfree_contig(void *pa, u64 cnt)
{
  u64 i = ((u64)pa - base_pa) / PGSIZE;
  if ((u64)pa % PGSIZE || !kalloc_owns((u64)pa) || i + cnt > npages)
    panic("kfree: bad page %p", pa);
  for (u64 k = 0; k < cnt; k++) {
    if (!used(i + k))
      panic("kfree: double free of %p", (void *)(base_pa + (i + k) * PGSIZE));
    clear(i + k);
  }
  nfree += cnt;
  nfrees++;
}

u64 kalloc_free_pages(void)
{
  return nfree;
}
