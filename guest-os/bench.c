// bench.c: `bench [quick]` — the guest's side of `make bench` (bench/README.md);
// `bench idle N` / `bench spin N` are the idle-cost periods.
//
// The exit figures are the guest's own instret delta over many iterations
// of a loop, minus the same loop without the trapping instruction, divided
// by the iteration count (timer-inject and idle-insn are measured
// differently: see b_timer and b_idle). QEMU's instret counts every instruction the hart retires
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
  return ram_top() & ~(2 * MiB - 1);
}

// The first touch of a fresh guest page is a G-stage demand fault under
// hv6. The pages are the 512 of one untouched 2 MiB region, which hv6
// backs at the first fault with one 2 MiB leaf (hyp/stage2.c), zeroing all
// 2 MiB; with 4 KiB leaves it would be a fault and a page zeroed per page.
// So the figure is per fault, not per page: a first write that costs over
// FAULT_MIN instructions is a fault (a fault zeroes at least a 4 KiB page,
// ~640 instructions, besides the exit; a store costs a few, and a host
// timer exit landing in the loop a few hundred). The guest's own
// interrupts are off meanwhile, so its tick handler is not in a store. Per fault: the first writes minus a second pass over the
// same pages, minus what zeroing the pages costs (the target leaves the
// zeroing out): one memset over them with lib/string.c's memset, the very
// function hv6 zeroes fresh memory with, in one call as hv6 zeroes a
// 2 MiB block.
#define FAULT_MIN 1000

static u64
touch_pages(u64 base, u64 npages, u64 *nslow)
{
  u64 all = 0;
  *nslow = 0;
  for (u64 i = 0; i < npages; i++) {
    u64 t0 = rdinstret();
    *(volatile u64 *)(base + i * PGSIZE) = i;
    u64 d = rdinstret() - t0;
    all += d;
    if (d > FAULT_MIN)
      (*nslow)++;
  }
  return all;
}

static void
b_stage2(void)
{
  u64 npages = 512, base = region_end() - 16 * MiB - 4 * MiB, nfaults, nagain;
  u64 sie = csr_read(sstatus) & SSTATUS_SIE;
  csr_clear(sstatus, SSTATUS_SIE);
  u64 t = touch_pages(base, npages, &nfaults);
  u64 b = touch_pages(base, npages, &nagain);
  u64 t0 = rdinstret();
  memset((void *)base, 0, npages * PGSIZE);
  u64 z = rdinstret() - t0;
  csr_set(sstatus, sie);
  printf("bench: stage2-faults %lu faults\n", nfaults);
  if (nfaults == 0)
    return;           // natively: nothing to report
  report("zero-fault", z, 0, nfaults, "insn/fault");
  report("stage2-fault", t - z, b, nfaults, "insn/fault");
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

  u64 i0 = rdinstret(), c0 = rdcycle(), w0 = rdtime(), w[3];

  // 1. integer: xorshift + multiply
  u64 x = 88172645463325252UL, acc = 0;
  u64 nint = quick ? 200000 : 4000000;
  for (u64 i = 0; i < nint; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    acc += x * 0x9e3779b97f4a7c15UL;
  }
  w[0] = rdtime();

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
  w[1] = rdtime();

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

  u64 di = rdinstret() - i0, dc = rdcycle() - c0;
  w[2] = rdtime();
  u64 tb = plat.timebase ? plat.timebase : 10000000;
  printf("bench: info checksum 0x%lx\n", acc);
  printf("bench: workload-instret %lu insn\n", di);
  printf("bench: workload-cycle %lu cycles\n", dc);
  printf("bench: workload-time %lu us\n", (w[2] - w0) * 1000000 / tb);
  // per phase, so that a student sees which one two-stage translation slows
  printf("bench: workload-time-int %lu us\n", (w[0] - w0) * 1000000 / tb);
  printf("bench: workload-time-chase %lu us\n", (w[1] - w[0]) * 1000000 / tb);
  printf("bench: workload-time-pt %lu us\n", (w[2] - w[1]) * 1000000 / tb);
}

#if LAB >= 3
// ---- timer-inject: from the timer firing to the guest's handler ----
//
// The probe's trap vector. Its first instruction reads instret: the end
// point of the figure. It masks the timer in sie (the interrupt stays
// pending until the next deadline, so sret would take it again) and
// returns to the spin loop in timer_probe(), which waits for t6 != 0.
asm(".pushsection .text\n"
    ".balign 4\n"
    "timer_probe_vec:\n"
    "  csrr t6, instret\n"
    "  li   t5, 0x20\n"            // SIP_STIP
    "  csrc sie, t5\n"
    "  sret\n"
    ".popsection\n");
extern char timer_probe_vec[];

// Wait for `time` to tick; return the new time and, in *e, instret right
// then (to within the 3-instruction loop). Under -icount shift=0 one
// instruction is 1 ns and a 10 MHz tick nspt = 100 instructions, so from
// here on time t + k begins at instret *e + k * nspt.
static inline u64
tick_edge(u64 *e)
{
  u64 old, t;
  asm volatile("rdtime %[old]\n"
               "1: rdinstret %[e]\n"
               "   rdtime %[t]\n"
               "   beq %[t], %[old], 1b\n"
               : [old] "=&r"(old), [t] "=&r"(t), [e] "=&r"(*e) :: "memory");
  return t;
}

// One probe: from a tick edge, `pad` instructions, then a deadline k
// ticks after the edge. QEMU arms its timer at "now + (deadline - time) *
// nspt" ns, i.e. late by the position of the write within its tick
// (0..nspt-1); `pad` moves that position. Returns instret at the handler
// minus the deadline's instret, or ~0 if no interrupt came.
static u64
timer_probe(u64 pad, u64 k, u64 nspt)
{
  u64 e, h, spin = 100000;
  u64 t = tick_edge(&e);
  asm volatile("   andi t0, %[pad], 1\n"          // exactly `pad` instructions past 4
               "   beqz t0, 2f\n"
               "   nop\n"
               "2: srli t0, %[pad], 1\n"
               "   beqz t0, 4f\n"
               "3: addi t0, t0, -1\n"
               "   bnez t0, 3b\n"
               "4:\n"
               :: [pad] "r"(pad) : "t0", "memory");
  timer_set(t + k);
  asm volatile("li t6, 0\n"
               "csrsi sstatus, 2\n"             // SIE
               "1: bnez t6, 2f\n"
               "   addi %[spin], %[spin], -1\n"
               "   bnez %[spin], 1b\n"
               "2: csrci sstatus, 2\n"
               "   mv %[h], t6\n"
               : [h] "=r"(h), [spin] "+r"(spin)
               :: "t5", "t6", "memory");
  return h ? h - (e + k * nspt) : ~0UL;
}

// The latency of a timer interrupt in instructions (only under icount):
// the minimum over pads 0..2*nspt-1, i.e. over every position of the
// deadline write within its tick, so the one where QEMU's timer is not
// late at all. Natively this is OpenSBI's M-mode path (machine timer
// interrupt, set STIP, mret); under hv6 without Sstc the host's timer
// interrupt, hv6's exit path and its injection of VSTIP through hvip;
// with Sstc (vstimecmp) the hart raises VSTIP itself.
static void
b_timer(void)
{
  u64 nspt = plat.timebase ? 1000000000UL / plat.timebase : 0;
  if (timer_source() == TIMER_NONE || nspt == 0 || nspt * plat.timebase != 1000000000UL) {
    printf("bench: timer-inject n/a no-timer\n");
    return;
  }
  u64 stvec = csr_read(stvec), sie = csr_read(sie);
  csr_write(stvec, (u64)timer_probe_vec);
  u64 lo = ~0UL, hi = 0;
  for (u64 pad = 0; pad < 2 * nspt; pad++) {
    csr_write(sie, SIP_STIP);
    u64 l = timer_probe(pad, 20, nspt);
    if (l == ~0UL)
      break;                   // no interrupt: the timer does not work (yet)
    lo = l < lo ? l : lo;
    hi = l > hi ? l : hi;
  }
  timer_set(~0UL);
  csr_write(sie, sie);
  csr_write(stvec, stvec);
  if (lo == ~0UL) {
    printf("bench: timer-inject n/a no-interrupt\n");
    return;
  }
  printf("bench: timer-inject %lu insn\n", lo);
  printf("bench: info timer-inject-spread %lu..%lu\n", lo, hi);
}

// ---- idle cost: `bench idle N` / `bench spin N` ----
//
// N seconds of guest time with a 100 Hz tick, in WFI (idle) or in a busy
// loop (spin), between two lines the harness watches while it samples
// QEMU's CPU time (tools/bench.py). Under icount instret is QEMU's virtual
// clock, which runs on while the hart sleeps in WFI (1e9 per second, idle
// or busy), so the instructions the hart really retired while idle are
// instret minus the time slept: each WFI sleeps from its start until the
// timer deadline that ends it, whose instret tick_edge() tells. That is
// `idle-insn`, per second; a busy hart retires 1e9 per second. It needs
// `-icount shift=0,sleep=off`: with sleep=on QEMU wakes a sleeping hart
// by host real time, which overshoots the deadline by the host's wake-up
// latency (~0.2 ms = 200000 "instructions" per tick). QEMU also fires a
// deadline up to nspt - 1 ns late (see timer_probe), so each tick may
// count up to 99 sleeping ns as work: < 1e4 per second at 100 Hz.
static u64 idle_end;
static int
idle_over(void)
{
  return rdtime() >= idle_end;
}

// The guest's wait_until(idle_over), with the sleep of each WFI summed.
static u64
idle_slept(u64 nspt)
{
  u64 e, t = tick_edge(&e), slept = 0;
  for (;;) {
    csr_clear(sstatus, SSTATUS_SIE);
    if (idle_over())
      break;
    u64 fire = e + (timer_next() - t) * nspt, i0 = rdinstret();
    wfi();
    u64 i1 = rdinstret();
    if (fire > i0)
      slept += (i1 < fire ? i1 : fire) - i0;
    csr_set(sstatus, SSTATUS_SIE);       // take the tick
  }
  return slept;
}

static int
b_idle(const char *how, const char *secs)
{
  int busy = strcmp(how, "spin") == 0;
  u64 n = secs[0] >= '1' && secs[0] <= '9' ? secs[0] - '0' : 1, slept = 0;
  u64 nspt = 1000000000UL / plat.timebase;
  if (timer_start(100, 0) < 0) {
    printf("bench: info %s n/a no-timer\n", how);
    return 1;
  }
  u64 i0 = rdinstret(), t0 = rdtime();
  idle_end = t0 + n * plat.timebase;
  printf("bench: info %s-begin\n", how);
  if (busy) {
    csr_set(sstatus, SSTATUS_SIE);    // the tick still interrupts the loop
    while (!idle_over())
      ;
  } else {
    slept = idle_slept(nspt);
  }
  csr_clear(sstatus, SSTATUS_SIE);
  u64 di = rdinstret() - i0, dt = rdtime() - t0, nt = ticks;
  timer_stop();
  u64 us = dt * 1000000 / plat.timebase;
  printf("bench: info %s-end us %lu ticks %lu instret %lu\n", how, us, nt, di);
  if (!busy)
    printf("bench: idle-insn %lu insn/s\n", (di - slept) * 1000000 / (us ? us : 1));
  return 0;
}
#endif

int
bench(int argc, char **argv)
{
#if LAB >= 3
  if (argc > 2 && (strcmp(argv[1], "idle") == 0 || strcmp(argv[1], "spin") == 0))
    return b_idle(argv[1], argv[2]);
#endif
  int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
  // `bench exits`: the exit loops alone, short (tools/exitprof.py traces them)
  int exits = argc > 1 && strcmp(argv[1], "exits") == 0;
  u64 n = quick || exits ? 100 : 2000;
  u64 t_start = rdtime(), tb = plat.timebase ? plat.timebase : 10000000;
  printf("bench: info start\n");
  b_sbi(n);
  b_csr(n);
  b_uart(n);
  if (exits) {
    b_stage2();
    printf("bench: done\n");
    return 0;
  }
  b_stage2();
#if LAB >= 3
  b_timer();
#endif
  b_workload(quick);
  // the whole run's length: make bench's exits per second (policy.exit-rate)
  printf("bench: run-time %lu us\n", (rdtime() - t_start) * 1000000 / tb);
  printf("bench: done\n");
  return 0;
}
