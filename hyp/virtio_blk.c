// virtio_blk.c: the block device behind the guest's virtio-mmio slot
// (virtio 1.2 §5.2), backed by the host's real virtio-blk on bus 0.
//
// The path of one request: the guest driver fills descriptors and the
// available ring in its own RAM and writes QUEUE_NOTIFY -> MMIO exit ->
// virtio_mmio.c -> vblkdev_notify here: for each new available entry walk
// the descriptor chain (checking every index, flag, address and length),
// read the 16-byte header, move the data between guest RAM and the host
// disk (kernel/virtio_blk.c) and write the status byte; then publish the
// chain in the used ring and raise VIRTIO_IRQ through the vPLIC. The
// zero-copy requests of one notification go to the host device as one
// batch (vblk_start ... vblk_finish), so it can work on them together, as
// QEMU's own device does for a native guest; their status bytes and used
// elements are written when the batch is collected, before the exit ends.
//
// Every guest-controlled value is checked before use: descriptor indices
// against the queue size, chains against the queue size (a longer chain
// has a loop), ring and buffer ranges against guest RAM (gmem.c), sectors
// against the capacity. A request the device can answer gets a status
// (IOERR, UNSUPP); a ring the device cannot make sense of sets
// DEVICE_NEEDS_RESET and a configuration-change interrupt, and the device
// stops until the driver resets it. The VM keeps running either way.
#include "hyp/hyp.h"

#if LAB >= 4
// Features we offer (§6, §5.2.3).
u64 vblkdev_features(struct vblkdev *b)
{
  (void)b;
  return VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
         VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
}

// The configuration space (§5.2.4): capacity, seg_max, blk_size; the rest
// reads as 0. Any width, as long as it stays inside one aligned field.
u64 vblkdev_config_read(struct vblkdev *b, u64 off, int width)
{
  u8 cfg[VIRTIO_BLK_CFG_SIZE];
  memset(cfg, 0, sizeof(cfg));
  u64 cap = b->capacity;
  u32 segmax = VBLK_SEG_MAX, blksize = VIRTIO_BLK_SECTOR;
  memcpy(cfg + VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
  memcpy(cfg + VIRTIO_BLK_CFG_SEG_MAX, &segmax, 4);
  memcpy(cfg + VIRTIO_BLK_CFG_BLK_SIZE, &blksize, 4);
  if (width < 1 || width > 8 || off % width || off >= sizeof(cfg) ||
      width > (int)(sizeof(cfg) - off))
    return 0;
  u64 v = 0;
  memcpy(&v, cfg + off, width);
  return v;
}

// Raise or lower VIRTIO_IRQ to match the interrupt status (level-triggered).
void vblkdev_update_irq(struct vblkdev *b)
{
  vplic_set_level(b->vm, VIRTIO_IRQ, b->st.int_status != 0);
}

#if SOL >= 4
static const char blk_id[VIRTIO_BLK_ID_BYTES] = "hv6-virtio-blk";

// The driver broke the rules of the ring (§2.1.2): tell it, and stop.
void vblkdev_needs_reset(struct vblkdev *b, const char *why)
{
  (void)why;   // (a debugging printf here would let a guest flood the console)
  b->nbad++;
  if (b->st.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
    return;
  b->st.status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
  if (b->st.status & VIRTIO_STATUS_DRIVER_OK) {
    b->st.int_status |= VIRTIO_INT_CONFIG;
    vblkdev_update_irq(b);
  }
}

static int is_pow2(u32 x) { return x && !(x & (x - 1)); }

// Are the queue size and the three rings acceptable (§2.7, Table 2.2)?
int vblkdev_queue_valid(struct vblkdev *b)
{
  struct vq_state *q = &b->st.vq;
  return is_pow2(q->num) && q->num <= VQ_NUM_MAX &&
         q->desc % VIRTQ_DESC_ALIGN == 0 && q->driver % VIRTQ_AVAIL_ALIGN == 0 &&
         q->device % VIRTQ_USED_ALIGN == 0 &&
         gmem_is_ram(b->vm, q->desc, VIRTQ_DESC_SIZE(q->num)) &&
         gmem_is_ram(b->vm, q->driver, VIRTQ_AVAIL_SIZE(q->num)) &&
         gmem_is_ram(b->vm, q->device, VIRTQ_USED_SIZE(q->num));
}

// One guest buffer of a chain, after checking.
struct gseg {
  u64 gpa;
  u64 len;
  int write;       // device-writable
  u8 *host;        // where it is in host memory if host-contiguous, else 0
};

// Scratch space for one notification (not device state: empty between
// exits): copies of the descriptor table and the available ring when they
// are not host-contiguous (ring_view), one request's chain and buffers.
static struct virtq_desc desc_copy[VQ_NUM_MAX];
static u16 avail_copy[VQ_NUM_MAX];
static struct gseg chain[VQ_NUM_MAX];
static struct gseg data[VQ_NUM_MAX];
static struct vblk_seg hseg[VBLK_SEG_MAX];
static u8 bounce[64 * 1024] __attribute__((aligned(4096)));

// The requests of the host batch (in flight on the host device): what to
// write into the guest's rings when the batch is collected.
struct pending {
  u16 head;
  u32 written;              // used length if the request succeeds
  u8 *status;               // the status byte, in host memory
  int slot;                 // its slot in the host batch
};
static struct pending pend[VQ_NUM_MAX];
static int npend;

// transfer(): the request went into the host batch; its status comes later.
#define S_PENDING 0x100

// Guest ranges translated during this notification: [gpa, gpa + len) is
// guest RAM at host address host, checked and translated through the
// G-stage once (gmem_span) for the rings, headers, status bytes and data
// of every request instead of once per access. Only within one exit: the
// G-stage tables may change between exits (snapshots, dirty tracking).
#define NSPAN 4
static struct span {
  u64 gpa, len;
  u8 *host;
} spans[NSPAN];
static int nextspan;
// The two spans used last, most recent first: a request's header and
// status byte usually share one, its data the other, so almost every
// lookup ends at one of these two without scanning.
static int hot0, hot1 = 1;

static void spans_forget(void)
{
  memset(spans, 0, sizeof(spans));
}

static int span_has(int i, u64 gpa)
{
  return gpa - spans[i].gpa < spans[i].len;   // (gpa below it wraps: no match)
}

// The index of the span holding gpa (translated and cached if no span
// does yet), made the most recent; -1 if gpa is not guest RAM or the host
// is out of memory. (Out of line: most lookups end at the two hot spans.)
static __attribute__((noinline)) int span_miss(struct vblkdev *b, u64 gpa)
{
  int i = 0;
  while (i < NSPAN && !span_has(i, gpa))
    i++;
  if (i == NSPAN) {
    u64 n;
    u8 *host = gmem_span(b->vm, gpa, &n);
    if (host == 0)
      return -1;
    i = nextspan;
    spans[i] = (struct span){ gpa, n, host };
    nextspan = (nextspan + 1) % NSPAN;
  }
  hot1 = hot0;
  hot0 = i;
  return i;
}

// gmem_span through the cache: the host address of gpa, and in *n how
// many bytes from there on are host-contiguous guest RAM (0: not RAM, or
// the host is out of memory).
static inline u8 *span_at(struct vblkdev *b, u64 gpa, u64 *n)
{
  int i = hot0;
  if (!span_has(i, gpa)) {
    if (span_has(hot1, gpa)) {
      i = hot1;
      hot1 = hot0;
      hot0 = i;
    } else if ((i = span_miss(b, gpa)) < 0) {
      return 0;
    }
  }
  *n = spans[i].len - (gpa - spans[i].gpa);
  return spans[i].host + (gpa - spans[i].gpa);
}

// The host address of [gpa, gpa+len), or 0 if it is not all guest RAM
// under one G-stage leaf (then gmem_read/gmem_write go page by page).
static inline u8 *gptr(struct vblkdev *b, u64 gpa, u64 len)
{
  u64 n;
  u8 *host = span_at(b, gpa, &n);
  return host && n >= len ? host : 0;
}

// gmem_read and gmem_write through the cache.
static int vq_read(struct vblkdev *b, u64 gpa, void *dst, u64 len)
{
  u8 *p = gptr(b, gpa, len);
  if (p == 0)
    return gmem_read(b->vm, gpa, dst, len);
  memcpy(dst, p, len);
  return 0;
}

static int vq_write(struct vblkdev *b, u64 gpa, const void *src, u64 len)
{
  u8 *p = gptr(b, gpa, len);
  if (p == 0)
    return gmem_write(b->vm, gpa, src, len);
  memcpy(p, src, len);
  return 0;
}

// The guest's ring [gpa, gpa+len) for reading: where it is in host memory
// if it is host-contiguous (one translation for the whole notification),
// else a copy in buf. 0 if it cannot be read.
static const void *ring_view(struct vblkdev *b, u64 gpa, u64 len, void *buf)
{
  const void *p = gptr(b, gpa, len);
  if (p == 0 && gmem_read(b->vm, gpa, buf, len) == 0)
    p = buf;
  return p;
}

// The descriptor table and the available ring of this notification, and
// the used ring's elements if they are host-contiguous (else 0).
static const struct virtq_desc *desc;
static const u16 *avail_ring;
static struct virtq_used_elem *used_ring;
// The host device's limits for one request: segments (at most hseg's),
// bytes per segment (whole pages, at least a sector).
static u32 host_maxsegs;
static u64 host_segmax;

// Add one finished chain to the used ring (§2.7.8). The index that
// publishes it is written once per notification (used_publish).
static int used_add(struct vblkdev *b, u16 head, u32 written)
{
  struct vq_state *q = &b->st.vq;
  struct virtq_used_elem e = { head, written };
  u32 at = q->used_idx % q->num;
  if (used_ring)
    used_ring[at] = e;
  else if (vq_write(b, q->device + 4 + 8UL * at, &e, sizeof(e)) < 0)
    return -1;
  q->used_idx++;
  return 0;
}

static int used_publish(struct vblkdev *b)
{
  fence();                         // the elements (and the data) before the index
  return vq_write(b, b->st.vq.device + 2, &b->st.vq.used_idx, 2);
}

// Wait for the host batch and complete its requests in the guest's rings.
// -1 (the device then needs a reset) if the rings cannot be written.
static int collect(struct vblkdev *b)
{
  u8 st[VQ_NUM_MAX];
  if (npend == 0)
    return 0;
  int n = vblk_finish(b->backend, st), r = 0;
  for (int i = 0; i < npend && r == 0; i++) {
    struct pending *p = &pend[i];
    u8 status = n > p->slot && st[p->slot] == VIRTIO_BLK_S_OK ? VIRTIO_BLK_S_OK
                                                              : VIRTIO_BLK_S_IOERR;
    *p->status = status;
    if (used_add(b, p->head, status == VIRTIO_BLK_S_OK ? p->written : 1) < 0)
      r = -1;
  }
  npend = 0;
  if (r < 0)
    vblkdev_needs_reset(b, "used ring unwritable");
  return r;
}

// Walk the chain that starts at head into chain[], each buffer translated
// to host memory once; returns its length, or -1 if it is
// malformed: index out of range, more descriptors than the queue holds
// (so it loops), INDIRECT (not offered), an empty buffer or one outside
// guest RAM, or a readable buffer after a writable one. So the last
// buffer, if it is writable, is the one that ends with the status byte.
static int walk_chain(struct vblkdev *b, u16 head)
{
  struct vq_state *q = &b->st.vq;
  int n = 0, seen_write = 0;
  u32 i = head;
  for (;;) {
    if (i >= q->num || n >= (int)q->num)
      return -1;
    struct virtq_desc d = desc[i];
    if (d.flags & VIRTQ_DESC_F_INDIRECT)
      return -1;
    int w = (d.flags & VIRTQ_DESC_F_WRITE) != 0;
    // Zero-length buffers are refused, as QEMU's own device does. A
    // buffer gptr finds is in guest RAM; one it does not (not under one
    // G-stage leaf) is checked whole.
    u8 *host = d.len ? gptr(b, d.addr, d.len) : 0;
    if (d.len == 0 || (host == 0 && !gmem_is_ram(b->vm, d.addr, d.len)))
      return -1;
    if (seen_write && !w)
      return -1;
    seen_write |= w;
    chain[n++] = (struct gseg){ d.addr, d.len, w, host };
    if (!(d.flags & VIRTQ_DESC_F_NEXT))
      return n;
    i = d.next;
  }
}

// Copy len bytes at the start of the readable part of the chain into buf.
static int chain_read(struct vblkdev *b, int n, void *buf, u64 len)
{
  u8 *p = buf;
  for (int i = 0; i < n && len > 0; i++) {
    if (chain[i].write)
      break;
    u64 k = chain[i].len < len ? chain[i].len : len;
    if (chain[i].host)
      memcpy(p, chain[i].host, k);
    else if (vq_read(b, chain[i].gpa, p, k) < 0)
      return -1;
    p += k;
    len -= k;
  }
  return len == 0 ? 0 : -1;
}

// Where the bounce path is in data[]: segment i, offset off within it.
struct cursor {
  int i;
  u64 off;
};

// Copy n bytes between bounce[0..n) and the guest segments from *at on
// (to_guest: bounce -> guest), advancing *at.
static int bounce_copy(struct vblkdev *b, struct cursor *at, u64 n, int to_guest)
{
  for (u64 done = 0; done < n;) {
    struct gseg *g = &data[at->i];
    u64 k = g->len - at->off < n - done ? g->len - at->off : n - done;
    int r = to_guest ? gmem_write(b->vm, g->gpa + at->off, bounce + done, k)
                     : gmem_read(b->vm, g->gpa + at->off, bounce + done, k);
    if (r < 0)
      return -1;
    done += k;
    if ((at->off += k) == g->len)
      at->i++, at->off = 0;
  }
  return 0;
}

// Move total bytes between the disk at sector and the guest buffers
// data[0..nd) (all checked to be in guest RAM). Zero copy when every
// buffer is 512-byte aligned: each guest buffer (or page, if the buffer
// is not host-contiguous) is then handed to the host device by its host
// physical address, adjacent ones merged; the last (usually the only)
// host request of it joins the host batch (S_PENDING, its slot in *slot).
// Otherwise the data goes through a bounce buffer, synchronously. Returns
// a VIRTIO_BLK_S_* status, S_PENDING, or -1 if the guest's rings could
// not be written (collect).
static int transfer(struct vblkdev *b, int write, u64 sector, int nd, u64 total,
                    int aligned, int *slot)
{
  struct vblk *d = b->backend;
  if (aligned) {
    u32 maxsegs = host_maxsegs;
    u64 segmax = host_segmax;
    u32 ns = 0;
    u64 bytes = 0;
    for (int i = 0; i < nd; i++) {
      u64 gpa = data[i].gpa, left = data[i].len;
      u8 *host = data[i].host;                    // (0: span by span)
      while (left > 0) {
        u64 n = left;
        // (span_at populates guest RAM: 0 if the host is out of memory)
        if (data[i].host == 0 && (host = span_at(b, gpa, &n)) == 0)
          return VIRTIO_BLK_S_IOERR;
        if (n > left)
          n = left;
        if (n > segmax)
          n = segmax;
        u64 hpa = (u64)host;
        if (ns > 0 && hseg[ns - 1].pa + hseg[ns - 1].len == hpa &&
            hseg[ns - 1].len + n <= segmax) {
          hseg[ns - 1].len += n;                  // physically adjacent
        } else {
          if (ns == maxsegs) {                    // full: send what we have
            if (collect(b) < 0)                   // (synchronous calls need
              return -1;                          //  an empty batch)
            if (vblk_rw(d, write, sector, hseg, ns) != VIRTIO_BLK_S_OK)
              return VIRTIO_BLK_S_IOERR;
            sector += bytes / VIRTIO_BLK_SECTOR;
            ns = 0;
            bytes = 0;
          }
          hseg[ns++] = (struct vblk_seg){ hpa, n };
        }
        bytes += n;
        gpa += n;
        host += n;
        left -= n;
      }
    }
    b->nzerocopy++;
    if (ns == 0)
      return VIRTIO_BLK_S_OK;
    if ((*slot = vblk_start(d, write, sector, hseg, ns)) == VBLK_FULL) {
      if (collect(b) < 0)
        return -1;
      *slot = vblk_start(d, write, sector, hseg, ns);
    }
    return *slot < 0 ? VIRTIO_BLK_S_IOERR : S_PENDING;
  }
  // Bounce: chunks of the bounce buffer, gathered from / scattered to the
  // guest buffers in order.
  if (collect(b) < 0)
    return -1;
  struct cursor at = { 0, 0 };
  while (total > 0) {
    u64 chunk = total < sizeof(bounce) ? total : sizeof(bounce);
    if (write) {
      if (bounce_copy(b, &at, chunk, 0) < 0 ||
          vblk_rw_buf(d, 1, sector, bounce, chunk) != VIRTIO_BLK_S_OK)
        return VIRTIO_BLK_S_IOERR;
    } else {
      if (vblk_rw_buf(d, 0, sector, bounce, chunk) != VIRTIO_BLK_S_OK ||
          bounce_copy(b, &at, chunk, 1) < 0)
        return VIRTIO_BLK_S_IOERR;
    }
    sector += chunk / VIRTIO_BLK_SECTOR;
    total -= chunk;
  }
  b->nbounce++;
  return VIRTIO_BLK_S_OK;
}

// Serve the request whose chain starts at head. Returns 0 when it is done
// (*written: the bytes written into the chain, for the used ring), 1 when
// it waits in the host batch (collect finishes it), or -1 if the chain is
// malformed and the device must stop.
static int serve(struct vblkdev *b, u16 head, u32 *written)
{
  int n = walk_chain(b, head);
  if (n < 0)
    return -1;
  // The layout of §5.2.6: header (readable), data, status (last writable byte).
  struct virtio_blk_req_hdr hdr;
  if (chain_read(b, n, &hdr, sizeof(hdr)) < 0)
    return -1;
  int last = n - 1;                              // (walk_chain: writable ones last)
  if (!chain[last].write)
    return -1;                                   // nowhere to put the status
  u8 *status_at = chain[last].host ? chain[last].host + chain[last].len - 1
                                   : gptr(b, chain[last].gpa + chain[last].len - 1, 1);
  if (status_at == 0)
    return -1;

  // The data buffers: readable bytes after the header (OUT), or writable
  // bytes before the status byte (IN, GET_ID).
  int in = hdr.type != VIRTIO_BLK_T_OUT;
  int nd = 0, aligned = 1;
  u64 total = 0, skip = in ? 0 : sizeof(hdr);
  for (int i = 0; i < n; i++) {
    struct gseg g = chain[i];
    if (g.write != in)
      continue;
    if (i == last)
      g.len--;                                   // the status byte
    if (skip >= g.len) {
      skip -= g.len;
      continue;
    }
    g.gpa += skip;
    g.len -= skip;
    if (g.host)
      g.host += skip;
    skip = 0;
    data[nd++] = g;
    total += g.len;
    aligned &= g.gpa % VIRTIO_BLK_SECTOR == 0 && g.len % VIRTIO_BLK_SECTOR == 0;
  }

  u8 status = VIRTIO_BLK_S_OK;
  *written = 1;
  switch (hdr.type) {
  case VIRTIO_BLK_T_IN:
  case VIRTIO_BLK_T_OUT: {
    int slot, r = VIRTIO_BLK_S_IOERR;
    if (total > 0 && total % VIRTIO_BLK_SECTOR == 0 && hdr.sector <= b->capacity &&
        total / VIRTIO_BLK_SECTOR <= b->capacity - hdr.sector)
      r = transfer(b, !in, hdr.sector, nd, total, aligned, &slot);
    if (r < 0)
      return -1;
    if (r == S_PENDING) {
      pend[npend++] = (struct pending){ head, in ? 1 + total : 1, status_at, slot };
      b->nreq++;
      return 1;
    }
    status = r;
    if (in && status == VIRTIO_BLK_S_OK)
      *written += total;
    break;
  }
  case VIRTIO_BLK_T_FLUSH:
    // Every write before it must be done, so the batch goes first.
    if (collect(b) < 0)
      return -1;
    status = vblk_flush(b->backend) == VIRTIO_BLK_S_OK ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
    break;
  case VIRTIO_BLK_T_GET_ID: {
    u64 left = total < VIRTIO_BLK_ID_BYTES ? total : VIRTIO_BLK_ID_BYTES;
    const char *p = blk_id;
    for (int i = 0; i < nd && left > 0; i++) {
      u64 k = data[i].len < left ? data[i].len : left;
      if (vq_write(b, data[i].gpa, p, k) < 0)
        return -1;
      p += k;
      left -= k;
      *written += k;
    }
    break;
  }
  default:
    status = VIRTIO_BLK_S_UNSUPP;
  }
  *status_at = status;
  b->nreq++;
  return 0;
}

// QUEUE_NOTIFY: serve every request the driver has made available since
// the last time, in order. Requests complete before this returns.
void vblkdev_notify(struct vblkdev *b, u32 queue)
{
  struct vblk_state *s = &b->st;
  struct vq_state *q = &s->vq;
  u32 need = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
  // Before DRIVER_OK, or on a queue that does not exist or is not ready,
  // a notification means nothing (§2.1.2: no buffers are used before
  // DRIVER_OK). A device that needs reset does nothing until it is reset.
  if (queue != 0 || !q->ready || (s->status & need) != need ||
      (s->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || b->backend == 0)
    return;
  spans_forget();                    // translations of an earlier exit
  host_maxsegs = vblk_max_segs(b->backend);
  if (host_maxsegs > NELEM(hseg))
    host_maxsegs = NELEM(hseg);
  host_segmax = ROUNDDOWN(vblk_seg_size_max(b->backend), PGSIZE);
  if (host_segmax == 0)
    host_segmax = VIRTIO_BLK_SECTOR;
  u16 avail_idx, flags;
  if (vq_read(b, q->driver + 2, &avail_idx, 2) < 0) {
    vblkdev_needs_reset(b, "available ring unreadable");
    return;
  }
  // The driver can be at most a full queue ahead of us (§2.7.6).
  if ((u16)(avail_idx - q->last_avail) > q->num) {
    vblkdev_needs_reset(b, "available index out of range");
    return;
  }
  fence();                           // the index before the entries it covers
  desc = ring_view(b, q->desc, VIRTQ_DESC_SIZE(q->num), desc_copy);
  avail_ring = ring_view(b, q->driver + 4, 2UL * q->num, avail_copy);
  used_ring = (struct virtq_used_elem *)gptr(b, q->device + 4, 8UL * q->num);
  if (desc == 0 || avail_ring == 0) {
    vblkdev_needs_reset(b, "rings unreadable");
    return;
  }
  u16 used0 = q->used_idx;
  while (q->last_avail != avail_idx) {
    u16 head = avail_ring[q->last_avail % q->num];
    u32 written = 0;
    int r = serve(b, head, &written);
    if (r < 0) {
      vblkdev_needs_reset(b, "malformed descriptor chain");
      break;
    }
    q->last_avail++;
    if (r == 0 && used_add(b, head, written) < 0) {
      vblkdev_needs_reset(b, "used ring unwritable");
      break;
    }
  }
  // The host batch is never left in flight: the guest's rings and the host
  // device are both quiet when the exit ends (and for snapshots).
  collect(b);
  if (q->used_idx != used0 && used_publish(b) < 0)
    vblkdev_needs_reset(b, "used ring unwritable");
  fence();                           // the index before the interrupt
  if (q->used_idx != used0 && vq_read(b, q->driver, &flags, 2) == 0 &&
      !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT)) {
    s->int_status |= VIRTIO_INT_USED_RING;
    vblkdev_update_irq(b);
  }
}

// Take over the state a snapshot saved. The bytes come from a file, so
// they are checked like any guest input: a queue that does not fit the
// rules is marked as needing reset rather than trusted.
int vblkdev_restore(struct vblkdev *b, const struct vblk_state *s)
{
  b->st = *s;
  b->st.status &= 0xff;
  b->st.int_status &= VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG;
  if (b->st.vq.ready && !vblkdev_queue_valid(b)) {
    b->st.vq.ready = 0;
    vblkdev_needs_reset(b, "restored queue invalid");
  }
  vblkdev_update_irq(b);
  return 0;
}
#else
// Lab 4: walk the available ring and the descriptor chains, serve the
// requests, fill the used ring (see labs/virtio/README.md).
void vblkdev_needs_reset(struct vblkdev *b, const char *why)
{
  (void)why;
  b->st.status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}

int vblkdev_queue_valid(struct vblkdev *b)
{
  (void)b;
  return 0;
}

void vblkdev_notify(struct vblkdev *b, u32 queue)
{
  (void)b, (void)queue;
}

int vblkdev_restore(struct vblkdev *b, const struct vblk_state *s)
{
  b->st = *s;
  return 0;
}
#endif
#endif
