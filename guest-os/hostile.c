// hostile.c: hostile guest programs (issue 9, "resource control"). Each
// does what a malicious or broken kernel might, counts what happened and
// compares it with what the architecture (or DESIGN.md §1) says must
// happen. Run under hv6 they show that the guest cannot reach beyond its
// own resources and that the host survives; run natively, the programs
// marked "comparable" print the same result lines (equivalence).
//
//   hostile wild [n]   loads/stores/fetches across the physical address
//                      space outside guest RAM: beyond RAM (where hv6's own
//                      memory is on the host), holes, above 2^41, and loads
//                      from every device window; all widths (comparable)
//   hostile csr        hypervisor and machine CSRs read and written from S
//                      and U, HLV/HSV/HFENCE from S and U (comparable),
//                      then the csrsweep and syssweep self-tests
//   hostile sbi [n]    random EIDs/FIDs/arguments, DBCN buffers anywhere,
//                      bad SRST (expectations checked under hv6 only)
//   hostile mmio [n]   random widths/offsets/values on the UART, PLIC and
//                      virtio windows the device tree shows; state restored
//   hostile storm [n]  n ecalls, n G-stage faults, n hypervisor-CSR traps
//   hostile mem        write every free page of RAM, check them, then load
//                      beyond the end of RAM (comparable)
//   hostile noreturn   a trap handler that never returns (the VM spins)
//   hostile vstvec0    paging off, stvec = 0, then a trap
// Every program ends with "hostile: <name> done, A attempts, F faults,
// M mismatches" and the usual "hostile: done, N checks, M failed".
#include "guest-os/defs.h"
#include "sbi/ecall.h"

#if LAB >= 1

#define WILD_VA   0x2000000000UL   // scratch page, remapped for each wild access
#define UPROG_VA  0x1000200000UL   // a U-mode page of run-time instructions

enum { LOAD, STORE, FETCH };

static u64 rng;
static u64 attempts, faults, mismatches;
static u64 ncause[24];

static u64
rand64(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static u64
argnum(int argc, char **argv, int i, u64 def)
{
  if (argc <= i)
    return def;
  u64 v = 0;
  for (const char *p = argv[i]; *p >= '0' && *p <= '9'; p++)
    v = v * 10 + (*p - '0');
  return v ? v : def;
}

static void
count_trap(int ntraps, struct trapinfo *ti)
{
  attempts++;
  if (ntraps) {
    faults++;
    if (ti->scause < NELEM(ncause))
      ncause[ti->scause]++;
  }
}

static void
print_causes(const char *what)
{
  for (u64 c = 0; c < NELEM(ncause); c++)
    if (ncause[c])
      t_line("%s: cause %ld (%s): %ld", what, c, scause_name(c), ncause[c]);
  memset(ncause, 0, sizeof(ncause));
}

static int
finish(const char *name)
{
  t_check(mismatches == 0, "%s done, %ld attempts, %ld faults, %ld mismatches", name,
          attempts, faults, mismatches);
  return t_done();
}

static void
begin(const char *name, u64 seed)
{
  t_begin("hostile");
  rng = seed ^ 0x686f7374696c6521UL;
  for (const char *p = name; *p; p++)
    rng = rng * 31 + *p;
  attempts = faults = mismatches = 0;
  memset(ncause, 0, sizeof(ncause));
}

// ---- one access at a virtual address, all traps expected ----
static int
access(int kind, u64 va, int width, u64 val, struct trapinfo *ti)
{
  expect_begin();
  if (kind == FETCH) {
    ((void (*)(void))va)();
  } else if (kind == LOAD) {
    switch (width) {
    case 1: (void)*(volatile u8 *)va; break;
    case 2: (void)*(volatile u16 *)va; break;
    case 4: (void)*(volatile u32 *)va; break;
    default: (void)*(volatile u64 *)va; break;
    }
  } else {
    switch (width) {
    case 1: *(volatile u8 *)va = val; break;
    case 2: *(volatile u16 *)va = val; break;
    case 4: *(volatile u32 *)va = val; break;
    default: *(volatile u64 *)va = val; break;
    }
  }
  return expect_end(ti);
}

// An access to physical address pa through the scratch page.
static int
phys_access(int kind, u64 pa, int width, u64 val, struct trapinfo *ti)
{
  vm_map_page(WILD_VA, pa & ~(PGSIZE - 1), 0, PTE_R | PTE_W | PTE_X);
  return access(kind, WILD_VA + (pa & (PGSIZE - 1)), width, val, ti);
}

static const u64 want_cause[3] = { EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INST_ACCESS };

// An access that must raise the access fault (DESIGN.md §1: any GPA that
// is neither RAM nor a device; natively: nothing there).
static void
must_fault(int kind, u64 pa, int width)
{
  struct trapinfo ti;
  if (kind == FETCH && width < 4)
    width = 4;             // jalr clears bit 0: fetch from an aligned address
  u64 off = pa & (PGSIZE - 1) & ~(u64)(width - 1);
  pa = (pa & ~(PGSIZE - 1)) | off;
  int n = phys_access(kind, pa, width, rand64(), &ti);
  count_trap(n, &ti);
  u64 va = WILD_VA + off;
  if (n != 1 || ti.scause != want_cause[kind] || ti.stval != va) {
    mismatches++;
    t_line("0x%lx %s width %d: %d traps, scause %ld, stval %s", pa,
           kind == LOAD ? "load" : kind == STORE ? "store" : "fetch", width, n,
           n ? (long)ti.scause : -1L, n && ti.stval == va ? "= address" : "wrong");
  }
}

// Native QEMU virt windows (hw/riscv/virt.c memmap, QEMU 7.2) that hv6's
// guest does not have; the wild sampler leaves them alone so that native
// and virtual runs agree. Guest RAM is left alone too.
static const u64 native_windows[][2] = {
  { 0x0, 0x10000 },                  // debug, mrom
  { 0x100000, 0x2000 },              // test, rtc
  { 0x2000000, 0x10000 },            // clint
  { 0x2f00000, 0x4000 },             // aclint sswi
  { 0x3000000, 0x10000 },            // pcie pio
  { 0x4000000, 0x2000000 },          // platform bus
  { 0xc000000, 0x4000000 },          // plic, aplic
  { 0x10000000, 0x100000 },          // uart, virtio slots
  { 0x10100000, 0x1000 },            // fw_cfg
  { 0x20000000, 0x10000000 },        // flash, imsic
  { 0x30000000, 0x50000000 },        // pcie ecam, mmio
  { 0x400000000, 0x400000000 },      // high pcie mmio
};

static int
in_native_window(u64 pa)
{
  for (u64 i = 0; i < NELEM(native_windows); i++)
    if (pa >= native_windows[i][0] && pa - native_windows[i][0] < native_windows[i][1])
      return 1;
  return pa >= plat.mem_base && pa - plat.mem_base < plat.mem_size;
}

static int
rand_kind(void)
{
  u64 r = rand64() % 8;
  return r < 4 ? LOAD : r < 7 ? STORE : FETCH;
}

static int
rand_width(void)
{
  return 1 << (rand64() % 4);
}

static void
wild_range(const char *what, u64 n, u64 (*gen)(void))
{
  u64 a0 = attempts, f0 = faults, m0 = mismatches;
  for (u64 i = 0; i < n; i++)
    must_fault(rand_kind(), gen(), rand_width());
  t_line("wild %s: %ld accesses, %ld faults, %ld mismatches", what, attempts - a0,
         faults - f0, mismatches - m0);
  print_causes(what);
}

// Just past the end of guest RAM up to 4 GiB: on the host, hv6's own
// memory and everything it allocates (the host has 1 GiB at 0x80000000).
static u64
gen_beyond(void)
{
  u64 end = plat.mem_base + plat.mem_size;
  if (rand64() % 4 == 0)   // the first pages past the end
    return end + rand64() % (16 * PGSIZE);
  return end + rand64() % (0x100000000UL - end);
}

// Anywhere in the 41-bit guest physical space that nothing occupies.
static u64
gen_hole(void)
{
  for (;;) {
    u64 pa = (rand64() % 2) ? rand64() % (1UL << 41) : rand64() % 0x80000000UL;
    if (!in_native_window(pa) && (pa < 0x80000000UL || pa >= 0x100000000UL))
      return pa;
  }
}

// Above the 41 bits Sv39x4 translates (up to Sv39's 56-bit PA).
static u64
gen_high(void)
{
  int bits = 42 + rand64() % 15;
  return (1UL << (bits - 1)) | (rand64() & ((1UL << (bits - 1)) - 1));
}

static int
hostile_wild(int argc, char **argv)
{
  u64 n = argnum(argc, argv, 2, 1000);
  begin("wild", argnum(argc, argv, 3, 1));
  wild_range("beyond-ram", n, gen_beyond);
  wild_range("holes", n, gen_hole);
  wild_range("above-2^41", n / 4, gen_high);
  // Loads from every device window, every width: the devices answer or
  // the access faults, as the device model decides (not comparable).
  u64 d0 = attempts, df = faults;
  struct { u64 base, size; } win[2 + FDT_MAX_VIRTIO];
  int nwin = 0;
  if (plat.uart.base)
    win[nwin].base = plat.uart.base, win[nwin++].size = plat.uart.size;
  if (plat.plic.base)
    win[nwin].base = plat.plic.base, win[nwin++].size = plat.plic.size;
  for (int i = 0; i < plat.nvirtio; i++)
    win[nwin].base = plat.virtio[i].base, win[nwin++].size = plat.virtio[i].size;
  for (int w = 0; w < nwin; w++) {
    for (u64 i = 0; i < n / 8; i++) {
      int width = rand_width();
      u64 off = (rand64() % win[w].size) & ~(u64)(width - 1);
      // Not the PLIC's claim registers: a claim must be completed.
      if (win[w].base == plat.plic.base && off >= 0x200000 && (off & 0xfff) >= 4 &&
          (off & 0xfff) < 8)
        continue;
      struct trapinfo ti;
      int nt = access(LOAD, win[w].base + off, width, 0, &ti);
      count_trap(nt, &ti);
      if (nt && ti.scause != EXC_LOAD_ACCESS && ti.scause != EXC_LOAD_MISALIGNED)
        mismatches++;
    }
  }
  t_info("wild devices: %ld loads, %ld faults", attempts - d0, faults - df);
  print_causes("info devices");
  attempts = d0, faults = df;     // the done line counts only the comparable part
  vm_unmap_page(WILD_VA, 0);
  return finish("wild");
}

// ---- CSRs and H-extension instructions from S and U ----
static u32
csr_insn(u32 csr, u32 f3, u32 rs1, u32 rd)
{
  return csr << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x73;
}

static u32 *uprog;

// Run one instruction word in U-mode (followed by ecall); returns scause
// and the trap's stval.
static u64
run_u(u32 w, u64 *stval)
{
  if (uprog == 0) {
    uprog = kalloc_page();
    vm_map_page(UPROG_VA, (u64)uprog, 0, PTE_U | PTE_R | PTE_X);
  }
  uprog[0] = w;
  uprog[1] = 0x00000073;   // ecall
  asm volatile("fence.i" ::: "memory");
  struct uresult r;
  u64 c = run_user(UPROG_VA, 0, &r);
  *stval = r.stval;
  return c;
}

// w must raise an illegal-instruction exception with stval = w.
static void
must_be_illegal(u32 w, int user)
{
  struct trapinfo ti;
  u64 cause, stval;
  if (user) {
    cause = run_u(w, &stval);
    attempts++;
    if (cause != EXC_ECALL_U)
      faults++;
  } else {
    struct jitresult r;
    jit_run(&w, 1, &r);
    ti = r.first;
    count_trap(r.ntraps, &ti);
    cause = r.ntraps ? ti.scause : ~0UL;
    stval = ti.stval;
  }
  if (cause < NELEM(ncause) && user)
    ncause[cause]++;
  if (cause != EXC_ILLEGAL_INST || stval != w) {
    mismatches++;
    t_line("%s 0x%08x: scause %ld stval 0x%lx", user ? "U" : "S", w, (long)cause, stval);
  }
}

static int
hostile_csr(int argc, char **argv)
{
  begin("csr", argnum(argc, argv, 2, 1));
  // Hypervisor (0x6xx, 0xaxx, 0xexx) and machine (0x3xx, 0x7xx, 0xbxx,
  // 0xfxx) CSRs: every number read, and written with x0 or a0 (0x1xx and
  // 0x5xx are supervisor ones, left to csrsweep).
  static const u32 ranges[] = { 0x300, 0x600, 0x700, 0xa00, 0xb00, 0xe00, 0xf00 };
  for (int user = 0; user < 2; user++) {
    u64 a0 = attempts, m0 = mismatches;
    for (u64 r = 0; r < NELEM(ranges); r++) {
      for (u32 csr = ranges[r]; csr < ranges[r] + 0x100; csr++) {
        if (csr_native_quirk(csr))      // e.g. htimedelta: QEMU 7.2 has it without H
          continue;
        must_be_illegal(csr_insn(csr, 2, 0, 10), user);   // csrr a0, csr
        if ((csr >> 10) != 3)                               // writable numbers
          must_be_illegal(csr_insn(csr, 1, (rand64() & 1) ? 10 : 0, 0), user);  // csrw
      }
    }
    t_line("%s hypervisor+machine CSRs: %ld accesses, %ld mismatches", user ? "U" : "S",
           attempts - a0, mismatches - m0);
    print_causes(user ? "U CSRs" : "S CSRs");
  }
  // HLV/HLVX/HSV (priv spec §8.4.3) and the hypervisor fences.
  static const u32 hinsn[] = {
    0x60054573, 0x60154573, 0x64054573, 0x64154573, 0x64354573,   // hlv.b bu h hu hlvx.hu
    0x68054573, 0x68154573, 0x68354573, 0x6c054573,               // hlv.w wu hlvx.wu d
    0x62a54073, 0x66a54073, 0x6aa54073, 0x6ea54073,               // hsv.b h w d
    0x22000073, 0x22a50073, 0x62000073, 0x62a50073,               // hfence.vvma/gvma
  };
  for (int user = 0; user < 2; user++) {
    u64 a0 = attempts, m0 = mismatches;
    for (u64 i = 0; i < NELEM(hinsn); i++)
      must_be_illegal(hinsn[i], user);
    t_line("%s HLV/HSV/HFENCE: %ld instructions, %ld mismatches", user ? "U" : "S",
           attempts - a0, mismatches - m0);
  }
  print_causes("H instructions");
  int rc = finish("csr");
  // The seeded SYSTEM-opcode sweep and the 4096-CSR sweep (guest-os/).
  char *sw[] = { "csrsweep", 0 };
  rc |= csrsweep(1, sw);
  sw[0] = "syssweep";
  rc |= syssweep(1, sw);
  return rc;
}

// ---- SBI ----
static int
hostile_sbi(int argc, char **argv)
{
  u64 n = argnum(argc, argv, 2, 2000);
  begin("sbi", argnum(argc, argv, 3, 1));
  struct sbiret id = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0);
  int hv6 = id.error == 0 && id.value == SBI_IMPL_ID_HV6;
  u64 ramend = plat.mem_base + plat.mem_size;
  static const long eids[] = {
    SBI_EXT_BASE, SBI_EXT_DBCN, SBI_EXT_SRST, SBI_EXT_TIME, SBI_EXT_RFNC, SBI_EXT_HSM,
    SBI_LEGACY_CONSOLE_GETCHAR, SBI_LEGACY_CLEAR_IPI, SBI_LEGACY_REMOTE_FENCE_I,
    SBI_LEGACY_REMOTE_SFENCE, SBI_LEGACY_REMOTE_SFENCE_ASID, 0x504D55, 0x53555350,
    0x43505043, 0x4E41434C, 0x46574654, 0x09000000, 0x0A000000, 0x0BFFFFFF, 0x7FFFFFFF,
  };
  u64 nerr[9] = { 0 };
  for (u64 i = 0; i < n; i++) {
    long eid = (rand64() % 4) ? eids[rand64() % NELEM(eids)] : (long)rand64();
    long fid = (rand64() % 2) ? (long)(rand64() % 8) : (long)rand64();
    u64 a[6];
    for (int k = 0; k < 6; k++)
      a[k] = (rand64() % 2) ? rand64() % 64 : rand64();
    // Leave out the calls that would end this test or change its machine:
    // shutdown, a valid reset, stopping or suspending the hart, the timer
    // (SIE may be on), IPIs, and printing random bytes.
    if (eid >= 0 && eid <= 8 && eid != 2 && eid != 3 && eid != 5 && eid != 6 && eid != 7)
      continue;
    if (eid == SBI_EXT_TIME || eid == SBI_EXT_IPI)
      continue;
    // On another firmware (natively, OpenSBI) only BASE and bad SRST
    // calls: others read their arguments as addresses (legacy remote
    // fences, DBCN) and this test is about hv6.
    // (OpenSBI 1.1 also takes an M-mode fault on some random PMU calls.)
    if (!hv6 && eid != SBI_EXT_BASE && eid != SBI_EXT_SRST)
      continue;
    if (eid == SBI_EXT_HSM && (fid == SBI_HSM_HART_STOP || fid == SBI_HSM_HART_SUSPEND ||
                               fid == SBI_HSM_HART_START))
      continue;
    if (eid == SBI_EXT_DBCN) {
      // Buffers anywhere: host RAM, MMIO, wrapping, huge; never guest RAM
      // for a write (it would print it).
      static const u64 where[] = { 0x80000000UL + (1UL << 30) - 64, 0x10000000UL,
                                   0xfffffffffffffff0UL, 0, 0x1000, 0xc0000000UL };
      a[1] = (rand64() % 3) ? where[rand64() % NELEM(where)] : ramend + rand64() % (1UL << 32);
      if (rand64() % 2)
        a[0] = (rand64() % 2) ? ~0UL - rand64() % 4096 : plat.mem_size + rand64() % 4096;
      if (fid == SBI_DBCN_WRITE_BYTE)
        fid = 3;
      if (fid == SBI_DBCN_READ && rand64() % 2) {   // the read lands past the end of RAM
        a[1] = ramend - 16;
        a[0] = 17 + rand64() % 4096;
      }
    }
    if (eid == SBI_EXT_SRST && fid == SBI_SRST_RESET) {
      a[0] = 3 + rand64() % 1000;        // no such reset type
      if (rand64() % 2) {
        a[0] = rand64() % 3;
        a[1] = 2 + rand64() % 0xDFFFFFF0UL;   // a reserved reason
      }
    }
    struct sbiret r = sbi_ecall(eid, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
    attempts++;
    if (r.error < 0)
      faults++;
    if (r.error <= 0 && r.error >= -8)
      nerr[-r.error]++;
    if (!hv6)
      continue;
    // Under hv6, DESIGN.md §1: what it serves, and nothing else.
    int bad = 0;
    int served = eid == SBI_EXT_BASE || eid == SBI_EXT_DBCN || eid == SBI_EXT_SRST ||
                 (eid >= 0 && eid <= 8);
#if LAB >= 3
    served |= eid == SBI_EXT_RFNC || eid == SBI_EXT_HSM;
#endif
    if (!served)
      bad = r.error != SBI_ERR_NOT_SUPPORTED;
    else if (eid == SBI_EXT_DBCN && (unsigned long)fid > SBI_DBCN_WRITE_BYTE)
      bad = r.error != SBI_ERR_NOT_SUPPORTED;
    else if (eid == SBI_EXT_DBCN && (unsigned long)fid <= SBI_DBCN_READ)
      bad = a[2] == 0 && a[1] >= plat.mem_base && a[1] - plat.mem_base < plat.mem_size &&
            a[0] <= plat.mem_size - (a[1] - plat.mem_base) ? r.error != 0
                                                             : r.error != SBI_ERR_INVALID_PARAM;
    else if (eid == SBI_EXT_SRST)
      bad = r.error != (fid == SBI_SRST_RESET ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED);
    else if (eid > 8 && (r.error > 0 || r.error < -8))
      bad = 1;
    if (bad) {
      mismatches++;
      t_line("eid 0x%lx fid %ld a0 0x%lx a1 0x%lx: error %ld", eid, fid, a[0], a[1], r.error);
    }
  }
  if (!hv6)
    t_info("sbi: not under hv6, the expectations are hv6's (DESIGN.md §1): not checked");
  t_info("sbi: %ld calls; errors: 0:%ld -1:%ld -2:%ld -3:%ld -4:%ld -5:%ld", attempts,
         nerr[0], nerr[1], nerr[2], nerr[3], nerr[4], nerr[5]);
  faults = 0;   // errors are answers, not faults
  return finish("sbi");
}

// ---- MMIO ----
static void
mmio_fuzz(const char *what, u64 base, u64 size, u64 n, int (*skip)(u64 off, int store))
{
  u64 a0 = attempts, f0 = faults, m0 = mismatches;
  for (u64 i = 0; i < n; i++) {
    int width = rand_width(), store = rand64() % 2;
    u64 off = (rand64() % size) & ~(u64)(width - 1);
    if (skip(off, store))
      continue;
    struct trapinfo ti;
    int nt = access(store ? STORE : LOAD, base + off, width, rand64(), &ti);
    count_trap(nt, &ti);
    if (nt && ti.scause != (store ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS) &&
        ti.scause != (store ? EXC_STORE_MISALIGNED : EXC_LOAD_MISALIGNED)) {
      mismatches++;
      t_line("%s +0x%lx %s width %d: scause %ld", what, off, store ? "store" : "load",
             width, ti.scause);
    }
  }
  t_info("mmio %s: %ld accesses, %ld faults, %ld mismatches", what, attempts - a0,
         faults - f0, mismatches - m0);
  print_causes(what);
}

static u8 uart_lcr;

// The UART: no THR writes (they would print), and the claim register of
// the PLIC is completed below rather than read here.
static int
uart_skip(u64 off, int store)
{
  if (store && off == 0 && !(uart_lcr & 0x80))
    return 1;
  if (store && off == 3)
    uart_lcr = 0x80;   // assume the worst: DLAB may be on now
  return 0;
}

static int
plic_skip(u64 off, int store)
{
  (void)store;
  return off >= 0x200000 && (off & 0xfff) >= 4 && (off & 0xfff) < 8;
}

static int
virtio_skip(u64 off, int store)
{
  return store && off >= 0x50 && off < 0x54;   // QueueNotify: no DMA from random rings
}

static int
hostile_mmio(int argc, char **argv)
{
  u64 n = argnum(argc, argv, 2, 2000);
  begin("mmio", argnum(argc, argv, 3, 1));
  if (plat.uart.base) {
    volatile u8 *u = (volatile u8 *)plat.uart.base;
    u8 ier = u[1], lcr = u[3], mcr = u[4], scr = u[7];
    u[3] = lcr | 0x80;
    u8 dll = u[0], dlm = u[1];
    u[3] = lcr;
    uart_lcr = lcr;
    mmio_fuzz("uart", plat.uart.base, plat.uart.size, n, uart_skip);
    u[3] = lcr | 0x80;
    u[0] = dll, u[1] = dlm;
    u[3] = lcr, u[1] = ier, u[4] = mcr, u[7] = scr;
    u[2] = 0x07;   // FIFOs on and cleared
  }
  if (plat.plic.base) {
    volatile u32 *p = (volatile u32 *)plat.plic.base;
    static u32 prio[128];
    u32 ndev = plat.plic_ndev < 128 ? plat.plic_ndev : 127, en[2][4], th[2];
    for (u32 i = 1; i <= ndev; i++)
      prio[i] = p[i];
    for (int c = 0; c < 2; c++) {
      for (int w = 0; w < 4; w++)
        en[c][w] = p[(0x2000 + 0x80 * c) / 4 + w];
      th[c] = p[(0x200000 + 0x1000 * c) / 4];
    }
    mmio_fuzz("plic", plat.plic.base, plat.plic.size, n, plic_skip);
    // Claim and complete whatever the random writes made pending.
    for (int k = 0; k < 64; k++) {
      u32 irq = p[0x201004 / 4];
      if (irq == 0)
        break;
      p[0x201004 / 4] = irq;
    }
    for (u32 i = 1; i <= ndev; i++)
      p[i] = prio[i];
    for (int c = 0; c < 2; c++) {
      for (int w = 0; w < 4; w++)
        p[(0x2000 + 0x80 * c) / 4 + w] = en[c][w];
      p[(0x200000 + 0x1000 * c) / 4] = th[c];
    }
  }
  for (int i = 0; i < plat.nvirtio; i++) {
    mmio_fuzz("virtio", plat.virtio[i].base, plat.virtio[i].size, n / 2, virtio_skip);
    *(volatile u32 *)(plat.virtio[i].base + 0x70) = 0;   // reset the device
  }
  return finish("mmio");
}

// ---- exit storms ----
static int
hostile_storm(int argc, char **argv)
{
  u64 n = argnum(argc, argv, 2, 200000);   // x3 exits: ~9 s under TCG
  begin("storm", 1);
  u64 bad = 0;
  for (u64 i = 0; i < n; i++) {
    struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0);
    attempts++;
    bad += r.error != 0 || r.value < 2;
  }
  t_line("storm: %ld ecalls, %ld wrong answers", n, bad);
  mismatches += bad;
  // G-stage faults: the first page past the end of RAM, mapped once.
  u64 pa = plat.mem_base + plat.mem_size;
  vm_map_page(WILD_VA, pa, 0, PTE_R | PTE_W);
  bad = 0;
  for (u64 i = 0; i < n; i++) {
    struct trapinfo ti;
    int nt = access(LOAD, WILD_VA + 8 * (i % 512), 8, 0, &ti);
    count_trap(nt, &ti);
    bad += nt != 1 || ti.scause != EXC_LOAD_ACCESS;
  }
  t_line("storm: %ld loads past RAM, %ld not an access fault", n, bad);
  mismatches += bad;
  vm_unmap_page(WILD_VA, 0);
  // Hypervisor-CSR reads: virtual-instruction exits made illegal.
  bad = 0;
  for (u64 i = 0; i < n; i++) {
    struct trapinfo ti;
    expect_begin();
    asm volatile("csrr a0, 0x600" ::: "a0");   // hstatus
    int nt = expect_end(&ti);
    count_trap(nt, &ti);
    bad += nt != 1 || ti.scause != EXC_ILLEGAL_INST;
  }
  t_line("storm: %ld hstatus reads, %ld not illegal", n, bad);
  mismatches += bad;
  print_causes("storm");
  return finish("storm");
}

// ---- memory ----
static int
hostile_mem(int argc, char **argv)
{
  begin("mem", 1);
  u64 beyond = argnum(argc, argv, 2, 64) << 20;   // MiB to probe past the end
  u64 start = (u64)kalloc_page();                 // everything above is free
  u64 end = plat.mem_base + plat.mem_size;
  u64 pages = 0, bad = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (u64 pa = start; pa < end; pa += PGSIZE) {
      if (pa + PGSIZE > plat.fdt_base && pa < plat.fdt_base + plat.fdt_size)
        continue;
      volatile u64 *p = (volatile u64 *)pa;
      if (pass == 0) {
        p[0] = pa ^ 0x5a5a5a5a5a5a5a5aUL;
        p[511] = ~pa;
        pages++;
      } else if (p[0] != (pa ^ 0x5a5a5a5a5a5a5a5aUL) || p[511] != ~pa) {
        bad++;
      }
    }
  }
  t_check(bad == 0, "mem: every free page of RAM written and read back (%ld pages differ)", bad);
  t_info("mem: %ld pages from 0x%lx to 0x%lx", pages, start, end);
  u64 a0 = attempts, f0 = faults, m0 = mismatches;
  for (u64 off = 0; off < beyond; off += (1UL << 20) / 4)
    must_fault(off % (3UL << 18) == 0 ? STORE : LOAD, end + off, 8);
  t_line("mem: past the end of RAM: %ld accesses, %ld faults, %ld mismatches",
         attempts - a0, faults - f0, mismatches - m0);
  vm_unmap_page(WILD_VA, 0);
  mismatches += bad;
  return finish("mem");
}

// ---- traps that never end ----
extern char hostile_spin[];
asm(".globl hostile_spin\n.p2align 2\nhostile_spin: j hostile_spin\n");

static int
hostile_noreturn(int argc, char **argv)
{
  (void)argc, (void)argv;
  t_begin("hostile");
  t_line("noreturn: the trap handler spins from now on");
  csr_clear(sstatus, SSTATUS_SIE);
  csr_write(stvec, (u64)hostile_spin);
  asm volatile("ebreak");
  t_line("noreturn: FAIL the trap returned");
  return 1;
}

static int
hostile_vstvec0(int argc, char **argv)
{
  (void)argc, (void)argv;
  t_begin("hostile");
  t_line("vstvec0: paging off, stvec = 0, then an illegal instruction");
  csr_clear(sstatus, SSTATUS_SIE);
  csr_write(satp, 0);
  asm volatile("sfence.vma zero, zero" ::: "memory");
  csr_write(stvec, 0);
  asm volatile(".word 0" ::: "memory");
  t_line("vstvec0: FAIL the trap returned");
  return 1;
}

static const struct {
  const char *name;
  int (*fn)(int, char **);
} progs[] = {
  { "wild", hostile_wild }, { "csr", hostile_csr }, { "sbi", hostile_sbi },
  { "mmio", hostile_mmio }, { "storm", hostile_storm }, { "mem", hostile_mem },
  { "noreturn", hostile_noreturn }, { "vstvec0", hostile_vstvec0 },
};

int
hostile_main(int argc, char **argv)
{
  for (u64 i = 0; argc >= 2 && i < NELEM(progs); i++)
    if (strcmp(argv[1], progs[i].name) == 0)
      return progs[i].fn(argc, argv);
  printf("usage: hostile wild|csr|sbi|mmio|storm|mem|noreturn|vstvec0 [n] [seed]\n");
  return 1;
}

#endif
