// disktest.c: lab 4's self-test of the virtio-blk disk (guest-os/virtio_blk.c
// on QEMU's device natively, on hv6's model under hv6).
//
//   disktest            pattern, many requests in flight, large requests,
//                       errors, flush, GET_ID, reset + re-init (the driver
//                       polling), then again by interrupt: requests in
//                       flight, errors, flush with the driver asleep in WFI
//   disktest reboot     persistence across a VM reboot: the first boot writes
//                       a marker and reboots (the run= script starts over),
//                       the second finds it and removes it
//   disktest persist    persistence across QEMU runs: writes a marker if there
//                       is none, else reports and removes it
//   disktest hostile    malicious rings and registers; the device must answer
//                       with a status or DEVICE_NEEDS_RESET and recover on reset
//
// The disk is tools/run.py's pattern image: sector n holds the 8-byte
// little-endian value n, 64 times. Tests that write restore the pattern.
#include "guest-os/defs.h"
#include "guest-os/virtio_blk.h"
#include "sbi/ecall.h"

#define SCRATCH     4096       // first sector the write tests use
#define REBOOT_MARK 100        // marker sectors
#define PERSIST_MARK 101
#define BIGBUF      (256 * 1024)

static u8 big[BIGBUF] __attribute__((aligned(4096)));
static u8 big2[BIGBUF] __attribute__((aligned(4096)));
static u8 sec[512] __attribute__((aligned(512)));

static void
fill_pattern(u8 *buf, u64 sector, u64 nsec)
{
  u64 *p = (u64 *)buf;
  for (u64 s = 0; s < nsec; s++)
    for (int i = 0; i < 64; i++)
      *p++ = sector + s;
}

static void
fill_test(u8 *buf, u64 sector, u64 nsec, u64 seed)
{
  u64 *p = (u64 *)buf;
  for (u64 s = 0; s < nsec; s++)
    for (int i = 0; i < 64; i++)
      *p++ = ((sector + s) * 0x9e3779b97f4a7c15UL) ^ seed ^ (u64)i;
}

// Sectors of buf holding the pattern of sector..sector+nsec; -1 = all do.
static long
check_pattern(const u8 *buf, u64 sector, u64 nsec)
{
  const u64 *p = (const u64 *)buf;
  for (u64 s = 0; s < nsec; s++)
    for (int i = 0; i < 64; i++)
      if (*p++ != sector + s)
        return s;
  return -1;
}

// VBD_NREQ writes of 4 KiB in flight at once, collected in submission
// order, then as many reads, collected in reverse. mode prefixes the
// result lines ("" or "interrupt mode: "); slot[] gets the reads' slots.
static void
in_flight(const char *mode, u64 seed, int *slot)
{
  int n = VBD_NREQ, per = 8, ok = 1;   // 8 sectors = 4 KiB each
  fill_test(big, SCRATCH, n * per, seed);
  for (int i = 0; i < n; i++)
    slot[i] = vbd_submit(VIRTIO_BLK_T_OUT, SCRATCH + i * per, big + i * per * 512, per * 512);
  vbd_kick();
  for (int i = 0; i < n; i++)
    if (slot[i] < 0 || vbd_wait(slot[i]) != VIRTIO_BLK_S_OK)
      ok = 0;
  t_check(ok, "%s%d writes of 4 KiB in flight at once complete OK", mode, n);
  memset(big2, 0, BIGBUF);
  for (int i = 0; i < n; i++)
    slot[i] = vbd_submit(VIRTIO_BLK_T_IN, SCRATCH + i * per, big2 + i * per * 512, per * 512);
  vbd_kick();
  ok = 1;
  for (int i = n - 1; i >= 0; i--)
    if (slot[i] < 0 || vbd_wait(slot[i]) != VIRTIO_BLK_S_OK)
      ok = 0;
  t_check(ok && memcmp(big, big2, n * per * 512) == 0,
          "%s%d reads in flight at once return what was written", mode, n);
}

static int
open_disk(void)
{
  int r = vbd_init();
  if (r < 0) {
    t_check(0, "virtio-blk device found and initialised (error %d)", r);
    return -1;
  }
  return 0;
}

// Reads, writes, flushes, errors: everything a driver relies on.
static void
basic(void)
{
  t_check(1, "virtio-blk device found, version 2");
  t_check((vbd.features & VIRTIO_BIT(VIRTIO_F_VERSION_1)) &&
          (vbd.features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)),
          "features VERSION_1 and FLUSH negotiated");
  t_line("capacity %ld sectors", vbd.capacity);
  t_info("vendor 0x%x, device at 0x%lx irq %d", vbd.vendor, vbd.base, vbd.irq);

  // The pattern, one sector at a time and 64 sectors in one request.
  int ok = 1;
  u64 probe[] = { 0, 1, 7, 511, 4095, vbd.capacity - 1 };
  for (size_t i = 0; i < NELEM(probe); i++)
    if (vbd_rw(0, probe[i], sec, 512) != VIRTIO_BLK_S_OK || check_pattern(sec, probe[i], 1) >= 0)
      ok = 0;
  t_check(ok, "single-sector reads return the pattern");
  int st = vbd_rw(0, 0, big, 64 * 512);
  t_check(st == VIRTIO_BLK_S_OK && check_pattern(big, 0, 64) < 0,
          "one 32 KiB read of sectors 0-63 returns the pattern");
  st = vbd_rw(0, 1000, big, BIGBUF);
  t_check(st == VIRTIO_BLK_S_OK && check_pattern(big, 1000, BIGBUF / 512) < 0,
          "one 256 KiB read of sectors 1000-1511 returns the pattern");

  // Many writes in flight, then many reads in flight.
  int slot[VBD_NREQ];
  in_flight("", 0x5eed, slot);
  t_check(vbd.used_len[slot[0]] == 8 * 512 + 1,
          "used length of a 4 KiB read is 4097");

  // A large write and read back, unaligned to pages (512-byte aligned).
  fill_test(big, SCRATCH + 512, BIGBUF / 512 - 1, 0xfeed);
  st = vbd_rw(1, SCRATCH + 512, big, BIGBUF - 512);
  memset(big2, 0, BIGBUF);
  int st2 = vbd_rw(0, SCRATCH + 512, big2 + 512, BIGBUF - 512);
  t_check(st == VIRTIO_BLK_S_OK && st2 == VIRTIO_BLK_S_OK &&
          memcmp(big, big2 + 512, BIGBUF - 512) == 0,
          "255.5 KiB write and read at a 512-byte offset round-trip");
  // A buffer not aligned to 512 bytes (the model bounces it).
  fill_test(big, SCRATCH + 2, 2, 0xabc);
  st = vbd_rw(1, SCRATCH + 2, big + 4096 - 100, 1024);
  memset(big2, 0, 2048);
  st2 = vbd_rw(0, SCRATCH + 2, big2 + 3, 1024);
  t_check(st == VIRTIO_BLK_S_OK && st2 == VIRTIO_BLK_S_OK &&
          memcmp(big + 4096 - 100, big2 + 3, 1024) == 0,
          "unaligned buffers round-trip");

  t_check(vbd_flush() == VIRTIO_BLK_S_OK, "flush completes OK");

  // Errors the device reports in the status byte.
  t_check(vbd_rw(0, vbd.capacity, sec, 512) == VIRTIO_BLK_S_IOERR,
          "read at the capacity gets IOERR");
  t_check(vbd_rw(0, vbd.capacity - 1, big, 1024) == VIRTIO_BLK_S_IOERR,
          "read across the end gets IOERR");
  t_check(vbd_rw(1, ~0UL - 1, sec, 512) == VIRTIO_BLK_S_IOERR,
          "write at sector 2^64-2 gets IOERR");
  t_check(vbd_rw(0, 0, sec, 100) == VIRTIO_BLK_S_IOERR,
          "read of 100 bytes (not a sector multiple) gets IOERR");
  int r = vbd_submit(0x1234, 0, sec, 512);
  vbd_kick();
  t_check(vbd_wait(r) == VIRTIO_BLK_S_UNSUPP, "unknown request type gets UNSUPP");
  static char id[VIRTIO_BLK_ID_BYTES + 1];
  r = vbd_submit(VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);
  vbd_kick();
  t_check(vbd_wait(r) == VIRTIO_BLK_S_OK, "GET_ID completes OK");
  t_info("device id \"%s\"", id);

  // Put the pattern back and check it.
  fill_pattern(big, SCRATCH, BIGBUF / 512);
  st = vbd_rw(1, SCRATCH, big, BIGBUF);
  fill_pattern(big, SCRATCH + BIGBUF / 512, BIGBUF / 512);
  st2 = vbd_rw(1, SCRATCH + BIGBUF / 512, big, BIGBUF);
  int st3 = vbd_rw(0, SCRATCH, big2, BIGBUF);
  t_check(st == VIRTIO_BLK_S_OK && st2 == VIRTIO_BLK_S_OK && st3 == VIRTIO_BLK_S_OK &&
          check_pattern(big2, SCRATCH, BIGBUF / 512) < 0 && vbd_flush() == VIRTIO_BLK_S_OK,
          "pattern restored and flushed");

  // Reset: status reads 0, the queue is forgotten; re-initialise and use.
  vbd_reset();
  t_check(vbd_reg(VIRTIO_MMIO_STATUS) == 0 && vbd_reg(VIRTIO_MMIO_QUEUE_READY) == 0,
          "after reset status and QUEUE_READY read 0");
  t_check(vbd_init() == 0 && vbd_rw(0, 77, sec, 512) == VIRTIO_BLK_S_OK &&
          check_pattern(sec, 77, 1) < 0, "re-initialised device reads the pattern");
}

// The driver in interrupt mode: completions come through the PLIC to
// vbd_intr while vbd_wait sleeps in WFI. Natively QEMU completes requests
// in the background, so how many interrupts cover a batch varies (info).
static void
interrupts(void)
{
  int r = vbd_init_mode(VBD_IRQ);
  if (r == -8) {
    t_line("no PLIC driver or device interrupt: interrupt mode skipped");
    return;
  }
  t_check(r == 0, "interrupt mode: device re-initialised with its interrupt enabled");
  if (r != 0)
    return;
  u64 irq0 = vbd.nirq, c0 = vbd.ncomplete;

  // Many writes and reads in flight (the reads collected in reverse: most
  // complete while the driver sleeps for one).
  int slot[VBD_NREQ], n = VBD_NREQ, per = 8, ok;
  in_flight("interrupt mode: ", 0x1e7, slot);
  u64 nirq = vbd.nirq - irq0;
  t_check(vbd.ncomplete - c0 == (u64)2 * n && nirq >= 1 && nirq <= (u64)2 * n,
          "interrupt mode: all %d completions collected by the interrupt handler", 2 * n);
  t_info("interrupt mode: %ld interrupts for %d requests", (long)nirq, 2 * n);

  // One request at a time (6 of them): the driver sleeps for each.
  u64 irq1 = vbd.nirq;
  int st = vbd_rw(0, 1000, big, BIGBUF);
  ok = st == VIRTIO_BLK_S_OK && check_pattern(big, 1000, BIGBUF / 512) < 0;
  ok &= vbd_rw(0, vbd.capacity - 1, sec, 512) == VIRTIO_BLK_S_OK &&
        check_pattern(sec, vbd.capacity - 1, 1) < 0;
  t_check(ok, "interrupt mode: single reads return the pattern");
  t_check(vbd_rw(0, vbd.capacity, sec, 512) == VIRTIO_BLK_S_IOERR,
          "interrupt mode: read at the capacity gets IOERR");

  // Put the pattern back.
  fill_pattern(big, SCRATCH, n * per);
  st = vbd_rw(1, SCRATCH, big, n * per * 512);
  memset(big2, 0, BIGBUF);
  int st2 = vbd_rw(0, SCRATCH, big2, n * per * 512);
  t_check(st == VIRTIO_BLK_S_OK && st2 == VIRTIO_BLK_S_OK &&
          check_pattern(big2, SCRATCH, n * per) < 0 && vbd_flush() == VIRTIO_BLK_S_OK,
          "interrupt mode: pattern restored and flushed");
  t_check(vbd.nirq - irq1 >= 6, "interrupt mode: each single request woke the driver");
}

// The driver with interrupts only while it sleeps (VBD_IRQ_IDLE, diskbench's
// mode): whether a wait needs one depends on when the device finishes (under
// hv6 never, natively usually), so only the results are checked.
static void
idle_interrupts(void)
{
  int slot[VBD_NREQ];
  if (vbd_init_mode(VBD_IRQ_IDLE) != 0)
    return;                              // (interrupts() said why)
  in_flight("interrupts when idle: ", 0x1d1e, slot);
  t_check(vbd_rw(0, 1000, big, BIGBUF) == VIRTIO_BLK_S_OK &&
          check_pattern(big, 1000, BIGBUF / 512) < 0,
          "interrupts when idle: a single read returns the pattern");
  fill_pattern(big, SCRATCH, VBD_NREQ * 8);
  t_check(vbd_rw(1, SCRATCH, big, VBD_NREQ * 8 * 512) == VIRTIO_BLK_S_OK,
          "interrupts when idle: pattern restored");
}

static void
marker(u8 *buf, u64 tag)
{
  memset(buf, 0, 512);
  memcpy(buf, "hv6-mark", 8);
  memcpy(buf + 8, &tag, 8);
}

static void
reboot_phase(void)
{
  static u8 want[512];
  marker(want, REBOOT_MARK);
  if (vbd_rw(0, REBOOT_MARK, sec, 512) != VIRTIO_BLK_S_OK) {
    t_check(0, "reboot: read marker sector");
    return;
  }
  if (memcmp(sec, want, 512) != 0) {
    t_check(check_pattern(sec, REBOOT_MARK, 1) < 0, "reboot: no marker yet (pattern)");
    t_check(vbd_rw(1, REBOOT_MARK, want, 512) == VIRTIO_BLK_S_OK &&
            vbd_flush() == VIRTIO_BLK_S_OK, "reboot: marker written, rebooting");
    sbi_ecall(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE,
              0, 0, 0, 0);
    t_check(0, "reboot: SBI SRST warm reboot returned");
    return;
  }
  t_check(1, "reboot: marker found after reboot");
  fill_pattern(sec, REBOOT_MARK, 1);
  t_check(vbd_rw(1, REBOOT_MARK, sec, 512) == VIRTIO_BLK_S_OK &&
          vbd_flush() == VIRTIO_BLK_S_OK, "reboot: marker removed");
}

static void
persist_phase(void)
{
  static u8 want[512];
  marker(want, PERSIST_MARK);
  if (vbd_rw(0, PERSIST_MARK, sec, 512) != VIRTIO_BLK_S_OK) {
    t_check(0, "persist: read marker sector");
    return;
  }
  if (memcmp(sec, want, 512) != 0) {
    t_check(check_pattern(sec, PERSIST_MARK, 1) < 0, "persist: no marker (pattern)");
    t_check(vbd_rw(1, PERSIST_MARK, want, 512) == VIRTIO_BLK_S_OK &&
            vbd_flush() == VIRTIO_BLK_S_OK, "persist: marker written");
    return;
  }
  t_check(1, "persist: marker from the previous run found");
  fill_pattern(sec, PERSIST_MARK, 1);
  t_check(vbd_rw(1, PERSIST_MARK, sec, 512) == VIRTIO_BLK_S_OK &&
          vbd_flush() == VIRTIO_BLK_S_OK, "persist: marker removed");
}

// ---- hostile rings ----
static int under_hv6(void) { return vbd.vendor == VIRTIO_VENDOR_HV6; }

// Publish chain head and notify; report what the device did: its status
// byte, or "needs_reset", or "no answer".
static void
hostile_kick(const char *name, u16 head, volatile u8 *st)
{
  vbd.avail->ring[vbd.avail_idx % vbd.qnum] = head;
  asm volatile("fence rw, rw" ::: "memory");
  vbd.avail->idx = ++vbd.avail_idx;
  vbd_kick();
  int nr = 0, answered = 0;
  for (long i = 0; i < 200000; i++) {
    if (*(volatile u16 *)&vbd.used->idx != vbd.used_seen) {
      answered = 1;
      break;
    }
    if (i % 1000 == 0 && (vbd_reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)) {
      nr = 1;
      break;
    }
  }
  if (nr)
    t_info("hostile %s: needs_reset", name);
  else if (answered)
    t_info("hostile %s: status=%d", name, st ? *st : -1);
  else
    t_info("hostile %s: no answer", name);
}

// Reset the device, set it up again and check it works.
static void
recover(const char *name)
{
  vbd_reset();
  int ok = vbd_init() == 0 && vbd_rw(0, 7, sec, 512) == VIRTIO_BLK_S_OK &&
           check_pattern(sec, 7, 1) < 0;
  t_check(ok, "hostile %s: device works after reset", name);
}

static volatile u8 hstatus;
static struct virtio_blk_req_hdr hhdr;

// A request chain of descriptors 0 (header), 1 (data), 2 (status),
// with data (addr, len, flags) as given.
static void
chain3(u64 addr, u32 len, u16 flags, u32 type, u64 sector)
{
  hhdr = (struct virtio_blk_req_hdr){ type, 0, sector };
  hstatus = 0xee;
  vbd.desc[0] = (struct virtq_desc){ (u64)&hhdr, 16, VIRTQ_DESC_F_NEXT, 1 };
  vbd.desc[1] = (struct virtq_desc){ addr, len, flags | VIRTQ_DESC_F_NEXT, 2 };
  vbd.desc[2] = (struct virtq_desc){ (u64)&hstatus, 1, VIRTQ_DESC_F_WRITE, 0 };
}

static void
hostile(void)
{
  u64 ramend = plat.mem_base + plat.mem_size;
  int hv = under_hv6();
  t_info("running under %s", hv ? "hv6" : "another device (unsafe cases skipped)");

  // Descriptors that name memory the device must not touch. QEMU's own
  // device would really DMA there, so these run only under hv6.
  if (hv) {
    chain3(0x1000, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    hostile_kick("data outside RAM", 0, &hstatus);
    recover("data outside RAM");
    vbd_init();
    chain3(0x10001000, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    hostile_kick("data in a device window", 0, &hstatus);
    recover("data in a device window");
    vbd_init();
    chain3(0x0c000000, 4096, 0, VIRTIO_BLK_T_OUT, 0);
    hostile_kick("data from the PLIC", 0, &hstatus);
    recover("data from the PLIC");
    vbd_init();
    chain3((u64)big, 0xffffffff, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    hostile_kick("length 2^32-1", 0, &hstatus);
    recover("length 2^32-1");
    vbd_init();
    chain3(ramend - 256, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    hostile_kick("data across the end of RAM", 0, &hstatus);
    recover("data across the end of RAM");
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    vbd.desc[2].addr = 0x10000000;
    hostile_kick("status in a device window", 0, 0);
    recover("status in a device window");
  }

  // Zero-length data: QEMU and hv6 both call the chain malformed.
  vbd_init();
  chain3((u64)big, 0, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
  hostile_kick("length 0", 0, &hstatus);
  recover("length 0");

  if (hv) {
    // A chain that loops: 0 -> 1 -> 0 -> ...
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    vbd.desc[1].next = 0;
    hostile_kick("descriptor loop", 0, &hstatus);
    recover("descriptor loop");
    // A self-loop on the status descriptor.
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    vbd.desc[2].flags |= VIRTQ_DESC_F_NEXT;
    vbd.desc[2].next = 2;
    hostile_kick("self loop", 0, &hstatus);
    recover("self loop");
    // next beyond the queue.
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    vbd.desc[1].next = 0xffff;
    hostile_kick("next out of range", 0, &hstatus);
    recover("next out of range");
    // Head index beyond the queue.
    vbd_init();
    hostile_kick("head out of range", 1000, 0);
    recover("head out of range");
    // Available index far ahead of the device.
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    vbd.avail_idx += 1000;
    hostile_kick("avail index jump", 0, &hstatus);
    recover("avail index jump");
    // INDIRECT without the feature.
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_INDIRECT, VIRTIO_BLK_T_IN, 0);
    hostile_kick("indirect not negotiated", 0, &hstatus);
    recover("indirect not negotiated");
    // No writable descriptor for the status.
    vbd_init();
    chain3((u64)big, 512, 0, VIRTIO_BLK_T_OUT, SCRATCH);
    vbd.desc[2].flags = 0;
    hostile_kick("no status descriptor", 0, 0);
    recover("no status descriptor");
    // A readable descriptor after a writable one.
    vbd_init();
    chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 0);
    vbd.desc[0].flags |= VIRTQ_DESC_F_WRITE;
    hostile_kick("readable after writable", 0, &hstatus);
    recover("readable after writable");
    // Queue size not a power of two, rings outside RAM.
    vbd_reset();
    vbd_setreg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vbd_setreg(VIRTIO_MMIO_QUEUE_SEL, 0);
    vbd_setreg(VIRTIO_MMIO_QUEUE_NUM, 3);
    vbd_setreg(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
    vbd_setreg(VIRTIO_MMIO_QUEUE_READY, 1);
    t_info("hostile bad queue: ready=%d needs_reset=%d", vbd_reg(VIRTIO_MMIO_QUEUE_READY),
           (vbd_reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0);
    recover("bad queue");
  }

  // Requests the device must answer with a status.
  vbd_init();
  chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, VIRTIO_BLK_T_IN, 1UL << 63);
  hostile_kick("sector 2^63", 0, &hstatus);
  t_check(hstatus == VIRTIO_BLK_S_IOERR, "hostile sector 2^63: IOERR");
  recover("sector 2^63");
  vbd_init();
  chain3((u64)big, 512, VIRTQ_DESC_F_WRITE, 0xdead, 0);
  hostile_kick("unknown type", 0, &hstatus);
  t_check(hstatus == VIRTIO_BLK_S_UNSUPP, "hostile unknown type: UNSUPP");
  recover("unknown type");

  // Notifications before the driver is ready do nothing.
  vbd_reset();
  vbd_setreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  vbd_setreg(VIRTIO_MMIO_QUEUE_NOTIFY, 5);
  vbd_setreg(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
  t_check(vbd_reg(VIRTIO_MMIO_STATUS) == 0, "hostile notify before ready: ignored");
  recover("notify before ready");

  // Writes to read-only registers change nothing.
  u32 ro[] = { VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
               VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX,
               VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION,
               VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY };
  int same = 1;
  for (size_t i = 0; i < NELEM(ro); i++) {
    u32 before = vbd_reg(ro[i]);
    vbd_setreg(ro[i], 0x5a5a5a5a);
    if (vbd_reg(ro[i]) != before)
      same = 0;
  }
  t_check(same, "hostile writes to read-only registers: ignored");
  recover("read-only registers");
}

int
disktest(int argc, char **argv)
{
  const char *phase = argc > 1 ? argv[1] : "basic";
  t_begin("disktest");
  if (open_disk() == 0) {
    if (strcmp(phase, "basic") == 0) {
      basic();
      interrupts();
      idle_interrupts();
    }
    else if (strcmp(phase, "reboot") == 0)
      reboot_phase();
    else if (strcmp(phase, "persist") == 0)
      persist_phase();
    else if (strcmp(phase, "hostile") == 0)
      hostile();
    else
      t_check(0, "unknown phase %s (basic, reboot, persist, hostile)", phase);
    vbd_reset();
  }
  return t_done();
}
