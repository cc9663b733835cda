// snapfmt.c: the snapshot format (hyp/snapfmt.h): CRC, the directory
// block, the stream header, and the sequential stream reader/writer with
// the walk that validates a whole snapshot. Everything read from the
// store is untrusted: lengths are checked before they are used, and
// nothing here writes outside the caller's buffers.
#if LAB >= 5 || defined(HOST_TEST)
#ifdef HOST_TEST
#include <stdio.h>
#include <string.h>
#else
#include "kernel/defs.h"
#endif
#include "hyp/snapfmt.h"

int snap_name_ok(const char *name)
{
  size_t n = 0;
  for (; name[n]; n++) {
    char c = name[n];
    if (n >= SNAP_NAME_MAX - 1)
      return 0;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return n > 0;
}

static int has_nul(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] == 0)
      return 1;
  return 0;
}

u64 snap_blocks(u64 len)
{
  return len / SNAP_BLK + (len % SNAP_BLK != 0);
}

void snap_dir_seal(struct snap_dir *d)
{
  memcpy(d->magic, SNAP_DIR_MAGIC, 8);
  d->version = SNAP_VERSION;
  d->crc = 0;
  d->crc = crc32(0, d, sizeof(*d));
}

// A directory block is used only if everything in it makes sense:
// entries inside the store, not overlapping, names valid and unique,
// parents present.
int snap_dir_valid(const struct snap_dir *d, u64 nblocks)
{
  struct snap_dir c;
  memcpy(&c, d, sizeof(c));
  c.crc = 0;
  if (memcmp(d->magic, SNAP_DIR_MAGIC, 8) != 0 || d->version != SNAP_VERSION ||
      crc32(0, &c, sizeof(c)) != d->crc || d->nent > SNAP_MAXENT ||
      d->nblocks != nblocks)
    return 0;
  for (u32 i = 0; i < d->nent; i++) {
    const struct snap_dirent *e = &d->ent[i];
    if (!has_nul(e->name, SNAP_NAME_MAX) || !snap_name_ok(e->name))
      return 0;
    if (e->id == 0 || e->id >= d->next_id || e->start < SNAP_DIR_BLOCKS ||
        e->start >= nblocks || e->len == 0 || snap_blocks(e->len) > nblocks - e->start)
      return 0;
    int parent_found = e->parent == 0;
    for (u32 j = 0; j < d->nent; j++) {
      const struct snap_dirent *f = &d->ent[j];
      if (j == i)
        continue;
      if (f->id == e->parent && f->id < e->id)
        parent_found = 1;
      if (f->id == e->id || strcmp(f->name, e->name) == 0)
        return 0;
      if (e->start < f->start + snap_blocks(f->len) && f->start < e->start + snap_blocks(e->len))
        return 0;
    }
    if (!parent_found)
      return 0;
  }
  return 1;
}

void snap_hdr_seal(struct snap_hdr *h)
{
  memcpy(h->magic, SNAP_MAGIC, 8);
  h->version = SNAP_VERSION;
  h->hdr_size = sizeof(*h);
  h->hdr_crc = 0;
  h->hdr_crc = crc32(0, h, sizeof(*h));
}

int snap_hdr_check(const struct snap_hdr *h, char *err, size_t errlen)
{
  struct snap_hdr c;
  memcpy(&c, h, sizeof(c));
  c.hdr_crc = 0;
  if (memcmp(h->magic, SNAP_MAGIC, 8) != 0) {
    snprintf(err, errlen, "not an hv6 snapshot (bad magic)");
    return -1;
  }
  if (h->version != SNAP_VERSION || h->hdr_size != sizeof(*h)) {
    snprintf(err, errlen, "snapshot format version %u, this hv6 reads version %u",
             h->version, SNAP_VERSION);
    return -1;
  }
  if (crc32(0, &c, sizeof(c)) != h->hdr_crc) {
    snprintf(err, errlen, "snapshot header is corrupt (CRC mismatch)");
    return -1;
  }
  if (!has_nul(h->name, sizeof(h->name)) || !has_nul(h->disk_id, sizeof(h->disk_id)) ||
      h->nsec < 1 || h->len < sizeof(*h)) {
    snprintf(err, errlen, "snapshot header is malformed");
    return -1;
  }
  return 0;
}

// ---- streams ----

static void stream_init(struct snapstream *s, struct snapio *io, u64 start, u64 nblk, u8 *buf)
{
  memset(s, 0, sizeof(*s));
  s->io = io;
  s->blk = start;
  s->end = start + nblk;
  s->buf = buf;
  if (start < SNAP_DIR_BLOCKS || start > io->nblocks || nblk > io->nblocks - start)
    s->err = -2;
}

void snapw_open(struct snapstream *s, struct snapio *io, u64 start, u64 nblk, u8 *buf)
{
  stream_init(s, io, start, nblk, buf);
}

static void snapw_drain(struct snapstream *s)
{
  u64 n = snap_blocks(s->fill);
  if (s->err || n == 0)
    return;
  if (n > s->end - s->blk) {
    s->err = -2;
    return;
  }
  if (s->fill % SNAP_BLK)
    memset(s->buf + s->fill, 0, SNAP_BLK - s->fill % SNAP_BLK);
  if (s->io->write(s->io->ctx, s->blk, s->buf, n) < 0)
    s->err = -1;
  s->blk += n;
  s->fill = 0;
}

void snapw_put(struct snapstream *s, const void *p, u64 n)
{
  const u8 *src = p;
  s->crc_all = crc32(s->crc_all, p, n);
  s->crc_sec = crc32(s->crc_sec, p, n);
  s->done += n;
  while (n > 0 && !s->err) {
    u64 k = SNAP_IOBUF - s->fill;
    if (k > n)
      k = n;
    memcpy(s->buf + s->fill, src, k);
    s->fill += k;
    src += k;
    n -= k;
    if (s->fill == SNAP_IOBUF)
      snapw_drain(s);
  }
}

void snapw_sec_begin(struct snapstream *s, u32 type, u32 version, u64 len)
{
  struct snap_sec h = { type, version, len };
  s->crc_sec = 0;
  snapw_put(s, &h, sizeof(h));
}

void snapw_sec_end(struct snapstream *s)
{
  static const u8 zero[8];
  if (s->done % 8)
    snapw_put(s, zero, 8 - s->done % 8);
  struct snap_tail t = { s->crc_sec, 0 };
  snapw_put(s, &t, sizeof(t));
}

int snapw_close(struct snapstream *s)
{
  snapw_drain(s);
  return s->err;
}

void snapr_open(struct snapstream *s, struct snapio *io, u64 start, u64 len, u8 *buf)
{
  stream_init(s, io, start, snap_blocks(len), buf);
  s->limit = len;
}

int snapr_get(struct snapstream *s, void *p, u64 n)
{
  u8 *dst = p;
  if (s->err)
    return s->err;
  if (n > s->limit - s->done)
    return s->err = -2;
  u64 want = n;
  while (n > 0) {
    if (s->pos == s->fill) {
      u64 nb = s->end - s->blk;
      if (nb > SNAP_IOBUF / SNAP_BLK)
        nb = SNAP_IOBUF / SNAP_BLK;
      if (nb == 0)
        return s->err = -2;
      if (s->io->read(s->io->ctx, s->blk, s->buf, nb) < 0)
        return s->err = -1;
      s->blk += nb;
      s->fill = nb * SNAP_BLK;
      s->pos = 0;
    }
    u64 k = s->fill - s->pos;
    if (k > n)
      k = n;
    if (dst) {
      memcpy(dst, s->buf + s->pos, k);
      dst += k;
    }
    s->crc_all = crc32(s->crc_all, s->buf + s->pos, k);
    s->crc_sec = crc32(s->crc_sec, s->buf + s->pos, k);
    s->pos += k;
    n -= k;
  }
  s->done += want;
  return 0;
}

static int io_error(struct snapstream *s, char *err, size_t errlen)
{
  if (s->err == -1)
    snprintf(err, errlen, "I/O error reading the snapshot store");
  else
    snprintf(err, errlen, "snapshot is truncated");
  return -1;
}

int snap_walk(struct snapio *io, const struct snap_dirent *e, const struct snap_hdr *want,
              struct snap_hdr *out, const struct snap_visit *v, u8 *buf,
              char *err, size_t errlen)
{
  struct snapstream s;
  struct snap_hdr h;
  snapr_open(&s, io, e->start, e->len, buf);
  if (s.err)
    return io_error(&s, err, errlen);
  if (e->len < sizeof(h) || snapr_get(&s, &h, sizeof(h)) < 0) {
    snprintf(err, errlen, "snapshot '%s' is truncated", e->name);
    return -1;
  }
  if (snap_hdr_check(&h, err, errlen) < 0)
    return -1;
  if (h.len != e->len || h.id != e->id || h.parent != e->parent ||
      strcmp(h.name, e->name) != 0 || h.pages != e->pages) {
    snprintf(err, errlen, "snapshot '%s' does not match its directory entry", e->name);
    return -1;
  }
  if (want) {
    const struct snap_config *a = &h.cfg, *b = &want->cfg;
    if (a->lab != b->lab || a->trap_all != b->trap_all || a->sstc != b->sstc) {
      snprintf(err, errlen, "snapshot '%s' is from another configuration (lab %u TRAP=%s "
               "SSTC=%u; this is lab %u TRAP=%s SSTC=%u)", e->name, a->lab,
               a->trap_all ? "all" : "min", a->sstc, b->lab, b->trap_all ? "all" : "min", b->sstc);
      return -1;
    }
    if (a->guest_mem != b->guest_mem) {
      snprintf(err, errlen, "snapshot '%s' has GUEST_MEM=%luM, this VM has %luM", e->name,
               a->guest_mem >> 20, b->guest_mem >> 20);
      return -1;
    }
  }
  if (out)
    memcpy(out, &h, sizeof(h));
  u8 chunk[256];
  for (u32 i = 0; i < h.nsec; i++) {
    struct snap_sec sh;
    s.crc_sec = 0;
    if (snapr_get(&s, &sh, sizeof(sh)) < 0)
      return io_error(&s, err, errlen);
    if (sh.type >= SEC_NTYPES || sh.len > e->len || (sh.type == SEC_END) != (i == h.nsec - 1) ||
        (sh.type == SEC_END && sh.len != 0)) {
      snprintf(err, errlen, "snapshot '%s' is corrupt (bad section %u)", e->name, i);
      return -1;
    }
    if (v && v->sec && v->sec(v->ctx, sh.type, sh.version, sh.len, err, errlen) < 0)
      return -1;
    u64 padded = (sh.len + 7) & ~7UL;
    for (u64 off = 0; off < padded; ) {
      u64 n = padded - off < sizeof(chunk) ? padded - off : sizeof(chunk);
      if (snapr_get(&s, chunk, n) < 0)
        return io_error(&s, err, errlen);
      u64 real = off >= sh.len ? 0 : (sh.len - off < n ? sh.len - off : n);
      for (u64 k = real; k < n; k++)
        if (chunk[k] != 0) {
          snprintf(err, errlen, "snapshot '%s' is corrupt (section padding)", e->name);
          return -1;
        }
      if (real && v && v->data && v->data(v->ctx, sh.type, off, chunk, real, err, errlen) < 0)
        return -1;
      off += n;
    }
    u32 crc = s.crc_sec;
    struct snap_tail t;
    if (snapr_get(&s, &t, sizeof(t)) < 0)
      return io_error(&s, err, errlen);
    if (t.crc != crc || t.zero != 0) {
      snprintf(err, errlen, "snapshot '%s' is corrupt (section %u CRC mismatch)", e->name, i);
      return -1;
    }
  }
  if (s.done != e->len) {
    snprintf(err, errlen, "snapshot '%s' is corrupt (length)", e->name);
    return -1;
  }
  if (s.crc_all != e->crc) {
    snprintf(err, errlen, "snapshot '%s' is corrupt (stream CRC mismatch)", e->name);
    return -1;
  }
  return 0;
}
#endif
