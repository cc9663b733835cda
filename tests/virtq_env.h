// virtq_env.h: a fake VM for testing the virtio-blk device model
// (hyp/virtio_mmio.c + hyp/virtio_blk.c) natively: a small guest RAM whose
// pages are scattered in host memory (so "host physical" runs are not
// what the guest sees as contiguous), a RAM-disk backend in place of the
// host's virtio-blk driver (kernel/virtio_blk.c, batches included), the MMIO bus and the
// vPLIC line, plus a tiny guest driver to build queues and requests.
// Used by tests/test_virtq.c and tests/fuzz_virtq.c (one includes it once).
#pragma once
#include "hyp/hyp.h"
#include "tests/fake_host.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#define ENV_RAM_PAGES 64                       // 256 KiB of guest RAM
#define ENV_RAM_SIZE  (ENV_RAM_PAGES * 4096UL)
#define ENV_DISK_SECTORS 256
#define ENV_MAXSEGS   4                        // backend: segments per request
#define ENV_SEGSIZE   8192                     // backend: bytes per segment

struct vm the_vm;
static u8 *env_page[ENV_RAM_PAGES];            // guest page i -> its host page
static u8 *env_disk;
static const struct mmio_dev *env_dev;
static int env_irq_level, env_flushes, env_backend_calls, env_bad_pa;

// Is [pa, pa+len) inside one backing page run of guest RAM?
static int env_pa_ok(u64 pa, u64 len)
{
  for (int i = 0; i < ENV_RAM_PAGES; i++) {
    u64 base = (u64)env_page[i];
    if (pa >= base && pa < base + 4096) {
      // may run on into following host pages only if they back guest RAM
      u64 end = pa + len;
      u64 p = base;
      while (end > p + 4096) {
        p += 4096;
        int found = 0;
        for (int j = 0; j < ENV_RAM_PAGES; j++)
          if ((u64)env_page[j] == p)
            found = 1;
        if (!found)
          return 0;
      }
      return 1;
    }
  }
  return 0;
}

// ---- what hyp/ calls ----
void *gmem_page(struct vm *vm, u64 gpa)
{
  if (!gmem_is_ram(vm, gpa, 1))
    return 0;
  return env_page[(gpa - GUEST_RAM_BASE) / 4096];
}

// The run of host-contiguous guest pages from gpa on (pages 0..31 are one).
void *gmem_span(struct vm *vm, u64 gpa, u64 *n)
{
  u8 *page = gmem_page(vm, gpa);
  if (page == 0)
    return 0;
  u64 i = (gpa - GUEST_RAM_BASE) / 4096, j = i + 1;
  while (j < ENV_RAM_PAGES && env_page[j] == env_page[j - 1] + 4096)
    j++;
  *n = (j - i) * 4096 - gpa % 4096;
  return page + gpa % 4096;
}

void mmio_register(struct vm *vm, const struct mmio_dev *dev)
{
  (void)vm;
  env_dev = dev;
}

void vplic_set_level(struct vm *vm, u32 irq, int level)
{
  (void)vm;
  if (irq == VIRTIO_IRQ)
    env_irq_level = level;
}

struct vblk { int dummy; };
static struct vblk env_vblk;
static int env_no_disk;
struct vblk *vblk_get(int bus) { return bus == 0 && !env_no_disk ? &env_vblk : 0; }
u64 vblk_capacity(struct vblk *d) { (void)d; return ENV_DISK_SECTORS; }
u32 vblk_max_segs(struct vblk *d) { (void)d; return ENV_MAXSEGS; }
u32 vblk_seg_size_max(struct vblk *d) { (void)d; return ENV_SEGSIZE; }
int vblk_flush(struct vblk *d) { (void)d; env_flushes++; return VIRTIO_BLK_S_OK; }

int vblk_rw(struct vblk *d, int write, u64 sector, const struct vblk_seg *seg, int nseg)
{
  (void)d;
  env_backend_calls++;
  u64 total = 0;
  if (nseg < 1 || nseg > ENV_MAXSEGS)
    return env_bad_pa++, -1;
  for (int i = 0; i < nseg; i++) {
    if (seg[i].len == 0 || seg[i].len > ENV_SEGSIZE || !env_pa_ok(seg[i].pa, seg[i].len))
      return env_bad_pa++, -1;
    total += seg[i].len;
  }
  if (total % 512 || sector > ENV_DISK_SECTORS || total / 512 > ENV_DISK_SECTORS - sector)
    return env_bad_pa++, VIRTIO_BLK_S_IOERR;
  u8 *p = env_disk + sector * 512;
  for (int i = 0; i < nseg; i++) {
    if (write)
      memcpy(p, (void *)seg[i].pa, seg[i].len);
    else
      memcpy((void *)seg[i].pa, p, seg[i].len);
    p += seg[i].len;
  }
  return VIRTIO_BLK_S_OK;
}

// The batch: each request is done at once, its status kept for
// vblk_finish. Few slots, so that the model's "batch full" path runs.
#define ENV_SLOTS 4
static u8 env_slot_status[ENV_SLOTS];
static int env_nslots, env_batches;

int vblk_start(struct vblk *d, int write, u64 sector, const struct vblk_seg *seg, int nseg)
{
  if (env_nslots == ENV_SLOTS)
    return VBLK_FULL;
  int st = vblk_rw(d, write, sector, seg, nseg);
  if (st < 0 || st == VIRTIO_BLK_S_IOERR)
    return -1;
  env_slot_status[env_nslots] = st;
  return env_nslots++;
}

int vblk_finish(struct vblk *d, u8 *status)
{
  (void)d;
  int n = env_nslots;
  if (n)
    env_batches++;
  if (status)
    memcpy(status, env_slot_status, n);
  env_nslots = 0;
  return n;
}

int vblk_rw_buf(struct vblk *d, int write, u64 sector, void *buf, u64 len)
{
  (void)d;
  if (len == 0 || len % 512 || sector > ENV_DISK_SECTORS || len / 512 > ENV_DISK_SECTORS - sector)
    return VIRTIO_BLK_S_IOERR;
  if (write)
    memcpy(env_disk + sector * 512, buf, len);
  else
    memcpy(buf, env_disk + sector * 512, len);
  return VIRTIO_BLK_S_OK;
}

// ---- set-up ----
// Guest pages 0..31 are contiguous in host memory, 32..63 scattered.
static void env_init(void)
{
  static u8 *block;
  if (block == 0) {
    block = aligned_alloc(4096, ENV_RAM_SIZE);
    env_disk = malloc(ENV_DISK_SECTORS * 512);
  }
  memset(block, 0, ENV_RAM_SIZE);
  for (int i = 0; i < ENV_RAM_PAGES; i++)
    env_page[i] = i < 32 ? block + i * 4096UL : block + (95 - i) * 4096UL;
  for (u64 s = 0; s < ENV_DISK_SECTORS; s++)
    for (int k = 0; k < 64; k++)
      memcpy(env_disk + s * 512 + 8 * k, &s, 8);
  memset(&the_vm, 0, sizeof(the_vm));
  the_vm.ram_size = ENV_RAM_SIZE;
  env_irq_level = env_flushes = env_backend_calls = env_bad_pa = 0;
  env_nslots = env_batches = 0;
  vblkdev_create(&the_vm);
}

static u32 env_rd(u64 off) { return (u32)env_dev->read(env_dev->opaque, off, 4); }
static void env_wr(u64 off, u32 v) { env_dev->write(env_dev->opaque, off, 4, v); }

// Guest memory by GPA (through the page map).
static void g_write(u64 gpa, const void *src, u64 len)
{
  if (gmem_write(&the_vm, gpa, src, len) < 0)
    abort();
}
static void g_read(u64 gpa, void *dst, u64 len)
{
  if (gmem_read(&the_vm, gpa, dst, len) < 0)
    abort();
}

// The test driver's queue: 16 entries; desc at RAM+0, avail at +0x100,
// used at +0x200; request headers at +0x1000, status bytes at +0x1800.
#define G(off)      (GUEST_RAM_BASE + (off))
#define Q_NUM       16
#define Q_DESC      G(0x0)
#define Q_AVAIL     G(0x100)
#define Q_USED      G(0x200)
static u16 drv_avail;

static int env_driver_init(void)
{
  env_wr(VIRTIO_MMIO_STATUS, 0);
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  env_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  env_wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);        // VERSION_1
  env_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  env_wr(VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
         VIRTIO_STATUS_FEATURES_OK);
  env_wr(VIRTIO_MMIO_QUEUE_SEL, 0);
  env_wr(VIRTIO_MMIO_QUEUE_NUM, Q_NUM);
  env_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)Q_DESC);
  env_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)Q_AVAIL);
  env_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)Q_USED);
  env_wr(VIRTIO_MMIO_QUEUE_READY, 1);
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
         VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
  u8 zero[0x300] = { 0 };
  g_write(Q_DESC, zero, sizeof(zero));
  drv_avail = 0;
  return env_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK ? 0 : -1;
}

static void set_desc(int i, u64 addr, u32 len, u16 flags, u16 next)
{
  struct virtq_desc d = { addr, len, flags, next };
  g_write(Q_DESC + 16UL * i, &d, 16);
}

static void publish(u16 head)
{
  g_write(Q_AVAIL + 4 + 2UL * (drv_avail % Q_NUM), &head, 2);
  drv_avail++;
  g_write(Q_AVAIL + 2, &drv_avail, 2);
}

// Request r in descriptors 3r..3r+2: header at 0x1000+16r, status 0x1800+r.
static void make_req(int r, u32 type, u64 sector, u64 buf, u32 len)
{
  struct virtio_blk_req_hdr h = { type, 0, sector };
  g_write(G(0x1000 + 16 * r), &h, 16);
  u8 ff = 0xff;
  g_write(G(0x1800 + r), &ff, 1);
  int out = type == VIRTIO_BLK_T_OUT;
  set_desc(3 * r, G(0x1000 + 16 * r), 16, VIRTQ_DESC_F_NEXT, 3 * r + 1);
  set_desc(3 * r + 1, buf, len, VIRTQ_DESC_F_NEXT | (out ? 0 : VIRTQ_DESC_F_WRITE), 3 * r + 2);
  set_desc(3 * r + 2, G(0x1800 + r), 1, VIRTQ_DESC_F_WRITE, 0);
}

static int req_status(int r)
{
  u8 s;
  g_read(G(0x1800 + r), &s, 1);
  return s;
}

static u16 used_idx(void)
{
  u16 i;
  g_read(Q_USED + 2, &i, 2);
  return i;
}

static struct virtq_used_elem used_elem(int i)
{
  struct virtq_used_elem e;
  g_read(Q_USED + 4 + 8UL * (i % Q_NUM), &e, 8);
  return e;
}
