// virtio_blk.c: the guest's driver for a virtio-blk device on virtio-mmio,
// version 2 (virtio 1.2 §4.2, §5.2). The same driver runs on QEMU's own
// device (natively) and on hv6's model (hyp/virtio_blk.c).
//
// One split virtqueue of VBD_QNUM descriptors; request slot r uses the fixed
// descriptors 3r (header), 3r+1 (data), 3r+2 (status), so up to VBD_NREQ
// requests can be in flight. Completions are collected in one of three
// modes, chosen at initialisation:
//  - polling (vbd_init, VBD_POLL): the available ring asks for no
//    interrupts and vbd_wait spins on the used ring;
//  - interrupt-driven (VBD_IRQ, lab 3's PLIC driver needed): the device's
//    interrupt reaches vbd_intr through the PLIC (plic.c), which
//    acknowledges it and walks the used ring; vbd_wait sleeps in WFI;
//  - interrupts while idle (VBD_IRQ_IDLE): the same, but the available
//    ring asks for no interrupts while the driver is awake (virtio 1.2
//    §2.7.7); vbd_wait collects what is already done itself and asks for
//    the interrupt only before it sleeps. A device that finishes requests
//    during the notification (hv6's model) then raises none at all.
#include "guest-os/defs.h"
#include "guest-os/virtio_blk.h"

struct vbd vbd;

// The queue's memory: descriptor table, then the available ring, then
// (4-byte aligned) the used ring; one page is enough for 64 entries.
static u8 qmem[2 * 4096] __attribute__((aligned(4096)));
static struct virtio_blk_req_hdr hdrs[VBD_NREQ];
static volatile u8 status[VBD_NREQ];

u32 vbd_reg(u32 off) { return vbd.regs[off / 4]; }
void vbd_setreg(u32 off, u32 val) { vbd.regs[off / 4] = val; }

static int vbd_poll(void);

#if LAB >= 3
// The device's interrupt (virtio 1.2 §4.2.3.4), called by plic.c between
// claim and complete. Acknowledge first, then walk the used ring: a
// completion the device publishes after our walk raises the line again,
// so none is lost. A configuration change is how the device says it needs
// a reset (§2.1.2): remember it, so that waiters give up.
static void
vbd_intr(void)
{
  u32 st = vbd_reg(VIRTIO_MMIO_INTERRUPT_STATUS);
  vbd_setreg(VIRTIO_MMIO_INTERRUPT_ACK, st);
  vbd.nirq++;
  if ((st & VIRTIO_INT_CONFIG) &&
      (vbd_reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
    vbd.failed = 1;
  vbd_poll();
}
#endif

// Interrupt mode off: the PLIC stops routing the device to us.
static void
vbd_detach(void)
{
#if LAB >= 3
  if (vbd.intr)
    plic_attach(vbd.irq, 0);
#endif
  vbd.intr = vbd.idle = 0;
}

void
vbd_reset(void)
{
  if (vbd.regs)
    vbd_setreg(VIRTIO_MMIO_STATUS, 0);
  vbd_detach();
  vbd.ready = 0;
}

int
vbd_init(void)
{
  return vbd_init_mode(VBD_POLL);
}

// Find the virtio-blk device at the lowest address (QEMU's
// virtio-mmio-bus.0 when it is there) and initialise it (§3.1.1), with
// completions collected as mode says.
int
vbd_init_mode(int mode)
{
  int intr = mode != VBD_POLL;
  vbd_detach();
  struct fdt_dev *best = 0;
  for (int i = 0; i < plat.nvirtio; i++) {
    volatile u32 *r = (volatile u32 *)plat.virtio[i].base;
    if (r[VIRTIO_MMIO_MAGIC_VALUE / 4] == VIRTIO_MMIO_MAGIC &&
        r[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_BLOCK &&
        (best == 0 || plat.virtio[i].base < best->base))
      best = &plat.virtio[i];
  }
  if (best == 0)
    return -1;
  vbd.regs = (volatile u32 *)best->base;
  vbd.base = best->base;
  vbd.irq = best->irq;
  vbd.ready = 0;
  vbd.failed = 0;
#if LAB >= 3
  if (intr && (!plic_present() || vbd.irq == 0))
    return -8;
#else
  if (intr)
    return -8;                          // no PLIC driver before lab 3
#endif
  if (vbd_reg(VIRTIO_MMIO_VERSION) != 2)
    return -2;
  vbd.vendor = vbd_reg(VIRTIO_MMIO_VENDOR_ID);

  vbd_setreg(VIRTIO_MMIO_STATUS, 0);
  if (vbd_reg(VIRTIO_MMIO_STATUS) != 0)
    return -3;
  u32 st = VIRTIO_STATUS_ACKNOWLEDGE;
  vbd_setreg(VIRTIO_MMIO_STATUS, st);
  st |= VIRTIO_STATUS_DRIVER;
  vbd_setreg(VIRTIO_MMIO_STATUS, st);

  vbd_setreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  u64 f = vbd_reg(VIRTIO_MMIO_DEVICE_FEATURES);
  vbd_setreg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  f |= (u64)vbd_reg(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
  if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
    return -4;
  f &= VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
       VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX);
  vbd.features = f;
  vbd_setreg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  vbd_setreg(VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
  vbd_setreg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  vbd_setreg(VIRTIO_MMIO_DRIVER_FEATURES, (u32)(f >> 32));
  st |= VIRTIO_STATUS_FEATURES_OK;
  vbd_setreg(VIRTIO_MMIO_STATUS, st);
  if (!(vbd_reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
    return -5;

  u32 gen;
  do {
    gen = vbd_reg(VIRTIO_MMIO_CONFIG_GENERATION);
    vbd.capacity = vbd_reg(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY) |
                   (u64)vbd_reg(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
  } while (gen != vbd_reg(VIRTIO_MMIO_CONFIG_GENERATION));

  vbd_setreg(VIRTIO_MMIO_QUEUE_SEL, 0);
  if (vbd_reg(VIRTIO_MMIO_QUEUE_READY) != 0)
    return -6;
  u32 max = vbd_reg(VIRTIO_MMIO_QUEUE_NUM_MAX);
  if (max < VBD_QNUM)
    return -7;
  vbd.qnum = VBD_QNUM;
  memset(qmem, 0, sizeof(qmem));
  vbd.desc = (struct virtq_desc *)qmem;
  vbd.avail = (struct virtq_avail *)(qmem + VIRTQ_DESC_SIZE(VBD_QNUM));
  vbd.used = (struct virtq_used *)(qmem + 4096);
  // The flag is only a hint to the device (§2.7.7): polling mode never
  // enables the source at the PLIC either.
  vbd.avail->flags = mode == VBD_IRQ ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
  vbd.avail_idx = vbd.used_seen = 0;
  memset(vbd.busy, 0, sizeof(vbd.busy));
  memset(vbd.done, 0, sizeof(vbd.done));
  vbd_setreg(VIRTIO_MMIO_QUEUE_NUM, VBD_QNUM);
  vbd_setreg(VIRTIO_MMIO_QUEUE_DESC_LOW, (u64)vbd.desc);
  vbd_setreg(VIRTIO_MMIO_QUEUE_DESC_HIGH, (u64)vbd.desc >> 32);
  vbd_setreg(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u64)vbd.avail);
  vbd_setreg(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u64)vbd.avail >> 32);
  vbd_setreg(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u64)vbd.used);
  vbd_setreg(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u64)vbd.used >> 32);
  vbd_setreg(VIRTIO_MMIO_QUEUE_READY, 1);
#if LAB >= 3
  if (intr) {
    if (plic_attach(vbd.irq, vbd_intr) < 0)
      return -8;
    vbd.intr = 1;
    vbd.idle = mode == VBD_IRQ_IDLE;
  }
#endif
  st |= VIRTIO_STATUS_DRIVER_OK;
  vbd_setreg(VIRTIO_MMIO_STATUS, st);
  vbd.ready = 1;
  return 0;
}

// Put a request on the available ring (not yet notified). buf must be
// physically contiguous (guest kernel memory is identity-mapped).
int
vbd_submit(u32 type, u64 sector, void *buf, u32 len)
{
  int r;
  for (r = 0; r < VBD_NREQ; r++)
    if (!vbd.busy[r])
      break;
  if (r == VBD_NREQ || !vbd.ready)
    return -1;
  vbd.busy[r] = 1;
  vbd.done[r] = 0;
  hdrs[r] = (struct virtio_blk_req_hdr){ type, 0, sector };
  status[r] = 0xff;
  struct virtq_desc *d = &vbd.desc[3 * r];
  int out = type == VIRTIO_BLK_T_OUT;
  d[0] = (struct virtq_desc){ (u64)&hdrs[r], sizeof(hdrs[r]), VIRTQ_DESC_F_NEXT, 3 * r + 1 };
  if (len > 0) {
    d[1] = (struct virtq_desc){ (u64)buf, len,
                                VIRTQ_DESC_F_NEXT | (out ? 0 : VIRTQ_DESC_F_WRITE), 3 * r + 2 };
  } else {
    d[0].next = 3 * r + 2;
  }
  d[2] = (struct virtq_desc){ (u64)&status[r], 1, VIRTQ_DESC_F_WRITE, 0 };
  vbd.avail->ring[vbd.avail_idx % vbd.qnum] = 3 * r;
  fence();                              // descriptors before the index
  vbd.avail->idx = ++vbd.avail_idx;
  return r;
}

void
vbd_kick(void)
{
  fence();                              // the index before the notification
  vbd_setreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

// Collect every completion in the used ring; returns how many. In the
// interrupt modes only vbd_intr calls it, and sleep_for (interrupts off)
// in VBD_IRQ_IDLE.
static int
vbd_poll(void)
{
  int n = 0;
  while (*(volatile u16 *)&vbd.used->idx != vbd.used_seen) {
    fence();                            // the index before the element
    struct virtq_used_elem *e = &vbd.used->ring[vbd.used_seen % vbd.qnum];
    u32 id = e->id;
    if (id % 3 == 0 && id / 3 < VBD_NREQ) {
      vbd.done[id / 3] = 1;
      vbd.used_len[id / 3] = e->len;
    }
    vbd.used_seen++;
    vbd.ncomplete++;
    n++;
  }
  return n;
}

#if LAB >= 3
// Sleep until request slot r is done (or the device failed), with the
// device's interrupt enabled in sie. Each check is made with sstatus.SIE
// off and WFI wakes on a pending enabled interrupt even so (priv spec
// §3.3.3), so a completion between the check and the WFI is not lost;
// SIE is opened after each wake to take it. Before the first sleep a
// pending interrupt is taken (under hv6 the device has usually finished
// during the notification), then a one-shot timer bounds the wait unless
// a tick is running (timer.c), which wakes us anyway (with no timer at
// all the wait is not bounded). Returns 0, or -1 if the device did not
// answer within VBD_TIMEOUT_S (or failed before).
static int
sleep_for(int r)
{
  u64 sie = csr_read(sie), sstatus = csr_read(sstatus), deadline = 0;
  int armed = 0, tick = timer_interval() != 0, ok = 1;
  csr_set(sie, SIP_SEIP);
  csr_set(sstatus, SSTATUS_SIE);         // a completion already signalled
  csr_clear(sstatus, SSTATUS_SIE);
  if (vbd.idle) {
    // Ask for the interrupt, then collect what is done: the device looks
    // at the flag after it publishes a completion, so one it published
    // before seeing the flag cleared is seen here (and raised none).
    vbd.avail->flags = 0;
    fence();
    vbd_poll();
  }
  while (!vbd.done[r] && !vbd.failed) {
    if (deadline == 0) {
      deadline = timer_now() + VBD_TIMEOUT_S * plat.timebase;
      if (!tick && timer_source() != TIMER_NONE) {
        timer_set(deadline);
        csr_set(sie, SIP_STIP);
        armed = 1;
      }
    } else if ((armed || tick) && timer_now() > deadline) {
      vbd.failed = 1;                    // a dead device: the next waits fail at once
      ok = 0;
      break;
    }
    wfi();
    csr_set(sstatus, SSTATUS_SIE);       // take what woke us
    csr_clear(sstatus, SSTATUS_SIE);
  }
  if (vbd.idle)
    vbd.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;   // awake again
  if (armed)
    timer_set(~0UL);                     // (timer_intr disarms it if it fired)
  csr_write(sie, sie);
  if (sstatus & SSTATUS_SIE)             // as the caller had it
    csr_set(sstatus, SSTATUS_SIE);
  return ok && vbd.done[r] ? 0 : -1;
}
#endif

// Wait for request slot r; returns its status byte, or -1 if the device
// did not answer (or asked to be reset). In interrupt mode the driver
// sleeps (sleep_for) unless an earlier wake already collected the slot;
// the interrupt marks the slot done.
int
vbd_wait(int r)
{
  if (r < 0 || r >= VBD_NREQ || !vbd.busy[r])
    return -1;
#if LAB >= 3
  if (vbd.intr && !vbd.done[r] && sleep_for(r) < 0)
    return -1;
#endif
  for (long spins = 0; !vbd.done[r]; spins++) {
    vbd_poll();
    if (vbd.done[r])
      break;
    if (spins % 1024 == 1023 &&
        ((vbd_reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || spins > 50000000))
      return -1;
  }
  vbd.busy[r] = 0;
  fence();
  return status[r];
}

int
vbd_rw(int write, u64 sector, void *buf, u32 len)
{
  int r = vbd_submit(write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, buf, len);
  if (r < 0)
    return -1;
  vbd_kick();
  return vbd_wait(r);
}

int
vbd_flush(void)
{
  int r = vbd_submit(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
  if (r < 0)
    return -1;
  vbd_kick();
  return vbd_wait(r);
}
