// test_virtq.c: the virtio-mmio transport and the virtio-blk device model
// (lab 4) against a fake guest RAM and a RAM disk (tests/virtq_env.h):
// registers, feature negotiation, reset; requests IN/OUT/FLUSH/GET_ID,
// zero copy and bounce, splitting across backend requests; and the
// hostile cases: loops, indices, addresses and lengths outside RAM, bad
// queue set-up, notify before ready, read-only registers.
// SOURCES: hyp/virtio_mmio.c hyp/virtio_blk.c hyp/gmem.c tests/fake_host.c lib/crc32.c lib/string.c
// LAB: 4
#include "tests/virtq_env.h"
#include "tests/check.h"

#if LAB >= 4 && SOL >= 4
static int needs_reset(void)
{
  return (env_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
}

static void test_registers(void)
{
  env_init();
  CHECK(env_rd(VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC, "magic");
  CHECK(env_rd(VIRTIO_MMIO_VERSION) == 2, "version");
  CHECK(env_rd(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK, "device id");
  env_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  CHECK(env_rd(VIRTIO_MMIO_DEVICE_FEATURES) & 1, "VERSION_1 offered");
  env_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7);
  CHECK(env_rd(VIRTIO_MMIO_DEVICE_FEATURES) == 0, "feature word 7 is 0");
  env_wr(VIRTIO_MMIO_QUEUE_SEL, 0);
  CHECK(env_rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == VQ_NUM_MAX, "num max");
  env_wr(VIRTIO_MMIO_QUEUE_SEL, 1);
  CHECK(env_rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0, "queue 1 does not exist");
  u64 cap = env_dev->read(env_dev->opaque, VIRTIO_MMIO_CONFIG, 8);
  CHECK(cap == ENV_DISK_SECTORS, "capacity %lu", (unsigned long)cap);
  CHECK(env_rd(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE) == 512, "blk_size");
  CHECK(env_dev->read(env_dev->opaque, VIRTIO_MMIO_CONFIG + 1, 2) == 0, "misaligned config read");
  CHECK(env_dev->read(env_dev->opaque, VIRTIO_MMIO_CONFIG + 0xff0, 4) == 0, "config beyond");
  // read-only registers ignore writes; narrow accesses are ignored
  u32 ro[] = { VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
               VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_QUEUE_NUM_MAX,
               VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_CONFIG };
  env_wr(VIRTIO_MMIO_QUEUE_SEL, 0);
  for (size_t i = 0; i < NELEM(ro); i++) {
    u32 before = env_rd(ro[i]);
    env_wr(ro[i], 0xdeadbeef);
    CHECK(env_rd(ro[i]) == before, "register 0x%x is read-only", ro[i]);
  }
  CHECK(env_dev->read(env_dev->opaque, VIRTIO_MMIO_MAGIC_VALUE, 1) == 0, "byte read -> 0");
  env_dev->write(env_dev->opaque, VIRTIO_MMIO_STATUS, 1, 3);
  CHECK(env_rd(VIRTIO_MMIO_STATUS) == 0, "byte write ignored");
  for (u64 off = 0; off < 0x1000; off += 4)
    (void)env_rd(off);                              // every offset readable
  // negotiation: FEATURES_OK refused without VERSION_1 or with unknown bits
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
         VIRTIO_STATUS_FEATURES_OK);
  CHECK(!(env_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK), "no VERSION_1 refused");
  env_wr(VIRTIO_MMIO_STATUS, 0);
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  env_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  env_wr(VIRTIO_MMIO_DRIVER_FEATURES, 1 | 4);      // VERSION_1 + RING_PACKED
  env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
         VIRTIO_STATUS_FEATURES_OK);
  CHECK(!(env_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK), "unoffered bit refused");
  CHECK(env_driver_init() == 0, "driver init");
  CHECK(env_rd(VIRTIO_MMIO_QUEUE_READY) == 1, "queue ready");
  env_wr(VIRTIO_MMIO_STATUS, 0);
  CHECK(env_rd(VIRTIO_MMIO_STATUS) == 0 && env_rd(VIRTIO_MMIO_QUEUE_READY) == 0, "reset");
  env_no_disk = 1;
  env_init();
  CHECK(env_rd(VIRTIO_MMIO_DEVICE_ID) == 0, "no backend: empty slot");
  env_no_disk = 0;
}

static void test_requests(void)
{
  env_init();
  CHECK(env_driver_init() == 0, "driver init");
  // read 8 sectors (4 KiB) into a page in the contiguous half
  make_req(0, VIRTIO_BLK_T_IN, 10, G(0x4000), 4096);
  // write 2 sectors from the scattered half
  u8 buf[1024];
  memset(buf, 0xab, sizeof(buf));
  g_write(G(0x30000), buf, sizeof(buf));
  make_req(1, VIRTIO_BLK_T_OUT, 100, G(0x30000), 1024);
  publish(0);
  publish(3);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(used_idx() == 2, "two used");
  CHECK(req_status(0) == VIRTIO_BLK_S_OK && req_status(1) == VIRTIO_BLK_S_OK, "status OK");
  CHECK(used_elem(0).id == 0 && used_elem(0).len == 4097, "used[0] %u %u",
        used_elem(0).id, used_elem(0).len);
  CHECK(used_elem(1).id == 3 && used_elem(1).len == 1, "used[1]");
  u64 v[512];
  g_read(G(0x4000), v, 4096);
  CHECK(v[0] == 10 && v[64] == 11 && v[511] == 17, "read data");
  CHECK(memcmp(env_disk + 100 * 512, buf, 1024) == 0, "written data");
  CHECK(env_rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_INT_USED_RING && env_irq_level == 1,
        "interrupt raised");
  env_wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED_RING);
  CHECK(env_rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0 && env_irq_level == 0, "interrupt acked");

  // a read across pages 30..35 (contiguous then scattered): 6 pages need
  // more than ENV_MAXSEGS backend segments -> split; data still right
  env_backend_calls = 0;
  make_req(2, VIRTIO_BLK_T_IN, 50, G(30 * 4096), 6 * 4096);
  publish(6);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(req_status(2) == VIRTIO_BLK_S_OK, "big read OK");
  CHECK(env_backend_calls >= 2, "split into %d backend calls", env_backend_calls);
  int good = 1;
  for (int s = 0; s < 48; s++) {
    u64 x;
    g_read(G(30 * 4096) + 512UL * s, &x, 8);
    if (x != 50UL + s)
      good = 0;
  }
  CHECK(good, "big read data");
  CHECK(env_bad_pa == 0, "backend saw only guest RAM");

  // an unaligned buffer goes through the bounce buffer
  make_req(3, VIRTIO_BLK_T_IN, 7, G(0x5003), 512);
  publish(9);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  u64 x;
  g_read(G(0x5003), &x, 8);
  CHECK(req_status(3) == VIRTIO_BLK_S_OK && x == 7, "bounce read");

  // five zero-copy reads in one notification: more than the backend's
  // batch holds (ENV_SLOTS), so the model collects a full batch midway;
  // every request still gets its status, data and used element
  env_batches = 0;
  u16 u0 = used_idx();
  for (int r = 0; r < 5; r++) {
    make_req(r, VIRTIO_BLK_T_IN, 20 + r, G(0x4000 + 512 * r), 512);
    publish(3 * r);
  }
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  good = used_idx() == (u16)(u0 + 5) && env_batches == 2;
  for (int r = 0; r < 5; r++) {
    g_read(G(0x4000 + 512 * r), &x, 8);
    struct virtq_used_elem e = used_elem(u0 + r);
    if (req_status(r) != VIRTIO_BLK_S_OK || x != 20UL + r || e.id != 3U * r || e.len != 513)
      good = 0;
  }
  CHECK(good, "batched reads: %d host batches, used %u", env_batches, used_idx() - u0);

  // errors in the status byte
  make_req(0, VIRTIO_BLK_T_IN, ENV_DISK_SECTORS, G(0x4000), 512);
  make_req(1, VIRTIO_BLK_T_IN, ENV_DISK_SECTORS - 1, G(0x4000), 1024);
  make_req(2, VIRTIO_BLK_T_OUT, ~0UL, G(0x4000), 512);
  make_req(3, 77, 0, G(0x4000), 512);
  make_req(4, VIRTIO_BLK_T_IN, 0, G(0x4000), 100);
  for (int r = 0; r < 5; r++)
    publish(3 * r);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(req_status(0) == VIRTIO_BLK_S_IOERR, "at capacity");
  CHECK(req_status(1) == VIRTIO_BLK_S_IOERR, "across the end");
  CHECK(req_status(2) == VIRTIO_BLK_S_IOERR, "sector 2^64-1");
  CHECK(req_status(3) == VIRTIO_BLK_S_UNSUPP, "unknown type");
  CHECK(req_status(4) == VIRTIO_BLK_S_IOERR, "not a sector multiple");
  CHECK(!needs_reset(), "errors are not ring errors");

  // flush and GET_ID
  make_req(0, VIRTIO_BLK_T_FLUSH, 0, G(0x4000), 0);
  set_desc(0, G(0x1000), 16, VIRTQ_DESC_F_NEXT, 2);       // header -> status
  make_req(1, VIRTIO_BLK_T_GET_ID, 0, G(0x6000), 20);
  publish(0);
  publish(3);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  char id[21] = { 0 };
  g_read(G(0x6000), id, 20);
  CHECK(req_status(0) == VIRTIO_BLK_S_OK && env_flushes == 1, "flush");
  CHECK(req_status(1) == VIRTIO_BLK_S_OK && strcmp(id, "hv6-virtio-blk") == 0, "id %s", id);

  // VIRTQ_AVAIL_F_NO_INTERRUPT
  env_wr(VIRTIO_MMIO_INTERRUPT_ACK, 3);
  u16 flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
  g_write(Q_AVAIL, &flags, 2);
  make_req(0, VIRTIO_BLK_T_IN, 1, G(0x4000), 512);
  publish(0);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(req_status(0) == 0 && env_irq_level == 0, "no interrupt when suppressed");
}

// Each case: fresh device, one bad thing, expect DEVICE_NEEDS_RESET with a
// config interrupt, nothing used afterwards, and recovery after reset.
static void expect_reset(const char *what)
{
  CHECK(needs_reset(), "%s: needs reset", what);
  CHECK(env_rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG, "%s: config interrupt", what);
  CHECK(env_bad_pa == 0, "%s: backend saw only guest RAM", what);
  u16 before = used_idx();
  make_req(0, VIRTIO_BLK_T_IN, 3, G(0x4000), 512);
  publish(0);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(used_idx() == before, "%s: nothing served until reset", what);
  CHECK(env_driver_init() == 0 && !needs_reset(), "%s: reset clears it", what);
  make_req(0, VIRTIO_BLK_T_IN, 3, G(0x4000), 512);
  publish(0);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(used_idx() == 1 && req_status(0) == 0, "%s: works after reset", what);
}

static void hostile_case(int c)
{
  env_init();
  env_driver_init();
  make_req(0, VIRTIO_BLK_T_IN, 3, G(0x4000), 512);
  const char *what = "?";
  switch (c) {
  case 0: what = "loop"; set_desc(2, G(0x1800), 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0); break;
  case 1: what = "self loop"; set_desc(1, G(0x4000), 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1); break;
  case 2: what = "next out of range"; set_desc(1, G(0x4000), 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 16); break;
  case 3: what = "outside RAM"; set_desc(1, 0x1000, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2); break;
  case 4: what = "device window"; set_desc(1, VIRTIO_BASE, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2); break;
  case 5: what = "len 2^32-1"; set_desc(1, G(0x4000), 0xffffffff, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2); break;
  case 6: what = "len 0"; set_desc(1, G(0x4000), 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2); break;
  case 7: what = "across end of RAM"; set_desc(1, G(ENV_RAM_SIZE - 256), 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2); break;
  case 8: what = "addr wraps"; set_desc(1, ~0UL - 100, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2); break;
  case 9: what = "indirect"; set_desc(1, G(0x4000), 512, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2); break;
  case 10: what = "no status"; set_desc(2, G(0x1800), 1, 0, 0); set_desc(1, G(0x4000), 512, VIRTQ_DESC_F_NEXT, 2); break;
  case 11: what = "short header"; set_desc(0, G(0x1000), 8, VIRTQ_DESC_F_NEXT, 1); break;
  case 12: what = "readable after writable"; set_desc(0, G(0x1000), 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1); break;
  }
  env_bad_pa = 0;
  if (c == 13) {
    what = "head out of range";
    publish(16);
  } else if (c == 14) {
    what = "avail index jump";
    drv_avail += 100;
    publish(0);
  } else {
    publish(0);
  }
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(used_idx() == 0, "%s: not used", what);
  expect_reset(what);
}

static void test_hostile(void)
{
  for (int c = 0; c <= 14; c++)
    hostile_case(c);

  // bad queue set-ups are refused at QUEUE_READY
  u32 nums[] = { 0, 3, 512, 0xffffffff };
  for (size_t i = 0; i < NELEM(nums); i++) {
    env_init();
    env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    env_wr(VIRTIO_MMIO_QUEUE_NUM, nums[i]);
    env_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)Q_DESC);
    env_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)Q_AVAIL);
    env_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)Q_USED);
    env_wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK(env_rd(VIRTIO_MMIO_QUEUE_READY) == 0 && needs_reset(), "queue num %u refused", nums[i]);
  }
  u64 rings[][3] = {
    { 0x1000, Q_AVAIL, Q_USED },                       // desc outside RAM
    { Q_DESC + 8, Q_AVAIL, Q_USED },                   // misaligned
    { Q_DESC, Q_AVAIL, G(ENV_RAM_SIZE - 8) },          // used ring runs off RAM
    { Q_DESC, 0xffffffffffffff00UL, Q_USED },          // wraps
  };
  for (size_t i = 0; i < NELEM(rings); i++) {
    env_init();
    env_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    env_wr(VIRTIO_MMIO_QUEUE_NUM, Q_NUM);
    env_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)rings[i][0]);
    env_wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(rings[i][0] >> 32));
    env_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)rings[i][1]);
    env_wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u32)(rings[i][1] >> 32));
    env_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)rings[i][2]);
    env_wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u32)(rings[i][2] >> 32));
    env_wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK(env_rd(VIRTIO_MMIO_QUEUE_READY) == 0 && needs_reset(), "rings %zu refused", i);
  }

  // notify before DRIVER_OK, on other queues: nothing happens
  env_init();
  env_driver_init();
  env_wr(VIRTIO_MMIO_STATUS, 0);
  make_req(0, VIRTIO_BLK_T_IN, 3, G(0x4000), 512);
  publish(0);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
  CHECK(used_idx() == 0 && env_rd(VIRTIO_MMIO_STATUS) == 0, "notify before ready ignored");
  // queue registers cannot change while the queue is ready
  env_driver_init();
  env_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
  env_wr(VIRTIO_MMIO_QUEUE_NUM, 3);
  make_req(0, VIRTIO_BLK_T_IN, 3, G(0x4000), 512);
  publish(0);
  env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
  CHECK(used_idx() == 1 && req_status(0) == 0, "queue registers locked while ready");

  // a snapshot state that does not fit the rules is not trusted
  struct vblk_state s = the_vm.vblk.st;
  s.vq.num = 1000;
  vblkdev_restore(&the_vm.vblk, &s);
  CHECK(!the_vm.vblk.st.vq.ready && needs_reset(), "bad restored queue -> needs reset");
}

int main(void)
{
  fake_quiet = 1;
  test_registers();
  test_requests();
  test_hostile();
  return check_summary("test_virtq");
}
#else
int main(void)
{
  printf("test_virtq: skipped (needs LAB >= 4 and SOL >= 4)\n");
  return 0;
}
#endif
