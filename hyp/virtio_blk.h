// virtio_blk.h: the guest's virtio-blk device (lab 4): the state of the
// virtio-mmio transport (virtio_mmio.c) and of the block device behind it
// (virtio_blk.c). Included by hyp.h; struct vm holds one struct vblkdev.
#pragma once
#include "kernel/virtio.h"

struct vm;
struct vblk;

#define VQ_NUM_MAX   256          // QUEUE_NUM_MAX we offer (queue 0 only)
#define VBLK_SEG_MAX (VQ_NUM_MAX - 2)   // config.seg_max: data descriptors per request

// One split virtqueue as the driver set it up (§2.7, §4.2.3.2).
struct vq_state {
  u32 num;                  // QUEUE_NUM: entries (power of 2, <= VQ_NUM_MAX)
  u32 ready;                // QUEUE_READY
  u64 desc, driver, device; // GPAs of descriptor table, avail ring, used ring
  u16 last_avail;           // avail ring entries the device has consumed
  u16 used_idx;             // the used->idx the device last published
  u32 pad;
};

// Everything the guest can observe of the device: plain bytes, no
// pointers, so a snapshot (lab 5) can save it as it is and restore it with
// vblkdev_restore. Requests are served synchronously inside the
// QUEUE_NOTIFY exit, so no request is ever in flight between exits.
struct vblk_state {
  u32 status;               // device status (§2.1)
  u32 dev_features_sel;
  u32 drv_features_sel;
  u32 queue_sel;
  u64 drv_features;         // what the driver accepted
  u32 int_status;           // VIRTIO_INT_* bits not yet acknowledged
  u32 config_gen;
  struct vq_state vq;
};

// The device: guest-visible state plus its links to the host.
struct vblkdev {
  struct vblk_state st;
  struct vm *vm;
  struct vblk *backend;     // host virtio-blk on bus 0; 0 = no disk (device ID 0)
  u64 capacity;             // sectors of the backing disk
  u64 nreq, nzerocopy, nbounce, nbad;   // statistics
};

// virtio_mmio.c: the register window (VIRTIO_BASE, one slot)
void vblkdev_create(struct vm *vm);      // from vm_create: reset + mmio_register
void vblkdev_reset(struct vblkdev *b);   // status 0: forget the driver's setup

// virtio_blk.c: the block device behind it
u64  vblkdev_features(struct vblkdev *b);
u64  vblkdev_config_read(struct vblkdev *b, u64 off, int width);
int  vblkdev_queue_valid(struct vblkdev *b);           // rings inside guest RAM?
void vblkdev_notify(struct vblkdev *b, u32 queue);     // serve new requests
void vblkdev_needs_reset(struct vblkdev *b, const char *why);
void vblkdev_update_irq(struct vblkdev *b);
int  vblkdev_restore(struct vblkdev *b, const struct vblk_state *s);  // snapshot (lab 5)
