// diskbench.c: `diskbench [quick]` — the guest's side of make bench's I/O
// figures (bench/README.md; tools/bench.py, io_bench): sequential read and
// write throughput of the virtio-blk disk through the guest's own driver
// (virtio_blk.c), interrupt-driven while it waits (VBD_IRQ_IDLE: no
// interrupt for requests already done when the driver looks). The same
// code runs natively on QEMU's virtio-blk and under hv6 on its device
// model; the harness compares them.
//
// For each request size the bench moves a fixed amount sequentially over
// the first 16 MiB of the disk (64 MiB in 1 MiB requests, going round 4
// times; 16 MiB in 4 KiB requests), in batches: submit up to 4 MiB (at
// most 16 requests), one notify, sleep until every request of the batch
// is done. `quick` moves 1 MiB per run. The bench's
// disk is a private scratch image (the harness makes it), so writing over
// it is fine; nothing is flushed. Wall time is the rdtime delta of the
// whole size/direction run (timer_now: the time CSR).
//
// Lines: `diskbench: <read|write>-<1m|4k> <bytes> bytes <microseconds> us`,
// `diskbench: info ...`, and `diskbench: done` at the end.
#include "guest-os/defs.h"
#include "guest-os/virtio_blk.h"

#if LAB >= 4

#define MiB        (1UL << 20)
#define INFLIGHT   (4 * MiB)         // bytes in flight per batch (the buffer)
#define MAXQD      16                // requests in flight per batch
#define REGION     (16 * MiB)        // the part of the disk it reads and writes

static u8 *buf;                      // INFLIGHT bytes, physically contiguous

// The buffer, from the page allocator (a bump allocator, so consecutive
// pages are adjacent), allocated once; every page is touched here so that
// under hv6 its one-time G-stage fault is not in the timed part.
static int
alloc_buf(void)
{
  if (buf)
    return 0;
  u8 *first = kalloc_page(), *prev = first;
  for (u64 off = PGSIZE; off < INFLIGHT; off += PGSIZE) {
    u8 *p = kalloc_page();
    if (p != prev + PGSIZE)
      return -1;
    prev = p;
  }
  buf = first;
  return 0;
}

// One run: total bytes from sector 0 on (modulo REGION) in requests of
// size bytes; its time is printed as `name` (nothing if name is 0).
static int
run(const char *name, int write, u32 size, u64 total)
{
  u32 qd = INFLIGHT / size < MAXQD ? INFLIGHT / size : MAXQD;
  int slot[MAXQD];
  u64 t0 = timer_now();
  for (u64 done = 0; done < total;) {
    u32 n = 0;
    for (; n < qd && done < total; n++, done += size) {
      slot[n] = vbd_submit(write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, done % REGION / 512,
                           buf + n * size, size);
      if (slot[n] < 0)
        return -1;
    }
    vbd_kick();
    for (u32 i = 0; i < n; i++)
      if (vbd_wait(slot[i]) != VIRTIO_BLK_S_OK)
        return -1;
  }
  u64 dt = timer_now() - t0;
  u64 tb = plat.timebase ? plat.timebase : 10000000;
  if (name)
    printf("diskbench: %s %lu bytes %lu us\n", name, total, dt * 1000000 / tb);
  return 0;
}

int
diskbench(int argc, char **argv)
{
  int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
  u64 big = quick ? MiB : 4 * REGION, small = quick ? MiB : REGION;
  int intr = vbd_init_mode(VBD_IRQ_IDLE) == 0;
  if (!intr && vbd_init() < 0) {
    printf("diskbench: error no virtio-blk disk\n");
    return 1;
  }
  printf("diskbench: info driver by %s, vendor 0x%x\n", intr ? "interrupt when idle" : "polling",
         vbd.vendor);
  if (vbd.capacity * 512 < REGION || alloc_buf() < 0) {
    printf("diskbench: error disk smaller than %lu MiB or no contiguous buffer\n", REGION / MiB);
    vbd_reset();
    return 1;
  }
  // An untimed pass first: the first requests of a QEMU run pay one-time
  // costs (its I/O threads start, host pages fault in), several ms.
  int bad = run(0, 0, MiB, small) < 0 ||
            run("read-1m", 0, MiB, big) < 0 || run("write-1m", 1, MiB, big) < 0 ||
            run("read-4k", 0, 4096, small) < 0 || run("write-4k", 1, 4096, small) < 0;
  vbd_reset();
  if (bad) {
    printf("diskbench: error a request failed\n");
    return 1;
  }
  printf("diskbench: done\n");
  return 0;
}

#endif
