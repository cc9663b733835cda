// fuzz_snapshot.c: libFuzzer target for the snapshot parser (snap_walk in
// hyp/snapfmt.c): a snapshot stream as a corrupted or hostile
// build/snapstore.img would hold it. The parser must never read or write
// outside its buffers (ASan), loop forever, hand on a section it has not
// bounds-checked, or accept a stream whose CRC does not match its
// directory entry. Seeds: tests/corpus/snapshot/, written by
// `build/tests/test_snapshot tests/corpus/snapshot`.
// SOURCES: hyp/snapfmt.c hyp/snapstore.c lib/crc32.c lib/string.c
// LAB: 5
#include "tests/fuzz.h"
#include "tests/snap_env.h"

static u8 iobuf[SNAP_IOBUF];

static int on_sec(void *ctx, u32 type, u32 version, u64 len, char *e, size_t el)
{
  (void)ctx, (void)version, (void)e, (void)el;
  FUZZ_CHECK(type < SEC_NTYPES, "section type %u passed on", type);
  FUZZ_CHECK(len <= 4096, "section length %lu passed on", (unsigned long)len);
  return 0;
}

static int on_data(void *ctx, u32 type, u64 off, const u8 *p, u64 n, char *e, size_t el)
{
  (void)type, (void)e, (void)el;
  u64 *sum = ctx;
  FUZZ_CHECK(n > 0 && n <= 256 && off < 4096, "piece %lu at %lu",
             (unsigned long)n, (unsigned long)off);
  for (u64 i = 0; i < n; i++)
    *sum += p[i];
  return 0;
}

// Make the CRCs of a mutated stream right again (header, every section
// whose length still fits), so the fuzzer gets past them to the parser's
// structure checks; the CRC checks themselves are exercised with flag 0.
static void fix_crcs(u8 *p, u64 len)
{
  if (len < sizeof(struct snap_hdr))
    return;
  struct snap_hdr *h = (struct snap_hdr *)p;
  h->len = len;
  h->hdr_crc = 0;
  h->hdr_crc = crc32(0, h, sizeof(*h));
  u64 off = sizeof(*h);
  for (u32 i = 0; i < h->nsec && off + sizeof(struct snap_sec) <= len; i++) {
    struct snap_sec sh;
    memcpy(&sh, p + off, sizeof(sh));
    if (sh.len > len)
      return;
    u64 body = sizeof(sh) + ((sh.len + 7) & ~7UL);
    if (off + body + sizeof(struct snap_tail) > len)
      return;
    struct snap_tail t = { crc32(0, p + off, body), 0 };
    memcpy(p + off + body, &t, sizeof(t));
    off += body + sizeof(t);
  }
}

// Input: 1 flag byte (bit 0: fix the CRCs up), then the bytes of one
// snapshot stream, which the target puts in a store with a directory
// that names it.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  u8 flags = data[0];
  u64 len = size - 1;
  u64 nblocks = SNAP_DIR_BLOCKS + snap_blocks(len) + 1;
  struct memstore m;
  struct snapio io;
  ms_init(&m, &io, nblocks);
  u8 *stream = m.data + SNAP_DIR_BLOCKS * SNAP_BLK;
  memcpy(stream, data + 1, len);
  if (flags & 1)
    fix_crcs(stream, len);
  struct snap_dir d;
  memset(&d, 0, sizeof(d));
  d.gen = 1;
  d.next_id = 2;
  d.nblocks = nblocks;
  d.nent = 1;
  strcpy(d.ent[0].name, "s1");
  d.ent[0].id = 1;
  d.ent[0].start = SNAP_DIR_BLOCKS;
  d.ent[0].len = len;
  if (len >= sizeof(struct snap_hdr))
    d.ent[0].pages = ((struct snap_hdr *)stream)->pages;
  d.ent[0].crc = crc32(0, stream, len);
  if (!(flags & 1) && (flags & 2))
    d.ent[0].crc ^= 1;                  // a stale directory entry
  snap_dir_seal(&d);
  memcpy(m.data, &d, sizeof(d));

  struct snap_dir ld;
  int slot;
  char err[200];
  FUZZ_CHECK(store_load(&io, &ld, &slot, err, sizeof(err)) == 0, "directory: %s", err);
  u64 sum = 0;
  struct snap_visit v = { &sum, on_sec, on_data };
  struct snap_hdr h;
  if (snap_walk(&io, &ld.ent[0], 0, &h, &v, iobuf, err, sizeof(err)) == 0) {
    FUZZ_CHECK(crc32(0, stream, len) == ld.ent[0].crc, "accepted with a wrong stream CRC");
    FUZZ_CHECK(h.len == len && h.nsec >= 1, "header");
  } else {
    FUZZ_CHECK(err[0] != 0, "refused without a message");
  }
  free(m.data);
  return 0;
}
