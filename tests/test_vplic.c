// test_vplic.c: the virtual PLIC's state machine (hyp/vplic.c, lab 3):
// register map, gateway, claim/complete, threshold, the VSEIP line, and
// every offset written with hostile values.
// SOURCES: hyp/vplic.c tests/fake_host.c lib/crc32.c lib/string.c
// LAB: 3
#include "hyp/hyp.h"
#include "tests/check.h"
#include "tests/fake_host.h"
#include <stdlib.h>

struct vm the_vm;
static const struct mmio_dev *dev;

void mmio_register(struct vm *vm, const struct mmio_dev *d)
{
  (void)vm;
  dev = d;
}

#define PRIO(i)      (4 * (i))
#define PENDING(w)   (0x1000 + 4 * (w))
#define ENABLE(c, w) (0x2000 + 0x80 * (c) + 4 * (w))
#define THRESH(c)    (0x200000 + 0x1000 * (c))
#define CLAIM(c)     (0x200004 + 0x1000 * (c))

static u32 rd(u64 off) { return dev->read(dev->opaque, off, 4); }
static void wr(u64 off, u32 v) { dev->write(dev->opaque, off, 4, v); }
static int vseip(void) { return (fake_csr_read("0x645") & HIP_VSEIP) != 0; }

static void reset(void)
{
  memset(&the_vm, 0, sizeof(the_vm));
  fake_csr_write("0x645", 0);
  vplic_init(&the_vm);
}

static void test_registers(void)
{
  reset();
  CHECK(dev && dev->base == VPLIC_BASE && dev->size == VPLIC_SIZE, "registered at VPLIC_BASE");
  wr(PRIO(0), 7);
  CHECK(rd(PRIO(0)) == 0, "source 0 has no priority");
  wr(PRIO(10), 0xffffffff);
  CHECK(rd(PRIO(10)) == 7, "priority is 3 bits (WARL): %u", rd(PRIO(10)));
  wr(PRIO(VPLIC_NDEV), 3);
  CHECK(rd(PRIO(VPLIC_NDEV)) == 3, "last source");
  wr(PRIO(VPLIC_NDEV + 1), 3);
  CHECK(rd(PRIO(VPLIC_NDEV + 1)) == 0, "beyond ndev reads 0");
  wr(ENABLE(1, 0), 0xffffffff);
  CHECK(rd(ENABLE(1, 0)) == 0xfffffffe, "source 0 cannot be enabled");
  wr(ENABLE(1, 3), 0xffffffff);
  CHECK(rd(ENABLE(1, 3)) == 1, "only source 96 exists in word 3: 0x%x", rd(ENABLE(1, 3)));
  wr(THRESH(1), 0x1234);
  CHECK(rd(THRESH(1)) == 4, "threshold is 3 bits");
  wr(PENDING(0), 0xffffffff);
  CHECK(rd(PENDING(0)) == 0, "pending is read-only");
  CHECK(!vseip(), "nothing pending, no VSEIP");
  CHECK(dev->read(dev->opaque, PRIO(10), 1) == 0, "byte reads give 0");
}

static void test_claim_complete(void)
{
  reset();
  wr(PRIO(10), 1);
  wr(ENABLE(1, 0), 1 << 10);
  vplic_set_level(&the_vm, 10, 1);
  CHECK(rd(PENDING(0)) == 1 << 10, "high line is pending");
  CHECK(vseip(), "enabled, priority 1 > threshold 0: VSEIP");
  CHECK(rd(CLAIM(1)) == 10, "claim gives 10");
  CHECK(!vseip(), "claimed: VSEIP drops");
  CHECK(rd(PENDING(0)) == 0, "claim clears pending");
  CHECK(rd(CLAIM(1)) == 0, "second claim gives 0");
  wr(CLAIM(1), 10);
  CHECK(vseip() && rd(PENDING(0)) == 1 << 10, "line still high after complete: pending again");
  CHECK(rd(CLAIM(1)) == 10, "claimed again");
  vplic_set_level(&the_vm, 10, 0);
  wr(CLAIM(1), 10);
  CHECK(!vseip() && rd(PENDING(0)) == 0, "line low at complete: nothing");
  // Completion of a source that is not enabled for the context is ignored.
  vplic_set_level(&the_vm, 10, 1);
  CHECK(rd(CLAIM(1)) == 10, "claim");
  wr(ENABLE(1, 0), 0);
  wr(CLAIM(1), 10);
  wr(ENABLE(1, 0), 1 << 10);
  CHECK(!vseip() && rd(CLAIM(1)) == 0, "ignored completion keeps it in service");
  wr(CLAIM(1), 10);
  CHECK(vseip(), "completed now");
  // A request withdrawn before the claim (level drops) is gone.
  vplic_set_level(&the_vm, 10, 0);
  CHECK(!vseip() && rd(CLAIM(1)) == 0, "withdrawn request");
}

static void test_masking(void)
{
  reset();
  wr(PRIO(10), 2);
  vplic_set_level(&the_vm, 10, 1);
  CHECK(!vseip(), "not enabled: no VSEIP");
  CHECK(rd(PENDING(0)) == 1 << 10, "but pending");
  wr(ENABLE(1, 0), 1 << 10);
  CHECK(vseip(), "enabled later: delivered");
  wr(THRESH(1), 2);
  CHECK(!vseip(), "threshold 2 masks priority 2");
  CHECK(rd(PENDING(0)) == 1 << 10, "still pending");
  wr(THRESH(1), 1);
  CHECK(vseip(), "threshold 1: delivered");
  wr(PRIO(10), 0);
  CHECK(!vseip(), "priority 0 never interrupts");
  CHECK(rd(CLAIM(1)) == 0, "and cannot be claimed");
  // Context 0 (M) has its own enables and never drives VSEIP.
  wr(PRIO(10), 1);
  wr(ENABLE(1, 0), 0);
  wr(ENABLE(0, 0), 1 << 10);
  CHECK(!vseip(), "M context does not drive VSEIP");
  CHECK(rd(CLAIM(0)) == 10, "M context claims");
  CHECK(rd(PENDING(0)) == 0, "claimed by M");
}

static void test_priority_order(void)
{
  reset();
  wr(ENABLE(1, 0), (1 << 3) | (1 << 5) | (1 << 7));
  wr(ENABLE(1, 1), 1 << (33 - 32));
  wr(PRIO(3), 1);
  wr(PRIO(5), 4);
  wr(PRIO(7), 4);
  wr(PRIO(33), 6);
  for (u32 i = 3; i <= 7; i += 2)
    vplic_set_level(&the_vm, i, 1);
  vplic_set_level(&the_vm, 33, 1);
  CHECK(rd(CLAIM(1)) == 33, "highest priority first");
  CHECK(rd(CLAIM(1)) == 5, "ties: lowest ID");
  CHECK(rd(CLAIM(1)) == 7, "then 7");
  CHECK(rd(CLAIM(1)) == 3, "then 3");
  CHECK(rd(CLAIM(1)) == 0, "then none");
  CHECK(!vseip(), "all in service");
  vplic_set_level(&the_vm, 0, 1);
  vplic_set_level(&the_vm, VPLIC_NDEV + 1, 1);
  vplic_set_level(&the_vm, ~0U, 1);
  CHECK(rd(PENDING(0)) == 0, "bad IRQ numbers ignored");
}

// Every offset, every width, hostile values: never a crash (ASan would
// say), and the state stays within its bounds.
static void test_hostile(void)
{
  reset();
  srand(1);
  static const u64 vals[] = { 0, 1, 7, 8, 10, 96, 97, 0xffffffffUL, ~0UL, 0x80000000UL };
  for (u64 off = 0; off < VPLIC_SIZE; off += (off < 0x3000 || (off >= 0x200000 && off < 0x203000)) ? 4 : 0x1ffc) {
    for (int w = 1; w <= 8; w *= 2)
      for (size_t i = 0; i < NELEM(vals); i++) {
        dev->write(dev->opaque, off, w, vals[i]);
        (void)dev->read(dev->opaque, off, w);
      }
  }
  for (int i = 0; i < 100000; i++) {
    u64 off = (u64)rand() % VPLIC_SIZE & ~3UL;
    wr(off, rand());
    (void)rd(off);
    vplic_set_level(&the_vm, rand() % 200, rand() & 1);
  }
  int ok = 1;
  for (int i = 0; i <= VPLIC_NDEV; i++)
    ok &= the_vm.vplic.priority[i] <= 7;
  CHECK(ok && the_vm.vplic.priority[0] == 0, "priorities stay 3-bit, source 0 stays 0");
  CHECK((the_vm.vplic.enable[1][0] & 1) == 0, "source 0 never enabled");
}

int main(void)
{
  test_registers();
  test_claim_complete();
  test_masking();
  test_priority_order();
  test_hostile();
  return check_summary("test_vplic");
}
