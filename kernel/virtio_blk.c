// virtio_blk.c: the host kernel's driver for the real virtio-blk devices of
// QEMU's virt board (virtio 1.2 §5.2, over virtio-mmio version 2, §4.2).
//
// hv6 uses them as backing stores: bus 0 holds the guest's disk (served to
// the guest by hyp/virtio_blk.c), bus 1 the snapshot store (lab 5).
// QEMU names the transports virtio-mmio-bus.0 .. .7 in address order, so
// the bus number of a transport is its rank by base address.
//
// The driver is deliberately simple: synchronous, one batch at a time. A
// request is the usual three-part chain (header, data segments, status
// byte) in the next free descriptors of a single queue, with its header
// and status in its own slot of a page. vblk_start queues a request
// without telling the device; vblk_finish publishes the whole batch with
// one notification and waits (below) until the device has answered
// every request, so the device sees them together and may run them in
// parallel. A read or write that continues the batch's last one on the
// disk is merged into it (vblk_merge). vblk_rw and vblk_flush
// are a batch of one. Data is named by host physical address, so the
// device model can hand the device the guest's own pages (zero copy).
//
// While it waits, the driver first polls the used ring, for at most
// VBLK_POLL_US, with the device asked for no interrupt (virtio 1.2
// §2.7.7): most batches are done by then, and under QEMU TCG a sleep costs
// far more than the wait (the vCPU thread halts and must be woken, and the
// interrupt takes five MMIO accesses to acknowledge and claim, about 1 us
// each). A longer wait sleeps in WFI when the board has a PLIC and the
// hart Sstc, so that a busy loop does not keep a host CPU that QEMU's I/O
// threads need: the driver asks for the interrupt, looks at the used ring
// once more (a request done before it asked raises none), and sleeps; the
// interrupt (enabled at the PLIC and in sie, with sstatus.SIE off so it
// wakes WFI without being taken, priv spec §3.3.3) ends the sleep, and
// stimecmp, moved earlier for the wait if need be, guarantees the timeout.
// The driver acknowledges and claims that interrupt itself; the host's
// interrupt handler (hyp/irq.c) only sees one that came late or was not
// asked for, and calls vblk_intr, which acknowledges it. Without a PLIC
// or Sstc the driver polls until the timeout.
#include "kernel/defs.h"
#include "kernel/param.h"
#include "kernel/virtio.h"

#define VBLK_QSIZE      128   // descriptors per queue (if the device allows)
#define VBLK_TIMEOUT_S  30    // a request not answered by then fails
#define VBLK_POLL_US    200   // poll that long before sleeping (KVM's default halt_poll_ns)
#define VBLK_SLOTS      (VBLK_QSIZE / 3)   // requests per batch
// Above the console's 1, so that vblk_claim's claim returns a disk's interrupt.
#define VBLK_PLIC_PRIORITY 2

// One request's header and status byte (the device reads one, writes the other).
struct vblk_slot {
  struct virtio_blk_req_hdr hdr;
  u8 status;
  u8 pad[15];
};

struct vblk {
  volatile u8 *regs;
  int bus;                    // virtio-mmio-bus.N
  int broken;                 // init failed or a request timed out
  u32 irq;                    // its PLIC source (0: none, poll)
  u64 capacity;               // 512-byte sectors
  u32 maxsegs;                // data descriptors per request
  u32 size_max;               // bytes per data descriptor
  int has_flush;
  u16 qsize;
  u16 avail_idx;              // our copy of avail->idx (ahead of it while a batch is built)
  u16 nextdesc;               // first descriptor not used by the batch
  u16 nreq;                   // requests in the batch (slots 0..nreq-1)
  u32 last_type;              // the batch's last request (vblk_merge):
  u16 last_head, last_nseg;   //  its descriptors head, head+1..head+nseg (data), then status
  u64 last_end;               //  the sector after it
  struct virtq_desc *desc;
  struct virtq_avail *avail;
  struct virtq_used *used;
  volatile struct vblk_slot *slot;  // VBLK_SLOTS of them, in one page
};

static struct vblk devs[MAX_VIRTIO_SLOTS];
static int probed;

static u32 rd(struct vblk *d, u32 off) { return *(volatile u32 *)(d->regs + off); }
static void wr(struct vblk *d, u32 off, u32 v) { *(volatile u32 *)(d->regs + off) = v; }

// Device initialisation, §3.1.1. Returns 0 when the device is ready.
static int vblk_setup(struct vblk *d)
{
  wr(d, VIRTIO_MMIO_STATUS, 0);                       // reset
  while (rd(d, VIRTIO_MMIO_STATUS) != 0)
    ;
  u32 status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
  wr(d, VIRTIO_MMIO_STATUS, status);

  // Features: version 1 is required; take the limits and FLUSH if offered.
  wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  u64 f = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
  wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  f |= (u64)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
  u64 want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
             VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
  if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1)) || (f & VIRTIO_BIT(VIRTIO_BLK_F_RO)))
    goto fail;
  f &= want;
  wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
  wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(f >> 32));
  status |= VIRTIO_STATUS_FEATURES_OK;
  wr(d, VIRTIO_MMIO_STATUS, status);
  if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    goto fail;

  // Configuration space: capacity (u64, read twice around the generation
  // counter so the halves belong together, §2.5.1) and the limits.
  u32 gen;
  do {
    gen = rd(d, VIRTIO_MMIO_CONFIG_GENERATION);
    d->capacity = rd(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY) |
                  (u64)rd(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
  } while (gen != rd(d, VIRTIO_MMIO_CONFIG_GENERATION));
  d->size_max = 1U << 30;
  if (f & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX)) {
    u32 s = rd(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SIZE_MAX);
    if (s >= VIRTIO_BLK_SECTOR && s < d->size_max)
      d->size_max = s;
  }
  d->has_flush = (f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) != 0;

  // Queue 0.
  wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
  if (rd(d, VIRTIO_MMIO_QUEUE_READY) != 0)
    goto fail;
  u32 max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
  if (max < 3)
    goto fail;
  d->qsize = max < VBLK_QSIZE ? max : VBLK_QSIZE;
  d->maxsegs = d->qsize - 2;
  if (f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) {
    u32 s = rd(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX);
    if (s >= 1 && s < d->maxsegs)
      d->maxsegs = s;
  }
  // One page for the descriptor table and the available ring, one for the
  // used ring, one for the requests' headers and status bytes.
  if (d->desc == 0) {
    d->desc = kalloc();
    d->used = kalloc();
    d->slot = kalloc();
    if (d->desc == 0 || d->used == 0 || d->slot == 0)
      goto fail;
  }
  memset(d->desc, 0, PGSIZE);
  memset(d->used, 0, PGSIZE);
  d->avail = (struct virtq_avail *)((u8 *)d->desc + VIRTQ_DESC_SIZE(d->qsize));
  d->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;     // (vblk_sleep asks for it)
  if (d->irq)
    plic_enable(d->irq, VBLK_PLIC_PRIORITY);
  d->avail_idx = 0;
  d->nextdesc = d->nreq = 0;
  wr(d, VIRTIO_MMIO_QUEUE_NUM, d->qsize);
  wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (u64)d->desc);
  wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u64)d->desc >> 32);
  wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u64)d->avail);
  wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u64)d->avail >> 32);
  wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u64)d->used);
  wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u64)d->used >> 32);
  wr(d, VIRTIO_MMIO_QUEUE_READY, 1);

  status |= VIRTIO_STATUS_DRIVER_OK;
  wr(d, VIRTIO_MMIO_STATUS, status);
  d->broken = 0;
  return 0;
fail:
  wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
  d->broken = 1;
  return -1;
}

// Find and initialise every virtio-blk device, once.
static void vblk_probe(void)
{
  probed = 1;
  for (int i = 0; i < platform.nvirtio; i++) {
    // The bus number is the transport's rank by base address.
    int bus = 0;
    for (int j = 0; j < platform.nvirtio; j++)
      if (platform.virtio[j].base < platform.virtio[i].base)
        bus++;
    if (bus >= MAX_VIRTIO_SLOTS)
      continue;
    struct vblk *d = &devs[bus];
    d->regs = (volatile u8 *)platform.virtio[i].base;
    d->bus = bus;
    d->irq = platform.plic.base ? platform.virtio[i].irq : 0;   // main.c set sie then
    d->broken = 1;
    if (rd(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
        rd(d, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
      continue;
    if (rd(d, VIRTIO_MMIO_VERSION) != 2) {
      printf("hv6: virtio-mmio-bus.%d: legacy virtio-blk; run QEMU with "
             "-global virtio-mmio.force-legacy=false\n", bus);
      continue;
    }
    if (vblk_setup(d) < 0)
      printf("hv6: virtio-mmio-bus.%d: virtio-blk did not initialise\n", bus);
  }
}

// The working virtio-blk device on virtio-mmio-bus.<bus>, or 0.
struct vblk *vblk_get(int bus)
{
  if (!probed)
    vblk_probe();
  if (bus < 0 || bus >= MAX_VIRTIO_SLOTS || devs[bus].regs == 0 || devs[bus].broken)
    return 0;
  return &devs[bus];
}

u64 vblk_capacity(struct vblk *d) { return d->capacity; }
u32 vblk_max_segs(struct vblk *d) { return d->maxsegs; }
u32 vblk_seg_size_max(struct vblk *d) { return d->size_max; }

// Acknowledge the device's interrupt (§4.2.2: InterruptStatus, then
// InterruptACK), so that its line drops.
static void vblk_ack(struct vblk *d)
{
  u32 st = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);
  if (st)
    wr(d, VIRTIO_MMIO_INTERRUPT_ACK, st);
}

// The host's interrupt handler claimed source irq: if it is one of ours,
// acknowledge it (a completion seen before its interrupt was raised, or a
// configuration change), or the level-triggered line would fire forever.
void vblk_intr(u32 irq)
{
  for (int i = 0; irq != 0 && i < MAX_VIRTIO_SLOTS; i++)
    if (devs[i].regs && devs[i].irq == irq)
      vblk_ack(&devs[i]);
}

// After a batch: the interrupt that ended the sleep stays pending at the
// PLIC though the device's line is down (plic_pending), and would trap as
// soon as the guest runs again -- one more exit per batch. Claim it here
// instead. The disks' priority is above every other source's, so with
// ours pending the claim returns a disk's interrupt, whichever it is.
static void vblk_claim(struct vblk *d)
{
  if (!plic_pending(d->irq))
    return;
  u32 irq = plic_claim();
  if (irq == 0)
    return;
  vblk_intr(irq);
  plic_complete(irq);
}

// Descriptor i: data segment s, chained to descriptor i + 1.
static void vblk_data_desc(struct vblk *d, u16 i, const struct vblk_seg *s, u32 type)
{
  u16 w = type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE;
  d->desc[i] = (struct virtq_desc){ s->pa, s->len, VIRTQ_DESC_F_NEXT | w, i + 1 };
}

// Append a read or write to the batch's last request if it continues it
// on the disk (the same type, from the sector after it): its data
// descriptors go where the status descriptor was, the status after them,
// a segment that continues the last one in memory joins it. The device
// then gets one request for a run of them, as QEMU's own device merges a
// native guest's neighbours, and has fewer descriptors to map and fewer
// completions to publish. Returns the slot, or -1 if it cannot.
static int vblk_merge(struct vblk *d, u32 type, u64 sector, const struct vblk_seg *seg,
                      int nseg, u64 total)
{
  if (d->nreq == 0 || (type != VIRTIO_BLK_T_IN && type != VIRTIO_BLK_T_OUT) ||
      type != d->last_type || sector != d->last_end)
    return -1;
  u16 i = d->last_head + d->last_nseg;     // the last data descriptor
  struct virtq_desc *last = &d->desc[i], status = d->desc[i + 1];
  int join = last->addr + last->len == seg[0].pa && last->len + seg[0].len <= d->size_max;
  int more = nseg - join;
  if ((u32)(d->last_nseg + more) > d->maxsegs || d->nextdesc + more > d->qsize)
    return -1;
  if (join)
    last->len += seg[0].len;
  for (int k = join; k < nseg; k++)
    vblk_data_desc(d, ++i, &seg[k], type);
  d->desc[i + 1] = status;
  d->nextdesc += more;
  d->last_nseg += more;
  d->last_end += total / VIRTIO_BLK_SECTOR;
  return d->nreq - 1;
}

// Queue one request (type, sector, data segments seg[0..nseg) of total
// bytes) in the batch, merged into the last one if it can be; the device
// does not see it before vblk_finish. Returns its slot, or VBLK_FULL when
// the batch has no room for it.
static int vblk_queue(struct vblk *d, u32 type, u64 sector, const struct vblk_seg *seg,
                      int nseg, u64 total)
{
  int r = vblk_merge(d, type, sector, seg, nseg, total);
  if (r >= 0)
    return r;
  if (d->nreq == VBLK_SLOTS || d->nextdesc + nseg + 2 > d->qsize)
    return VBLK_FULL;
  r = d->nreq++;
  u16 head = d->nextdesc;
  volatile struct vblk_slot *sl = &d->slot[r];
  sl->hdr.type = type;
  sl->hdr.reserved = 0;
  sl->hdr.sector = sector;
  sl->status = 0xff;
  d->desc[head] = (struct virtq_desc){ (u64)&sl->hdr, sizeof(sl->hdr), VIRTQ_DESC_F_NEXT, head + 1 };
  for (int i = 0; i < nseg; i++)
    vblk_data_desc(d, head + 1 + i, &seg[i], type);
  d->desc[head + 1 + nseg] = (struct virtq_desc){ (u64)&sl->status, 1, VIRTQ_DESC_F_WRITE, 0 };
  d->nextdesc += nseg + 2;
  d->avail->ring[d->avail_idx++ % d->qsize] = head;
  d->last_type = type;
  d->last_head = head;
  d->last_nseg = nseg;
  d->last_end = sector + total / VIRTIO_BLK_SECTOR;
  return r;
}

// Queue a read (write=0) or write of sectors [sector, sector + total/512)
// from or to the host-physical segments seg[0..nseg). The caller keeps
// nseg within vblk_max_segs, each length within vblk_seg_size_max and the
// total a non-zero multiple of 512. Returns the request's slot in the
// batch (a request merged into the one before shares its slot, and so its
// status), VBLK_FULL (collect the batch with vblk_finish, then retry), or
// -1 if the request is invalid or the device broken.
int vblk_start(struct vblk *d, int write, u64 sector, const struct vblk_seg *seg, int nseg)
{
  u64 total = 0;
  if (d == 0 || d->broken || nseg < 1 || (u32)nseg > d->maxsegs)
    return -1;
  for (int i = 0; i < nseg; i++) {
    if (seg[i].len == 0 || seg[i].len > d->size_max)
      return -1;
    total += seg[i].len;
  }
  if (total % VIRTIO_BLK_SECTOR || sector > d->capacity ||
      total / VIRTIO_BLK_SECTOR > d->capacity - sector)
    return -1;
  return vblk_queue(d, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, seg, nseg, total);
}

static int vblk_done(struct vblk *d)
{
  return *(volatile u16 *)&d->used->idx == d->avail_idx;
}

// Wait in WFI until the device has answered the batch or the deadline
// passes. The host's one timer belongs to hyp/vtimer.c: nothing it times
// can run before this exit ends anyway, so it waits for the deadline
// meanwhile and gets its stimecmp back afterwards (a time passed meanwhile
// leaves STIP pending, as it would have).
static void vblk_sleep(struct vblk *d, u64 deadline)
{
  d->avail->flags = 0;             // interrupt us from now on
  fence();                         // (before we look at the used ring again)
  u64 cmp = csr_read(CSR_STIMECMP);
  csr_write(CSR_STIMECMP, deadline);
  while (!vblk_done(d) && timer_now() <= deadline)
    wfi();
  csr_write(CSR_STIMECMP, cmp);
  d->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
  fence();
  vblk_ack(d);
  vblk_claim(d);
}

// Hand the batch to the device (one notification) and wait until it has
// answered every request: poll, then sleep (see the top of the file).
// status[i] (if status is not 0) gets slot i's VIRTIO_BLK_S_* byte.
// Returns the number of requests, or -1 if the device went silent (it is
// then disabled). The batch is empty afterwards.
int vblk_finish(struct vblk *d, u8 *status)
{
  int n = d->nreq;
  if (n == 0)
    return 0;
  d->nreq = d->nextdesc = 0;
  if (d->broken)
    return -1;
  fence();                         // descriptors before the index (§2.7.13)
  d->avail->idx = d->avail_idx;
  fence();                         // the index before the notification
  wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  u64 now = timer_now();
  u64 deadline = now + VBLK_TIMEOUT_S * timer_freq();
  u64 poll_end = now + VBLK_POLL_US * timer_freq() / 1000000;
  while (!vblk_done(d) && (now = timer_now()) <= deadline)
    if (now > poll_end && d->irq && host_has_sstc)
      vblk_sleep(d, deadline);
  if (!vblk_done(d)) {
    printf("hv6: virtio-mmio-bus.%d: request timed out; device disabled\n", d->bus);
    d->broken = 1;
    return -1;
  }
  fence();                         // the index before the data it covers
  for (int i = 0; status && i < n; i++)
    status[i] = d->slot[i].status;
  return n;
}

// Finish a batch of the one request just queued in slot r (r < 0: it was
// not queued). The callers refuse to start one while another batch is
// being built, whose statuses would be lost.
static int vblk_one(struct vblk *d, int r)
{
  u8 status[1];
  if (r < 0)
    return -1;
  return vblk_finish(d, status) == 1 ? status[0] : -1;
}

// Read or write synchronously (vblk_start's rules). Returns a
// VIRTIO_BLK_S_* status, or -1 (invalid request, device broken).
int vblk_rw(struct vblk *d, int write, u64 sector, const struct vblk_seg *seg, int nseg)
{
  if (d == 0 || d->nreq != 0)
    return -1;
  return vblk_one(d, vblk_start(d, write, sector, seg, nseg));
}

// Make every completed write durable (VIRTIO_BLK_T_FLUSH). A device
// without FLUSH has no volatile cache: nothing to do.
int vblk_flush(struct vblk *d)
{
  if (d == 0 || d->broken || d->nreq != 0)
    return -1;
  if (!d->has_flush)
    return VIRTIO_BLK_S_OK;
  return vblk_one(d, vblk_queue(d, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0));
}

// Convenience for one host-contiguous buffer (the snapshot code's case).
int vblk_rw_buf(struct vblk *d, int write, u64 sector, void *buf, u64 len)
{
  while (len > 0) {
    u64 n = len;
    if (n > d->size_max)
      n = ROUNDDOWN(d->size_max, VIRTIO_BLK_SECTOR);
    struct vblk_seg s = { (u64)buf, n };
    int r = vblk_rw(d, write, sector, &s, 1);
    if (r != VIRTIO_BLK_S_OK)
      return r;
    buf = (u8 *)buf + n;
    sector += n / VIRTIO_BLK_SECTOR;
    len -= n;
  }
  return VIRTIO_BLK_S_OK;
}
