// bench.c: `bench [quick]` — the guest's side of `make bench` (bench/README.md).
//
// Every figure is the guest's own instret delta over many iterations of a
// loop, minus the same loop without the trapping instruction, divided by the
// iteration count. QEMU's instret counts every instruction the hart retires
// in any mode, so under hv6 a figure is the hypervisor's instructions per
// round trip (plus the trapping instruction itself); natively it is OpenSBI's
// (M-mode) cost, or ~0 where nothing traps. Only meaningful under
// `-icount shift=0` (without it QEMU's instret is the host's cycle counter).
// Output lines: `bench: <name> <value> <unit>` (all lines are "info"-like
// timings: never compared between native and hv6).
#include "guest-os/defs.h"
#include "sbi/ecall.h"

#define MiB (1UL << 20)

static inline u64
rdinstret(void)
{
  u64 v;
  asm volatile("rdinstret %0" : "=r"(v) :: "memory");
  return v;
}

static inline u64
rdtime(void)
{
  u64 v;
  asm volatile("rdtime %0" : "=r"(v) :: "memory");
  return v;
}

static inline u64
rdcycle(void)
{
  u64 v;
  asm volatile("rdcycle %0" : "=r"(v) :: "memory");
  return v;
}

// Per-iteration cost x100 (two decimals) of (trap - base) over n iterations.
static void
report(const char *name, u64 trap, u64 base, u64 n, const char *unit)
{
  long d = (long)trap - (long)base;
  long x100 = d * 100 / (long)n;
  const char *sign = x100 < 0 ? "-" : "";
  if (x100 < 0)
    x100 = -x100;
  printf("bench: %s %s%ld.%ld%ld %s\n", name, sign, x100 / 100, (x100 / 10) % 10, x100 % 10, unit);
}

// Each loop body is inline asm so the trapping and the baseline loops
// differ in exactly one instruction.
#define LOOP(n, body, clobbers...)                                   \
  ({                                                                 \
    u64 __t0 = rdinstret();                                          \
    for (u64 __i = 0; __i < (n); __i++)                              \
      asm volatile(body ::: "memory", ##clobbers);                   \
    rdinstret() - __t0;                                              \
  })

static void
b_sbi(u64 n)
{
  // unknown extension 0x0bad0000: SBI_ERR_NOT_SUPPORTED, the shortest path
  u64 t = LOOP(n, "li a7, 0x0bad0000; li a6, 0; ecall", "a0", "a1", "a6", "a7");
  u64 b = LOOP(n, "li a7, 0x0bad0000; li a6, 0; nop", "a0", "a1", "a6", "a7");
  report("sbi-null", t, b, n, "insn/call");
  // BASE (0x10) get_spec_version (fid 0)
  t = LOOP(n, "li a7, 0x10; li a6, 0; ecall", "a0", "a1", "a6", "a7");
  b = LOOP(n, "li a7, 0x10; li a6, 0; nop", "a0", "a1", "a6", "a7");
  report("sbi-base", t, b, n, "insn/call");
}

static void
b_csr(u64 n)
{
  // csrr of `time`: traps under TRAP=all (hcounteren.TM = 0), not under TRAP=min
  u64 t = LOOP(n, "csrr t0, time", "t0");
  u64 b = LOOP(n, "nop", "t0");
  report("csr-read", t, b, n, "insn/read");
}

static void
b_uart(u64 n)
{
  if (!uart_present()) {
    printf("bench: uart-read n/a no-uart\n");
    return;
  }
  volatile u8 *lsr = (volatile u8 *)(plat.uart.base + 5);
  u64 t0 = rdinstret();
  for (u64 i = 0; i < n; i++)
    asm volatile("lbu t0, 0(%0)" :: "r"(lsr) : "t0", "memory");
  u64 t = rdinstret() - t0;
  t0 = rdinstret();
  for (u64 i = 0; i < n; i++)
    asm volatile("mv t0, %0" :: "r"(lsr) : "t0", "memory");
  u64 b = rdinstret() - t0;
  report("uart-read", t, b, n, "insn/read");
}

// The bench regions: the top of RAM below the device tree (QEMU puts the
// native DT in the last 2 MiB), 2 MiB aligned: [s2 pages][16 MiB chase].
static u64
region_end(void)
{
  u64 end = plat.mem_base + plat.mem_size;
  if (plat.fdt_base >= plat.mem_base && plat.fdt_base < end)
    end = plat.fdt_base;
  return end & ~(2 * MiB - 1);
}

static void
b_stage2(u64 npages)
{
  u64 base = region_end() - 16 * MiB - 4 * MiB;
  // first touch: a G-stage demand fault per page under hv6
  u64 t0 = rdinstret();
  for (u64 i = 0; i < npages; i++)
    *(volatile u64 *)(base + i * PGSIZE) = i;
  u64 t = rdinstret() - t0;
  t0 = rdinstret();
  for (u64 i = 0; i < npages; i++)
    *(volatile u64 *)(base + i * PGSIZE) = i;
  u64 b = rdinstret() - t0;
  report("stage2-fault", t, b, npages, "insn/page");
}

extern char u_ecall[];

static void
b_workload(int quick)
{
  // Touch the workload's memory first: its one-time G-stage demand faults
  // are stage2-fault's figure; the workload measures the steady state.
  for (u64 a = region_end() - 16 * MiB - 8 * MiB; a < region_end(); a += PGSIZE)
    if (a < region_end() - 16 * MiB - 4 * MiB || a >= region_end() - 16 * MiB)
      *(volatile u64 *)a = 0;

  u64 i0 = rdinstret(), c0 = rdcycle(), w0 = rdtime();

  // 1. integer: xorshift + multiply
  u64 x = 88172645463325252UL, acc = 0;
  u64 nint = quick ? 200000 : 4000000;
  for (u64 i = 0; i < nint; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    acc += x * 0x9e3779b97f4a7c15UL;
  }

  // 2. pointer chasing over 16 MiB (one node per 64-byte line, one random cycle)
  u64 nodes = 16 * MiB / 64;
  u64 *buf = (u64 *)(region_end() - 16 * MiB);
  for (u64 i = 0; i < nodes; i++)
    buf[i * 8] = i;
  for (u64 i = nodes - 1; i > 0; i--) {          // Sattolo: a single cycle
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    u64 j = x % i;
    u64 t = buf[i * 8]; buf[i * 8] = buf[j * 8]; buf[j * 8] = t;
  }
  u64 p = 0, nchase = quick ? 100000 : 2000000;
  for (u64 i = 0; i < nchase; i++)
    p = buf[p * 8];
  acc += p;

  // 3. page-table heavy: map, touch, unmap (sfence.vma) a 4 KiB page, and a
  //    U-mode round trip (two guest context switches), many times
  u64 npt = quick ? 200 : 5000;
  u64 pa = region_end() - 16 * MiB - 8 * MiB;
  for (u64 i = 0; i < npt; i++) {
    u64 va = 0x3000000000UL + (i % 64) * PGSIZE;
    vm_map_page(va, pa + (i % 64) * PGSIZE, 0, PTE_R | PTE_W);
    *(volatile u64 *)va = i;
    acc += *(volatile u64 *)va;
    vm_unmap_page(va, 0);
    struct uresult r;
    run_user(user_fn((void (*)(void))u_ecall), 0, &r);
  }

  u64 di = rdinstret() - i0, dc = rdcycle() - c0, dw = rdtime() - w0;
  u64 tb = plat.timebase ? plat.timebase : 10000000;
  printf("bench: info checksum 0x%lx\n", acc);
  printf("bench: workload-instret %lu insn\n", di);
  printf("bench: workload-cycle %lu cycles\n", dc);
  printf("bench: workload-time %lu us\n", dw * 1000000 / tb);
}

int
bench(int argc, char **argv)
{
  int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
  u64 n = quick ? 100 : 2000;
  printf("bench: info start\n");
  b_sbi(n);
  b_csr(n);
  b_uart(n);
  b_stage2(quick ? 16 : 512);
  b_workload(quick);
  printf("bench: done\n");
  return 0;
}
