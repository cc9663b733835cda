// virtio_blk.h: the guest's virtio-blk driver (virtio_blk.c), used by
// disktest. Requests may be submitted several at a time (vbd_submit) and
// collected later (vbd_wait); vbd_rw does both. Completions come by
// polling (vbd_init) or by the device's interrupt (vbd_init_mode).
#pragma once
#include "kernel/virtio.h"

// How vbd_wait learns of completions (vbd_init_mode).
#define VBD_POLL      0               // it spins on the used ring; no interrupts
#define VBD_IRQ       1               // every completion interrupts; it sleeps
#define VBD_IRQ_IDLE  2               // interrupts only while it sleeps

#define VBD_QNUM  64                  // queue size the driver asks for
#define VBD_NREQ  (VBD_QNUM / 3)      // requests in flight (3 descriptors each)
#define VBD_TIMEOUT_S 5               // interrupt mode: a request not done by then fails

struct vbd {
  volatile u32 *regs;
  u64 base;
  u32 irq;
  int ready;
  int intr;                           // completions by interrupt (else polled)
  int idle;                           // ... only while vbd_wait sleeps (VBD_IRQ_IDLE)
  volatile int failed;                // DEVICE_NEEDS_RESET, or no interrupt in time
  u32 vendor;
  u64 features;                       // negotiated
  u64 capacity;                       // 512-byte sectors
  u16 qnum;
  u16 avail_idx;                      // next avail->idx to publish
  u16 used_seen;                      // used entries consumed
  struct virtq_desc *desc;
  struct virtq_avail *avail;
  struct virtq_used *used;
  u8 busy[VBD_NREQ];                  // request slot in use
  u8 done[VBD_NREQ];                  // completed, status valid (set by vbd_intr too)
  u32 used_len[VBD_NREQ];             // used-ring len of the completion
  u64 ncomplete, nirq;                // used entries collected; interrupts taken
};

extern struct vbd vbd;

int  vbd_init(void);                               // find + set up, polling; 0 if ready
int  vbd_init_mode(int mode);                      // the same, VBD_POLL/IRQ/IRQ_IDLE
void vbd_reset(void);                              // write 0 to status
u32  vbd_reg(u32 off);
void vbd_setreg(u32 off, u32 val);
int  vbd_submit(u32 type, u64 sector, void *buf, u32 len);   // slot, or -1
void vbd_kick(void);                               // QUEUE_NOTIFY
int  vbd_wait(int slot);                           // VIRTIO_BLK_S_*, or -1 on timeout
int  vbd_rw(int write, u64 sector, void *buf, u32 len);
int  vbd_flush(void);
