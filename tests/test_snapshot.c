// test_snapshot.c: the snapshot format and store (hyp/snapfmt.c,
// hyp/snapstore.c) on a store in host memory: a round trip; every
// single-byte flip of a saved snapshot and of the directory is detected;
// truncation is detected; a save cut by a power failure after any number
// of block writes (or with a torn directory write) leaves the previous
// snapshots intact; a full store and bad names are refused; a snapshot of
// another configuration is refused.
// `test_snapshot SEEDDIR` also writes seed stores for tests/fuzz_snapshot.c.
// SOURCES: hyp/snapfmt.c hyp/snapstore.c lib/crc32.c lib/string.c
// LAB: 5
#include "tests/check.h"
#include "tests/snap_env.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static u8 iobuf[SNAP_IOBUF];
static char err[200];

static const struct snap_config cfg = { 5, 0, 1, 0, 128UL << 20 };

// A snapshot the way hyp/snapshot.c writes one: header, vCPU, RAM pages,
// a device, END. Page i of RAM holds bytes (seed + i + k).
static u64 sec_bytes(u64 len)
{
  return sizeof(struct snap_sec) + ((len + 7) & ~7UL) + sizeof(struct snap_tail);
}

// A fresh in-memory store of nblocks blocks, its (empty) directory loaded.
static void fresh_store(struct memstore *m, struct snapio *io, u64 nblocks,
                        struct snap_dir *d, int *slot)
{
  ms_init(m, io, nblocks);
  store_load(io, d, slot, err, sizeof(err));
}

static int save(struct snapio *io, struct snap_dir *dir, int *slot, const char *name,
                u64 parent, int npages, int seed)
{
  struct snap_hdr h;
  memset(&h, 0, sizeof(h));
  strcpy(h.name, name);
  h.cfg = cfg;
  h.id = dir->next_id;
  h.parent = parent;
  h.pages = npages;
  h.nsec = 4;
  strcpy(h.disk_id, "disk.img:16777216");
  h.disk_sectors = 32768;
  h.disk_crc = 0x12345678;
  u8 dev[13];
  memset(dev, seed, sizeof(dev));
  h.len = sizeof(h) + sec_bytes(sizeof(struct snap_vcpu)) + sec_bytes(npages * SNAP_RAM_REC) +
          sec_bytes(sizeof(dev)) + sec_bytes(0);
  u64 nblk = snap_blocks(h.len), largest;
  u64 start = store_alloc(dir, nblk, &largest);
  if (start == 0 || dir->nent >= SNAP_MAXENT)
    return -1;
  snap_hdr_seal(&h);
  struct snapstream s;
  snapw_open(&s, io, start, nblk, iobuf);
  snapw_put(&s, &h, sizeof(h));
  struct snap_vcpu v;
  memset(&v, 0, sizeof(v));
  v.pc = 0x80200000 + seed;
  v.x[10] = seed;
  snapw_sec_begin(&s, SEC_VCPU, 1, sizeof(v));
  snapw_put(&s, &v, sizeof(v));
  snapw_sec_end(&s);
  snapw_sec_begin(&s, SEC_RAM, 1, npages * SNAP_RAM_REC);
  for (int i = 0; i < npages; i++) {
    u64 gpa = 0x80000000UL + 0x1000UL * (i * 3);
    u8 page[4096];
    for (int k = 0; k < 4096; k++)
      page[k] = seed + i + k;
    snapw_put(&s, &gpa, 8);
    snapw_put(&s, page, 4096);
  }
  snapw_sec_end(&s);
  snapw_sec_begin(&s, SEC_UART, 1, sizeof(dev));
  snapw_put(&s, dev, sizeof(dev));
  snapw_sec_end(&s);
  snapw_sec_begin(&s, SEC_END, 1, 0);
  snapw_sec_end(&s);
  if (snapw_close(&s) < 0 || s.done != h.len)
    return -1;
  struct snap_dirent *e = &dir->ent[dir->nent++];
  memset(e, 0, sizeof(*e));
  strcpy(e->name, name);
  e->id = h.id;
  e->parent = parent;
  e->start = start;
  e->len = h.len;
  e->pages = npages;
  e->crc = s.crc_all;
  dir->next_id++;
  return store_commit(io, dir, slot);
}

// What a walk saw: the vCPU pc and a checksum of the RAM payload.
struct seen { u64 pc, ramsum, ramlen; };

static int v_data(void *ctx, u32 type, u64 off, const u8 *p, u64 n, char *e, size_t el)
{
  (void)e, (void)el;
  struct seen *s = ctx;
  if (type == SEC_VCPU && off <= offsetof(struct snap_vcpu, pc) &&
      off + n >= offsetof(struct snap_vcpu, pc) + 8)
    memcpy(&s->pc, p + offsetof(struct snap_vcpu, pc) - off, 8);
  if (type == SEC_RAM) {
    for (u64 i = 0; i < n; i++)
      s->ramsum = s->ramsum * 31 + p[i];
    s->ramlen += n;
  }
  return 0;
}

static int walk(struct snapio *io, const char *name, struct seen *seen)
{
  struct snap_dir d;
  int slot;
  if (store_load(io, &d, &slot, err, sizeof(err)) < 0)
    return -1;
  int i = store_find(&d, name);
  if (i < 0) {
    snprintf(err, sizeof(err), "no %s", name);
    return -1;
  }
  struct snap_hdr want;
  memset(&want, 0, sizeof(want));
  want.cfg = cfg;
  struct seen dummy;
  if (seen == 0)
    seen = &dummy;
  memset(seen, 0, sizeof(*seen));
  struct snap_visit v = { seen, 0, v_data };
  return snap_walk(io, &d.ent[i], &want, 0, &v, iobuf, err, sizeof(err));
}

static void test_roundtrip(void)
{
  struct memstore m;
  struct snapio io;
  struct snap_dir d;
  int slot;
  ms_init(&m, &io, 64);
  CHECK(store_load(&io, &d, &slot, err, sizeof(err)) == 0, "blank store loads: %s", err);
  CHECK(d.nent == 0, "blank store is empty");
  CHECK(save(&io, &d, &slot, "s1", 0, 3, 7) == 0, "save s1");
  CHECK(save(&io, &d, &slot, "s2", 1, 1, 9) == 0, "save s2 (incremental)");
  struct seen s;
  CHECK(walk(&io, "s1", &s) == 0, "s1 walks: %s", err);
  CHECK(s.pc == 0x80200007, "s1 pc 0x%lx", s.pc);
  CHECK(s.ramlen == 3 * SNAP_RAM_REC, "s1 RAM bytes %lu", s.ramlen);
  CHECK(walk(&io, "s2", &s) == 0, "s2 walks: %s", err);
  CHECK(s.pc == 0x80200009, "s2 pc");
  struct snap_dir d2;
  CHECK(store_load(&io, &d2, &slot, err, sizeof(err)) == 0 && d2.nent == 2 && d2.gen == 2,
        "directory reloads with 2 entries, generation 2");
  CHECK(store_has_children(&d2, 1) == 1, "s1 has child s2");
  // the CRC used is zlib's
  CHECK(crc32(0, "123456789", 9) == 0xCBF43926, "CRC-32 check value");
  free(m.data);
}

static void test_flips(void)
{
  struct memstore m;
  struct snapio io;
  struct snap_dir d;
  int slot;
  fresh_store(&m, &io, 16, &d, &slot);
  save(&io, &d, &slot, "s1", 0, 2, 3);
  const struct snap_dirent e = d.ent[0];
  u8 *base = m.data + e.start * SNAP_BLK;
  int undetected = 0;
  for (u64 off = 0; off < e.len; off++) {
    for (int bit = 0; bit < 8; bit += 7) {        // a low and a high bit of every byte
      base[off] ^= 1 << bit;
      if (walk(&io, "s1", 0) == 0) {
        undetected++;
        if (undetected < 5)
          printf("flip of byte %lu bit %d not detected\n", off, bit);
      }
      base[off] ^= 1 << bit;
    }
    u8 old = base[off];
    base[off] = ~old;                             // a whole-byte change
    if (walk(&io, "s1", 0) == 0)
      undetected++;
    base[off] = old;
  }
  CHECK(undetected == 0, "%d single-byte changes of a %lu-byte snapshot went undetected",
        undetected, e.len);
  CHECK(walk(&io, "s1", 0) == 0, "intact again: %s", err);
  // the directory: a change is detected (the other copy, or none, is used)
  int bad = 0;
  for (u64 off = 0; off < sizeof(struct snap_dir); off++) {
    u8 *p = m.data + slot * SNAP_BLK + off;
    *p ^= 0x10;
    struct snap_dir x;
    int s2;
    if (store_load(&io, &x, &s2, err, sizeof(err)) == 0 && x.gen == d.gen)
      bad++;
    *p ^= 0x10;
  }
  CHECK(bad == 0, "%d directory byte flips accepted as the current directory", bad);
  free(m.data);
}

static void test_truncation(void)
{
  struct memstore m;
  struct snapio io;
  struct snap_dir d;
  int slot;
  fresh_store(&m, &io, 16, &d, &slot);
  save(&io, &d, &slot, "s1", 0, 2, 3);
  struct snap_dirent e = d.ent[0];
  int ok = 0;
  for (u64 len = 0; len < e.len; len += 97) {
    struct snap_dirent t = e;
    t.len = len;
    if (snap_walk(&io, &t, 0, 0, 0, iobuf, err, sizeof(err)) == 0)
      ok++;
  }
  CHECK(ok == 0, "%d truncated lengths accepted", ok);
  // the stream's tail lost (zeroed) from any block on
  u8 *base = m.data + e.start * SNAP_BLK;
  u8 *copy = malloc(e.len);
  memcpy(copy, base, e.len);
  for (u64 cut = 0; cut < e.len; cut += 512) {
    memset(base + cut, 0, e.len - cut);
    if (walk(&io, "s1", 0) == 0)
      ok++;
    memcpy(base, copy, e.len);
  }
  CHECK(ok == 0, "a snapshot with its tail zeroed was accepted");
  free(copy);
  free(m.data);
}

// Power cut after k block writes of a save (for every k), and torn
// directory writes: the previous snapshots always survive.
static void test_crash(void)
{
  int lost = 0, committed = 0, cuts = 0;
  for (long k = 0; k < 40; k++) {
    for (u64 torn = 0; torn <= SNAP_BLK; torn += SNAP_BLK / 4) {
      struct memstore m;
      struct snapio io;
      struct snap_dir d;
      int slot;
      fresh_store(&m, &io, 64, &d, &slot);
      save(&io, &d, &slot, "s1", 0, 3, 1);
      save(&io, &d, &slot, "s2", 1, 2, 2);
      m.budget = k;
      m.torn = torn;
      save(&io, &d, &slot, "s3", 0, 4, 3);      // may be cut anywhere
      m.budget = -1;
      cuts++;
      struct seen s;
      if (walk(&io, "s1", &s) != 0 || s.pc != 0x80200001 || walk(&io, "s2", &s) != 0) {
        lost++;
        if (lost < 4)
          printf("cut after %ld writes (torn %lu): previous snapshot lost: %s\n", k, torn, err);
      }
      struct snap_dir x;
      int xs;
      if (store_load(&io, &x, &xs, err, sizeof(err)) == 0 && store_find(&x, "s3") >= 0) {
        committed++;
        if (walk(&io, "s3", &s) != 0)
          lost++;                       // committed means complete
      }
      // the store keeps working after the cut
      store_load(&io, &x, &xs, err, sizeof(err));
      if (store_find(&x, "s3") < 0 && save(&io, &x, &xs, "s4", 0, 1, 4) != 0)
        lost++;
      free(m.data);
    }
  }
  CHECK(lost == 0, "%d of %d power cuts lost a committed snapshot", lost, cuts);
  CHECK(committed > 0 && committed < cuts, "some cuts committed (%d of %d)", committed, cuts);
}

static void test_full_and_names(void)
{
  struct memstore m;
  struct snapio io;
  struct snap_dir d;
  int slot;
  fresh_store(&m, &io, 8, &d, &slot);     // 6 data blocks
  CHECK(save(&io, &d, &slot, "a", 0, 2, 1) == 0, "fits");
  CHECK(save(&io, &d, &slot, "b", 0, 3, 1) != 0, "store full refused");
  struct snap_dir x;
  CHECK(store_load(&io, &x, &slot, err, sizeof(err)) == 0 && x.nent == 1, "a survives");
  u64 largest;
  CHECK(store_alloc(&x, 100, &largest) == 0 && largest == 3, "largest free %lu", largest);
  store_remove(&x, 0);
  CHECK(store_alloc(&x, 6, &largest) == 2, "after delete the space is free");
  CHECK(snap_name_ok("s1") && snap_name_ok("a.b-c_D9"), "good names");
  CHECK(!snap_name_ok("") && !snap_name_ok("a/b") && !snap_name_ok("a b") &&
        !snap_name_ok("0123456789012345678901234567890123"), "bad names");
  CHECK(snap_name_ok("0123456789012345678901234567890"), "31 characters is fine");
  free(m.data);
}

static void test_config(void)
{
  struct memstore m;
  struct snapio io;
  struct snap_dir d;
  int slot;
  fresh_store(&m, &io, 16, &d, &slot);
  save(&io, &d, &slot, "s1", 0, 1, 1);
  struct snap_hdr want;
  memset(&want, 0, sizeof(want));
  want.cfg = cfg;
  want.cfg.guest_mem = 256UL << 20;
  CHECK(snap_walk(&io, &d.ent[0], &want, 0, 0, iobuf, err, sizeof(err)) < 0 &&
        strstr(err, "GUEST_MEM"), "GUEST_MEM mismatch refused: %s", err);
  want.cfg = cfg;
  want.cfg.trap_all = 1;
  CHECK(snap_walk(&io, &d.ent[0], &want, 0, 0, iobuf, err, sizeof(err)) < 0 &&
        strstr(err, "configuration"), "trap policy mismatch refused: %s", err);
  want.cfg = cfg;
  want.cfg.lab = 4;
  CHECK(snap_walk(&io, &d.ent[0], &want, 0, 0, iobuf, err, sizeof(err)) < 0, "lab mismatch");
  // a foreign version
  struct snap_hdr *h = (struct snap_hdr *)(m.data + d.ent[0].start * SNAP_BLK);
  h->version = 2;
  snap_hdr_seal(h);
  h->version = 2;
  h->hdr_crc = 0;
  h->hdr_crc = crc32(0, h, sizeof(*h));
  CHECK(walk(&io, "s1", 0) < 0 && strstr(err, "version"), "version 2 refused: %s", err);
  free(m.data);
}

// Seeds for tests/fuzz_snapshot.c: a flag byte + one small stream.
static void write_seeds(const char *dir)
{
  for (int n = 0; n < 4; n++) {
    struct memstore m;
    struct snapio io;
    struct snap_dir d;
    int slot;
    fresh_store(&m, &io, 12, &d, &slot);
    save(&io, &d, &slot, "s1", n & 1, 0, 5 + n);
    char path[512];
    snprintf(path, sizeof(path), "%s/seed-%d", dir, n);
    FILE *f = fopen(path, "wb");
    if (f) {
      u8 flag = n / 2;
      fwrite(&flag, 1, 1, f);
      fwrite(m.data + d.ent[0].start * SNAP_BLK, 1, d.ent[0].len, f);
      fclose(f);
    }
    free(m.data);
  }
}

int main(int argc, char **argv)
{
  if (argc == 2) {
    write_seeds(argv[1]);
    return 0;
  }
  test_roundtrip();
  test_flips();
  test_truncation();
  test_crash();
  test_full_and_names();
  test_config();
  return check_summary("test_snapshot");
}
