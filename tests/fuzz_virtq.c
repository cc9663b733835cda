// fuzz_virtq.c: libFuzzer target for the virtio-blk device model (lab 4):
// hyp/virtio_mmio.c's registers and hyp/virtio_blk.c's virtqueue walker,
// against the fake VM of tests/virtq_env.h.
// Input: 1 byte of mode; then either
//   mode even: a queue set-up by the test driver, then 16 descriptors
//   (16 bytes each, addresses reduced into a window around guest RAM),
//   avail flags/idx and ring entries, and a notify;
//   mode odd: a sequence of register writes (2-byte offset, 4-byte value)
//   each followed by a notify.
// Invariants: no memory error (ASan); the backend is only handed host
// addresses that back guest RAM; the used index never moves further than
// the requests made available; a device that needs reset serves nothing.
// SOURCES: hyp/virtio_mmio.c hyp/virtio_blk.c hyp/gmem.c tests/fake_host.c lib/crc32.c lib/string.c
// LAB: 4
#include "tests/virtq_env.h"
#include "tests/fuzz.h"

#if LAB >= 4 && SOL >= 4
static u64 fuzz_addr(u64 raw)
{
  // Mostly inside guest RAM, sometimes just outside, sometimes anything.
  switch (raw & 3) {
  case 0:
  case 1: return GUEST_RAM_BASE + ((raw >> 2) % (ENV_RAM_SIZE + 8192));
  case 2: return GUEST_RAM_BASE - 4096 + ((raw >> 2) % 8192);
  default: return raw;
  }
}

static u32 fuzz_len(u32 raw)
{
  switch (raw & 3) {
  case 0: return (raw >> 2) % 4200;
  case 1: return 512 * ((raw >> 2) % 20);
  case 2: return 1;
  default: return raw;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fuzz_in in = { data, size };
  fake_quiet = 1;
  env_init();
  int mode = fuzz_take(&in, 1);
  if (mode % 2 == 0) {
    env_driver_init();
    for (int i = 0; i < Q_NUM; i++) {
      u64 addr = fuzz_addr(fuzz_take(&in, 8));
      u32 len = fuzz_len(fuzz_take(&in, 4));
      u16 flags = fuzz_take(&in, 1) & 7;
      u16 next = fuzz_take(&in, 1);
      next = next & 0x80 ? next : next % Q_NUM;
      set_desc(i, addr, len, flags, next);
    }
    // a header at 0x1000 for chains that point there
    struct virtio_blk_req_hdr h = { fuzz_take(&in, 1) % 10, 0, fuzz_take(&in, 2) };
    g_write(G(0x1000), &h, 16);
    u16 flags = fuzz_take(&in, 1) & 1;
    u16 navail = fuzz_take(&in, 1);
    g_write(Q_AVAIL, &flags, 2);
    for (int i = 0; i < Q_NUM; i++) {
      u16 head = fuzz_take(&in, 1);
      g_write(Q_AVAIL + 4 + 2 * i, &head, 2);
    }
    g_write(Q_AVAIL + 2, &navail, 2);
    env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    u16 used = used_idx();
    FUZZ_CHECK(used <= navail || navail > Q_NUM, "used %u > avail %u", used, navail);
    if (env_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
      env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
      FUZZ_CHECK(used_idx() == used, "served while needing reset");
    }
  } else {
    if (fuzz_take(&in, 1) & 1)
      env_driver_init();
    while (in.n > 0) {
      u64 off = fuzz_take(&in, 2) % VIRTIO_SIZE;
      u32 val = fuzz_take(&in, 4);
      int w = 1 << (fuzz_take(&in, 1) % 4);
      off &= ~(u64)(w - 1);
      if (val & 0x80000000)
        env_dev->write(env_dev->opaque, off, w, val & 0x7fffffff);
      else
        (void)env_dev->read(env_dev->opaque, off, w);
      if ((val & 0xff) == 0x42)
        env_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    }
  }
  FUZZ_CHECK(env_bad_pa == 0, "backend handed a bad segment");
  return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  (void)data, (void)size;
  return 0;
}
#endif
