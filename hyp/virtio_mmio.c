// virtio_mmio.c: the virtio-mmio transport, version 2 (virtio 1.2 §4.2.2),
// of the guest's one virtio device: a block device (virtio_blk.c) in slot 0
// at VIRTIO_BASE, interrupt VIRTIO_IRQ.
//
// The guest reaches these registers through the MMIO bus (mmio.c): each
// load or store in the window is an exit that lands in vmmio_read or
// vmmio_write. The registers are 32 bits wide; the driver must use aligned
// 32-bit accesses below 0x100 (§4.2.2.2). Anything else, reads of
// write-only registers and writes to read-only ones are ignored (reads
// return 0), so no guest access can do more than a real device allows.
#include "hyp/hyp.h"

#if LAB >= 4
#if SOL >= 4
static void vq_setreg(u64 *reg, int high, u64 val)
{
  if (high)
    *reg = (*reg & 0xffffffffUL) | (val << 32);
  else
    *reg = (*reg & ~0xffffffffUL) | (val & 0xffffffffUL);
}

// Writing the status register (§2.1, §3.1.1). The driver may only add
// bits; DEVICE_NEEDS_RESET is the device's own and stays until reset.
static void status_write(struct vblkdev *b, u32 val)
{
  struct vblk_state *s = &b->st;
  if (val == 0) {
    vblkdev_reset(b);
    return;
  }
  val &= 0xff;
  u32 nr = s->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
  val &= ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;
  if ((val & VIRTIO_STATUS_FEATURES_OK) && !(s->status & VIRTIO_STATUS_FEATURES_OK)) {
    // FEATURES_OK only sticks if the driver took VERSION_1 and nothing we
    // did not offer (§3.1.1 step 5-6); the driver reads it back to know.
    u64 f = s->drv_features;
    if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1)) || (f & ~vblkdev_features(b)))
      val &= ~VIRTIO_STATUS_FEATURES_OK;
  }
  // DRIVER_OK without FEATURES_OK is a driver bug; the device will not
  // serve requests (vblkdev_notify checks FEATURES_OK too).
  s->status = val | nr;
}

static u64 vmmio_read(void *opaque, u64 off, int width)
{
  struct vblkdev *b = opaque;
  struct vblk_state *s = &b->st;
  if (off >= VIRTIO_MMIO_CONFIG)
    return vblkdev_config_read(b, off - VIRTIO_MMIO_CONFIG, width);
  if (width != 4)
    return 0;
  switch (off) {
  case VIRTIO_MMIO_MAGIC_VALUE:
    return VIRTIO_MMIO_MAGIC;
  case VIRTIO_MMIO_VERSION:
    return 2;
  case VIRTIO_MMIO_DEVICE_ID:
    return b->backend ? VIRTIO_ID_BLOCK : 0;   // 0: an empty slot (§4.2.2)
  case VIRTIO_MMIO_VENDOR_ID:
    return VIRTIO_VENDOR_HV6;
  case VIRTIO_MMIO_DEVICE_FEATURES:
    if (s->dev_features_sel > 1)
      return 0;
    return (u32)(vblkdev_features(b) >> (32 * s->dev_features_sel));
  case VIRTIO_MMIO_QUEUE_NUM_MAX:
    return s->queue_sel == 0 ? VQ_NUM_MAX : 0;
  case VIRTIO_MMIO_QUEUE_READY:
    return s->queue_sel == 0 ? s->vq.ready : 0;
  case VIRTIO_MMIO_INTERRUPT_STATUS:
    return s->int_status;
  case VIRTIO_MMIO_STATUS:
    return s->status;
  case VIRTIO_MMIO_CONFIG_GENERATION:
    return s->config_gen;
  }
  return 0;                                   // write-only or reserved
}

static void vmmio_write(void *opaque, u64 off, int width, u64 val)
{
  struct vblkdev *b = opaque;
  struct vblk_state *s = &b->st;
  struct vq_state *q = &s->vq;
  if (off >= VIRTIO_MMIO_CONFIG || width != 4)
    return;                                   // block config is read-only
  u32 v = (u32)val;
  // Queue registers may only change while the queue is not ready (§4.2.2.3).
  int qwritable = s->queue_sel == 0 && !q->ready;
  switch (off) {
  case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
    s->dev_features_sel = v;
    break;
  case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
    s->drv_features_sel = v;
    break;
  case VIRTIO_MMIO_DRIVER_FEATURES:
    // Only during negotiation: after DRIVER, before FEATURES_OK.
    if (s->drv_features_sel <= 1 && (s->status & VIRTIO_STATUS_DRIVER) &&
        !(s->status & VIRTIO_STATUS_FEATURES_OK)) {
      int sh = 32 * s->drv_features_sel;
      s->drv_features = (s->drv_features & ~(0xffffffffUL << sh)) | ((u64)v << sh);
    }
    break;
  case VIRTIO_MMIO_QUEUE_SEL:
    s->queue_sel = v;
    break;
  case VIRTIO_MMIO_QUEUE_NUM:
    if (qwritable)
      q->num = v;
    break;
  case VIRTIO_MMIO_QUEUE_READY:
    if (s->queue_sel != 0)
      break;
    if ((v & 1) && !q->ready) {
      // The queue's layout is checked once, here; a bad one is a driver
      // error the device reports through DEVICE_NEEDS_RESET.
      q->last_avail = 0;
      q->used_idx = 0;
      if (!vblkdev_queue_valid(b)) {
        vblkdev_needs_reset(b, "queue size or ring addresses invalid");
        break;
      }
      q->ready = 1;
    } else if (!(v & 1)) {
      q->ready = 0;
    }
    break;
  case VIRTIO_MMIO_QUEUE_DESC_LOW:
  case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    if (qwritable)
      vq_setreg(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
    break;
  case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
  case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    if (qwritable)
      vq_setreg(&q->driver, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
    break;
  case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
  case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
    if (qwritable)
      vq_setreg(&q->device, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
    break;
  case VIRTIO_MMIO_QUEUE_NOTIFY:
    vblkdev_notify(b, v);
    break;
  case VIRTIO_MMIO_INTERRUPT_ACK:
    s->int_status &= ~v;
    vblkdev_update_irq(b);
    break;
  case VIRTIO_MMIO_STATUS:
    status_write(b, v);
    break;
  }
  // Everything else is read-only or reserved: ignored.
}

// Device reset (status 0, or a new VM): back to the state after power-on.
void vblkdev_reset(struct vblkdev *b)
{
  u32 gen = b->st.config_gen;
  memset(&b->st, 0, sizeof(b->st));
  b->st.config_gen = gen;
  vblkdev_update_irq(b);
}
#else
// Lab 4: the register file of virtio 1.2 §4.2.2 (see labs/virtio/README.md).
// Until it exists the slot reads as all zeros, which no driver accepts.
static u64 vmmio_read(void *opaque, u64 off, int width)
{
  (void)opaque, (void)off, (void)width;
  return 0;
}

static void vmmio_write(void *opaque, u64 off, int width, u64 val)
{
  (void)opaque, (void)off, (void)width, (void)val;
}

void vblkdev_reset(struct vblkdev *b)
{
  memset(&b->st, 0, sizeof(b->st));
}
#endif

// Called from vm_create: connect the device to its backing disk (the
// host's virtio-blk on bus 0) and to the MMIO bus.
void vblkdev_create(struct vm *vm)
{
  static struct mmio_dev dev;
  struct vblkdev *b = &vm->vblk;
  memset(b, 0, sizeof(*b));
  b->vm = vm;
  b->backend = vblk_get(0);
  b->capacity = b->backend ? vblk_capacity(b->backend) : 0;
  vblkdev_reset(b);
  dev = (struct mmio_dev){ .name = "virtio-blk", .base = VIRTIO_BASE, .size = VIRTIO_SIZE,
                           .read = vmmio_read, .write = vmmio_write, .opaque = b };
  mmio_register(vm, &dev);
}
#endif
