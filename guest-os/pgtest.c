// pgtest.c: the lab 2 self-test: the guest's own Sv39 paging on top of
// whatever the hypervisor does underneath (two-stage translation, demand
// paging, MMIO emulation). Checks, each with deterministic output:
//  - one physical page seen through 4 KiB, 2 MiB and 1 GiB leaves
//    (priv spec v1.12 §4.4: superpages) and through the identity map;
//  - page faults (causes 12/13/15) with stval = the faulting address, for
//    unmapped, read-only, non-executable and U pages (§4.3.2, §4.1.9);
//  - 8 MiB of fresh pages written and read back (demand paging under hv6);
//  - accesses to physical addresses where QEMU's virt board has nothing:
//    access faults (causes 1/5/7), which hv6 must reproduce;
//  - untouched RAM and the UART through a page mapped away from the
//    identity map (under hv6 the fault's GPA is then not its address);
//  - the ns16550a UART's registers behave like the real device.
#include "guest-os/defs.h"
#include "guest-os/uart.h"

#if LAB >= 2

// Test VAs, far from the identity map (Sv39's lower half ends at 2^38).
#define VA_4K   0x2000000000UL   // 4 KiB mappings, one L0 table
#define VA_2M   0x2040000000UL   // one 2 MiB leaf
#define VA_1G   0x2100000000UL   // one 1 GiB leaf
#define GIGA    (1UL << 30)
#define MEGA2   (1UL << 21)

#define VA_UNMAPPED (VA_4K + 0x1000)
#define VA_RO       (VA_4K + 0x2000)
#define VA_USER     (VA_4K + 0x3000)
#define VA_DEV      (VA_4K + 0x4000)   // remapped to each hole in turn

#define TOUCH_PAGES 2048   // 8 MiB

// Load, store and fetch at va under expect; return the first trap's
// cause and check stval = va.
static u64
load(u64 va, u64 *val)
{
  struct trapinfo ti;
  expect_begin();
  *val = *(volatile u64 *)va;
  return expect_end(&ti) ? ti.scause | (ti.stval != va) << 16 : ~0UL;
}

static u64
store(u64 va, u64 val)
{
  struct trapinfo ti;
  expect_begin();
  *(volatile u64 *)va = val;
  return expect_end(&ti) ? ti.scause | (ti.stval != va) << 16 : ~0UL;
}

// A fetch fault returns here as if the callee had returned (trap.c).
static u64
fetch(u64 va)
{
  struct trapinfo ti;
  expect_begin();
  asm volatile("jalr ra, 0(%0)" :: "r"(va) : "ra", "memory");
  return expect_end(&ti) ? ti.scause | (ti.stval != va) << 16 : ~0UL;
}

// Print a fault check: want is the cause, or ~0 for "no trap".
static void
fault(const char *what, u64 va, u64 got, u64 want)
{
  if (got == ~0UL)
    t_check(want == ~0UL, "%s 0x%lx: no fault", what, va);
  else
    t_check(got == want, "%s 0x%lx: cause %ld (%s)%s", what, va, got & 0xffff,
            scause_name(got & 0xffff), got >> 16 ? " stval wrong" : "");
}

static void
test_alias(void)
{
  u64 pa = (u64)kalloc_page();
  vm_map_page(VA_4K, pa, 0, PTE_R | PTE_W);
  vm_map_page(VA_2M, pa & ~(MEGA2 - 1), 1, PTE_R | PTE_W);
  vm_map_page(VA_1G, pa & ~(GIGA - 1), 2, PTE_R | PTE_W);
  volatile u64 *p4k = (u64 *)VA_4K;
  volatile u64 *p2m = (u64 *)(VA_2M + (pa & (MEGA2 - 1)));
  volatile u64 *p1g = (u64 *)(VA_1G + (pa & (GIGA - 1)));
  volatile u64 *pid = (u64 *)pa;

  p4k[0] = 0x1111222233334444UL;
  t_check(p2m[0] == 0x1111222233334444UL && p1g[0] == p2m[0] && pid[0] == p2m[0],
          "write via 4K, read via 2M/1G/identity: 0x%lx 0x%lx 0x%lx", p2m[0], p1g[0], pid[0]);
  p1g[1] = 0x5555666677778888UL;
  t_check(p4k[1] == 0x5555666677778888UL && p2m[1] == p4k[1],
          "write via 1G, read via 4K/2M: 0x%lx 0x%lx", p4k[1], p2m[1]);
  p2m[511] = 0x99;
  t_check(p4k[511] == 0x99 && p1g[511] == 0x99, "write via 2M at offset 0xff8, read via 4K/1G: 0x%lx 0x%lx",
          p4k[511], p1g[511]);

  // Faults. The read-only, user and no-execute pages alias the same page.
  u64 v;
  fault("load unmapped", VA_UNMAPPED, load(VA_UNMAPPED, &v), EXC_LOAD_PAGE_FAULT);
  fault("store unmapped", VA_UNMAPPED, store(VA_UNMAPPED, 1), EXC_STORE_PAGE_FAULT);
  fault("fetch unmapped", VA_UNMAPPED, fetch(VA_UNMAPPED), EXC_INST_PAGE_FAULT);
  vm_map_page(VA_RO, pa, 0, PTE_R);
  fault("load read-only", VA_RO, load(VA_RO, &v), ~0UL);
  fault("store read-only", VA_RO, store(VA_RO, 1), EXC_STORE_PAGE_FAULT);
  fault("fetch non-executable", VA_4K, fetch(VA_4K), EXC_INST_PAGE_FAULT);
  // S-mode may not touch U pages unless sstatus.SUM (§4.1.1).
  vm_map_page(VA_USER, pa, 0, PTE_U | PTE_R | PTE_W);
  fault("load U page, SUM=0", VA_USER, load(VA_USER, &v), EXC_LOAD_PAGE_FAULT);
  csr_set(sstatus, SSTATUS_SUM);
  u64 got = load(VA_USER, &v);
  csr_clear(sstatus, SSTATUS_SUM);
  fault("load U page, SUM=1", VA_USER, got, ~0UL);
  t_check(v == 0x1111222233334444UL, "U page alias reads 0x%lx", v);

  vm_unmap_page(VA_4K, 0);
  vm_unmap_page(VA_RO, 0);
  vm_unmap_page(VA_USER, 0);
  vm_unmap_page(VA_2M, 1);
  vm_unmap_page(VA_1G, 2);
  fault("load after unmap", VA_4K, load(VA_4K, &v), EXC_LOAD_PAGE_FAULT);
}

static void
test_touch(void)
{
  u64 *first = kalloc_page();
  for (int i = 1; i < TOUCH_PAGES; i++)
    if (kalloc_page() != (u8 *)first + (u64)i * PGSIZE)
      panic("pgtest: pages not contiguous");
  u64 n = TOUCH_PAGES * PGSIZE / 8;
  for (u64 i = 0; i < n; i++)
    first[i] = i * 0x9e3779b97f4a7c15UL;
  u64 sum = 0;
  for (u64 i = 0; i < n; i++)
    sum = sum * 31 + first[i];
  t_line("touched %d pages (8 MiB), checksum %016lx", TOUCH_PAGES, sum);
}

// Physical addresses with nothing behind them on QEMU's virt board (7.2,
// `info mtree`): below the boot ROM, the platform-bus window, between the
// flash banks and PCIe ECAM, and the first byte past RAM.
static void
test_holes(void)
{
  const struct { const char *name; u64 pa; } holes[] = {
    { "0x0", 0x0 },
    { "0x4000000", 0x4000000 },
    { "0x28000000", 0x28000000 },
    { "end of RAM", plat.mem_base + plat.mem_size },
  };
  for (size_t i = 0; i < NELEM(holes); i++) {
    vm_map_page(VA_DEV, holes[i].pa, 0, PTE_R | PTE_W | PTE_X);
    u64 v;
    t_line("hole %s:", holes[i].name);
    fault("  load", VA_DEV, load(VA_DEV, &v), EXC_LOAD_ACCESS);
    fault("  store", VA_DEV, store(VA_DEV, 1), EXC_STORE_ACCESS);
    fault("  fetch", VA_DEV, fetch(VA_DEV), EXC_INST_ACCESS);
    vm_unmap_page(VA_DEV, 0);
  }
}

// RAM nothing has touched yet and the UART, each reached through VA_DEV
// rather than the identity map. Under hv6 either access is a G-stage
// fault whose guest physical address differs from its virtual one: hv6
// takes it from htval, or, on a hart that leaves htval 0, from its own
// walk of these page tables (hyp/vswalk.c).
static void
test_remap(void)
{
  // The last page below the device tree: the allocator, which hands out
  // pages upwards from the image, has not reached it.
  u64 pa = (ram_top() & ~(PGSIZE - 1)) - PGSIZE;
  vm_map_page(VA_DEV, pa, 0, PTE_R | PTE_W);
  *(volatile u64 *)(VA_DEV + 8) = 0x0123456789abcdefUL;
  u64 back = *(volatile u64 *)(pa + 8);
  vm_unmap_page(VA_DEV, 0);
  t_check(back == 0x0123456789abcdefUL, "fresh RAM written through a remapped page, "
          "read through the identity map: 0x%lx", back);
  if (!uart_present())
    return;
  vm_map_page(VA_DEV, plat.uart.base, 0, PTE_R | PTE_W);
  u8 lsr = *(volatile u8 *)(VA_DEV + UART_LSR);
  vm_unmap_page(VA_DEV, 0);
  t_check(lsr & UART_LSR_THRE, "uart LSR through a remapped page: THRE %s",
          lsr & UART_LSR_THRE ? "set" : "clear");
}

// The UART registers that Linux's and U-Boot's 8250 drivers rely on.
// The console also uses this UART (through SBI), so nothing is printed
// until every register is restored.
static void
test_uart(void)
{
  if (!uart_present()) {
    t_check(0, "no ns16550a UART in the device tree");
    return;
  }
  u8 lcr = uart_read(UART_LCR), ier = uart_read(UART_IER), scr = uart_read(UART_SCR);
  uart_write(UART_SCR, 0x5a);
  u8 scr1 = uart_read(UART_SCR);
  uart_write(UART_SCR, 0xa5);
  u8 scr2 = uart_read(UART_SCR);
  uart_write(UART_LCR, 0x1b);   // 8 data bits, 2 stop bits, even parity
  u8 lcr1 = uart_read(UART_LCR);
  uart_write(UART_LCR, lcr | UART_LCR_DLAB);
  u8 dll = uart_read(UART_DLL), dlm = uart_read(UART_DLM);
  uart_write(UART_DLL, 0x34);
  uart_write(UART_DLM, 0x12);
  u8 dll1 = uart_read(UART_DLL), dlm1 = uart_read(UART_DLM);
  uart_write(UART_DLL, dll);
  uart_write(UART_DLM, dlm);
  uart_write(UART_LCR, lcr);
  uart_write(UART_IER, 0xff);
  u8 ier1 = uart_read(UART_IER);
  uart_write(UART_IER, 0);
  u8 iir = uart_read(UART_IIR);
  u8 lsr = uart_read(UART_LSR);
  uart_write(UART_IER, ier);
  uart_write(UART_SCR, scr);

  t_check(scr1 == 0x5a && scr2 == 0xa5, "uart SCR write/read: 0x%x 0x%x", scr1, scr2);
  t_check(lcr1 == 0x1b, "uart LCR write/read: 0x%x", lcr1);
  t_check(dll1 == 0x34 && dlm1 == 0x12, "uart divisor latch write/read: DLL 0x%x DLM 0x%x",
          dll1, dlm1);
  t_check(ier1 == UART_IER_MASK, "uart IER write 0xff reads 0x%x", ier1);
  t_check((iir & 0x0f) == 0x01, "uart IIR with IER=0: no interrupt pending (0x%x)", iir & 0x0f);
  t_check(lsr & UART_LSR_THRE, "uart LSR THRE set: %s", lsr & UART_LSR_THRE ? "yes" : "no");
}

int
pgtest(int argc, char **argv)
{
  (void)argc, (void)argv;
  t_begin("pgtest");
  test_alias();
  test_touch();
  test_holes();
  test_remap();
  test_uart();
  return t_done();
}

#endif
