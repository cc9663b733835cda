// csrtest.c: the lab 1 self-test. Everything a guest kernel does with
// its privileged state, checked so that the output is the same on a real
// S-mode hart (QEMU, -cpu rv64,h=false) and in a VM under hv6:
//  - every supervisor CSR: write all-ones and zero, print what reads back
//    (WARL fields, priv spec v1.12 §2.3 and §4.1);
//  - the counters time/cycle/instret, from S-mode and from U-mode;
//  - SRET into U-mode and back, and SRET to S-mode (§3.3.2, §4.1.1);
//  - sensitive instructions that must be illegal in S-mode on a machine
//    without the H extension, with stval = the instruction bits (§4.1.9);
//  - wfi and sfence.vma;
//  - the SBI calls (SBI spec v2.0), including the error returns.
#include "guest-os/defs.h"
#include "sbi/ecall.h"

#if LAB >= 1

extern char u_ecall[], u_sret[], u_csrr_sstatus[], u_rdtime[], u_stack[];

// The bits of each CSR whose value is architecturally meaningful on RV64;
// the rest read as zero or are reserved.
#define SSTATUS_DEFINED (SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_UBE | SSTATUS_SPP \
  | SSTATUS_VS | SSTATUS_FS | SSTATUS_XS | SSTATUS_SUM | SSTATUS_MXR | SSTATUS_UXL | SSTATUS_SD)
#define SIP_DEFINED   (SIP_SSIP | SIP_STIP | SIP_SEIP | (1UL << 13))
#define SENVCFG_DEFINED 0xf1UL   // FIOM, CBIE, CBCFE, CBZE (§4.1.4)

// Write all-ones, then zero, then the old value back, and print both
// read-backs. No trap may happen in between (stvec and sscratch are
// clobbered), so the values are printed only after the restore.
#define WARL(csr, mask) do {                                       \
    u64 old_ = csr_read(csr);                                      \
    csr_write(csr, ~0UL);                                          \
    u64 r1_ = csr_read(csr);                                       \
    csr_write(csr, 0);                                             \
    u64 r0_ = csr_read(csr);                                       \
    csr_write(csr, old_);                                          \
    t_line("%s: write ~0 reads 0x%lx, write 0 reads 0x%lx",        \
           #csr, r1_ & (mask), r0_ & (mask));                      \
  } while (0)

static void
test_warl(void)
{
  u64 sie = csr_read(sie);
  csr_write(sie, 0);  // writing ~0 to sstatus sets SIE: nothing may fire
  WARL(sstatus, SSTATUS_DEFINED);
  WARL(sie, SIP_DEFINED);
  WARL(sscratch, ~0UL);
  WARL(sepc, ~0UL);
  WARL(stval, ~0UL);
  WARL(scounteren, 0xffffffffUL);
  WARL(senvcfg, SENVCFG_DEFINED);
  // sip: only SSIP is writable from S-mode (§4.1.3); STIP and SEIP show
  // the platform's timer and PLIC, so only SSIP is printed here.
  WARL(sip, SIP_SSIP);
  t_info("sip 0x%lx", csr_read(sip));
  csr_write(sie, sie);

  // stvec: BASE is WARL, MODE 0 (direct) and 1 (vectored) are legal and
  // modes >= 2 are reserved (§4.1.2).
  u64 old = csr_read(stvec);
  csr_write(stvec, 0x80200001UL);
  u64 vec = csr_read(stvec);
  csr_write(stvec, 0x80200000UL);
  u64 direct = csr_read(stvec);
  csr_write(stvec, old);
  t_check(vec == 0x80200001UL, "stvec vectored mode reads 0x%lx", vec);
  t_check(direct == 0x80200000UL, "stvec direct mode reads 0x%lx", direct);

  // scause is WLRL: only legal values are meaningful (§4.1.9).
  old = csr_read(scause);
  csr_write(scause, SCAUSE_INTR | IRQ_S_TIMER);
  u64 intr = csr_read(scause);
  csr_write(scause, EXC_LOAD_PAGE_FAULT);
  u64 exc = csr_read(scause);
  csr_write(scause, old);
  t_check(intr == (SCAUSE_INTR | IRQ_S_TIMER), "scause interrupt 5 reads 0x%lx", intr);
  t_check(exc == EXC_LOAD_PAGE_FAULT, "scause exception 13 reads 0x%lx", exc);

  // satp: a write with an unsupported MODE has no effect at all (§4.1.11);
  // MODE = Bare turns translation off (all our kernel memory is identity
  // mapped, so execution continues); the ASID field is WARL.
  old = csr_read(satp);
  csr_write(satp, ~0UL);
  u64 r1 = csr_read(satp);
  csr_write(satp, 0);
  asm volatile("sfence.vma zero, zero" ::: "memory");
  u64 r0 = csr_read(satp);
  csr_write(satp, old | (0xffffUL << 44));
  u64 asid = (csr_read(satp) >> 44) & 0xffff;
  csr_write(satp, old);
  asm volatile("sfence.vma zero, zero" ::: "memory");
  t_check(r1 == old, "satp write ~0 (mode 15) ignored: %s", r1 == old ? "yes" : "no");
  t_check(r0 == 0, "satp write 0 reads 0x%lx", r0);
  t_line("satp asid bits writable 0x%lx", asid);
}

// Does the counter increase? (Values are timing-dependent; only the
// answer is printed.) The read may trap if a higher level disallows it.
#define COUNTER(csr) do {                                          \
    struct trapinfo ti_;                                           \
    expect_begin();                                                \
    u64 a_ = csr_read(csr);                                        \
    for (volatile int i_ = 0; i_ < 1000; i_++)                     \
      ;                                                            \
    u64 b_ = csr_read(csr);                                        \
    int n_ = expect_end(&ti_);                                     \
    if (n_)                                                        \
      t_check(0, "%s traps: cause %ld", #csr, ti_.scause);         \
    else                                                           \
      t_check(b_ > a_, "%s increases: %s", #csr, b_ > a_ ? "yes" : "no"); \
  } while (0)

static void
test_counters(void)
{
  COUNTER(time);
  COUNTER(cycle);
  COUNTER(instret);
}

static void
test_umode(void)
{
  struct uresult r;
  u64 cause;

  cause = run_user(user_fn((void (*)(void))u_ecall), 0, &r);
  t_check(cause == EXC_ECALL_U && r.a0 == 42, "U-mode ecall: cause %ld a0 %ld", cause, r.a0);
  t_check((r.sstatus & (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE)) == 0,
          "trap from U with SPIE=0: SPP %d SPIE %d SIE %d", !!(r.sstatus & SSTATUS_SPP),
          !!(r.sstatus & SSTATUS_SPIE), !!(r.sstatus & SSTATUS_SIE));
  cause = run_user(user_fn((void (*)(void))u_ecall), 1, &r);
  t_check(cause == EXC_ECALL_U && (r.sstatus & (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE)) == SSTATUS_SPIE,
          "trap from U with SPIE=1: SPP %d SPIE %d SIE %d", !!(r.sstatus & SSTATUS_SPP),
          !!(r.sstatus & SSTATUS_SPIE), !!(r.sstatus & SSTATUS_SIE));
  // The sret that brought us back set SPP to U and SPIE to 1 (§4.1.1).
  u64 s = csr_read(sstatus);
  t_check((s & SSTATUS_SPP) == 0 && (s & SSTATUS_SPIE), "after sret: SPP %d SPIE %d",
          !!(s & SSTATUS_SPP), !!(s & SSTATUS_SPIE));

  cause = run_user(user_fn((void (*)(void))u_stack), 0, &r);
  t_check(cause == EXC_ECALL_U && r.a0 == 0x1234, "U-mode stack store/load: a0 0x%lx", r.a0);
  cause = run_user(user_fn((void (*)(void))u_sret), 0, &r);
  t_check(cause == EXC_ILLEGAL_INST && r.stval == 0x10200073,
          "sret in U-mode: cause %ld stval 0x%lx", cause, r.stval);
  cause = run_user(user_fn((void (*)(void))u_csrr_sstatus), 0, &r);
  t_check(cause == EXC_ILLEGAL_INST && r.stval == 0x10002573,
          "csrr sstatus in U-mode: cause %ld stval 0x%lx", cause, r.stval);

  // rdtime in U-mode is governed by scounteren.TM (§4.1.5): with TM = 0
  // it is an illegal instruction. QEMU 7.2 does not check scounteren for
  // U-mode without the H-extension and lets the read succeed; hv6 gives
  // the architectural fault. The results differ, so this is an info line.
  u64 oldcen = csr_read(scounteren);
  csr_write(scounteren, 0);
  cause = run_user(user_fn((void (*)(void))u_rdtime), 0, &r);
  t_line("info rdtime in U-mode, scounteren.TM=0: cause %ld stval 0x%lx", cause, r.stval);
  csr_write(scounteren, COUNTEREN_TM);
  cause = run_user(user_fn((void (*)(void))u_rdtime), 0, &r);
  t_check(cause == EXC_ECALL_U && r.a0 != 0, "rdtime in U-mode, scounteren.TM=1: cause %ld", cause);
  csr_write(scounteren, oldcen);

  // sret to S-mode (SPP = 1): SIE takes SPIE, SPIE becomes 1, SPP
  // becomes U. Interrupts are on only for the two instructions after it,
  // and sie is 0 so none can be taken.
  u64 oldsie = csr_read(sie);
  csr_write(sie, 0);
  csr_set(sstatus, SSTATUS_SPP | SSTATUS_SPIE);
  asm volatile("la t0, 1f\n csrw sepc, t0\n sret\n 1:" ::: "t0", "memory");
  s = csr_read(sstatus);
  csr_clear(sstatus, SSTATUS_SIE);
  csr_write(sie, oldsie);
  t_check((s & (SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP)) == (SSTATUS_SIE | SSTATUS_SPIE),
          "sret to S-mode: SIE %d SPIE %d SPP %d", !!(s & SSTATUS_SIE),
          !!(s & SSTATUS_SPIE), !!(s & SSTATUS_SPP));
}

// Instructions that are illegal in S-mode without the H extension (or at
// all below M-mode). Under hv6 most of them trap to the hypervisor as
// virtual-instruction exceptions, which it must turn into exactly this.
static const struct {
  const char *what;
  u32 insn;
} illegal[] = {
  { "csrr a0, hstatus",  0x60002573 },
  { "csrw hstatus, a0",  0x60051073 },
  { "csrr a0, hgatp",    0x68002573 },
  { "csrr a0, vsstatus", 0x20002573 },
  { "csrr a0, mstatus",  0x30002573 },
  { "csrr a0, mhartid",  0xf1402573 },
  { "csrw mhartid, a0",  0xf1451073 },  // read-only CSR written
  { "hfence.gvma",       0x62000073 },
  { "hlv.d a0, (a0)",    0x6c054573 },
  { "mret",              0x30200073 },
};

static void
test_illegal(void)
{
  for (size_t i = 0; i < NELEM(illegal); i++) {
    struct jitresult r;
    jit_run(&illegal[i].insn, 1, &r);
    t_check(r.ntraps == 1 && r.first.scause == EXC_ILLEGAL_INST && r.first.stval == illegal[i].insn,
            "%s: traps %d cause %ld stval 0x%lx", illegal[i].what, r.ntraps,
            r.first.scause, r.first.stval);
  }
}

static void
test_wfi_sfence(void)
{
  // wfi returns once an interrupt enabled in sie is pending, even with
  // sstatus.SIE = 0 (priv spec §3.3.3). Making SSIP pending ourselves
  // needs no timer and no SBI, so this works on every platform.
  u64 oldsie = csr_read(sie);
  csr_write(sie, SIP_SSIP);
  csr_set(sip, SIP_SSIP);
  struct trapinfo ti;
  expect_begin();
  wfi();
  int n = expect_end(&ti);
  csr_clear(sip, SIP_SSIP);
  csr_write(sie, oldsie);
  t_check(n == 0, "wfi with SSIP pending returns: %s", n == 0 ? "yes" : "no (trapped)");

  expect_begin();
  asm volatile("sfence.vma zero, zero" ::: "memory");
  asm volatile("sfence.vma %0, zero" :: "r"(0x80200000UL) : "memory");
  n = expect_end(&ti);
  t_check(n == 0, "sfence.vma executes: %s", n == 0 ? "yes" : "no (trapped)");
}

static struct sbiret
sbi(long ext, long fid, long a0, long a1, long a2)
{
  return sbi_ecall(ext, fid, a0, a1, a2, 0, 0, 0);
}

static const struct {
  const char *name;
  long eid;
} exts[] = {
  { "BASE", SBI_EXT_BASE }, { "TIME", SBI_EXT_TIME }, { "IPI", SBI_EXT_IPI },
  { "RFNC", SBI_EXT_RFNC }, { "HSM", SBI_EXT_HSM }, { "SRST", SBI_EXT_SRST },
  { "DBCN", SBI_EXT_DBCN },
};

static void
test_sbi(void)
{
  struct sbiret r = sbi(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0);
  t_info("sbi spec version %ld.%ld", (r.value >> 24) & 0x7f, r.value & 0xffffff);
  t_check(r.error == 0 && r.value >= 0x2, "sbi spec version >= 0.2: %s",
          r.error == 0 && r.value >= 2 ? "yes" : "no");
  r = sbi(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0);
  t_info("sbi impl id %ld", r.value);
  r = sbi(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0);
  t_info("sbi impl version 0x%lx", r.value);
  for (size_t i = 0; i < NELEM(exts); i++) {
    r = sbi(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, exts[i].eid, 0, 0);
    t_info("probe %s: error %ld value %ld", exts[i].name, r.error, r.value);
  }
  r = sbi(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_BASE, 0, 0);
  t_check(r.error == 0 && r.value != 0, "probe BASE: present");
  r = sbi(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, 0x0abcdef0, 0, 0);
  t_check(r.error == 0 && r.value == 0, "probe bogus extension: error %ld value %ld", r.error, r.value);
  r = sbi(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID, 0, 0, 0);
  t_info("mvendorid 0x%lx", r.value);
  r = sbi(SBI_EXT_BASE, SBI_BASE_GET_MARCHID, 0, 0, 0);
  t_info("marchid 0x%lx", r.value);
  r = sbi(SBI_EXT_BASE, SBI_BASE_GET_MIMPID, 0, 0, 0);
  t_info("mimpid 0x%lx", r.value);
  r = sbi(0x0abcdef0, 0, 0, 0, 0);
  t_check(r.error == SBI_ERR_NOT_SUPPORTED, "unknown extension: error %ld", r.error);
  r = sbi(SBI_EXT_BASE, 100, 0, 0, 0);
  t_check(r.error == SBI_ERR_NOT_SUPPORTED, "unknown BASE function: error %ld", r.error);

  printf("csrtest: legacy putchar: ");
  for (const char *s = "ok\n"; *s; s++)
    sbi_console_putchar(*s);

  // DBCN (SBI v2.0 §12) is absent from older firmware (QEMU 7.2 bundles
  // OpenSBI 1.1): the deterministic line says whether the calls agree with
  // probe_extension; the codes themselves are info lines.
  int has = sbi_probe_extension(SBI_EXT_DBCN);
  static const char msg[] = "csrtest: info dbcn write\n";
  struct sbiret w = sbi(SBI_EXT_DBCN, SBI_DBCN_WRITE, sizeof(msg) - 1, (long)msg, 0);
  struct sbiret b = sbi(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, '\n', 0, 0);
  // A buffer just past the end of RAM: not memory the guest owns.
  u64 bad = plat.mem_base + plat.mem_size;
  struct sbiret o = sbi(SBI_EXT_DBCN, SBI_DBCN_WRITE, 16, (long)bad, 0);
  t_info("dbcn write: error %ld value %ld; write_byte: error %ld; write outside RAM: error %ld",
         w.error, w.value, b.error, o.error);
  int ok = has ? (w.error == 0 && w.value == (long)sizeof(msg) - 1 && b.error == 0
                  && o.error == SBI_ERR_INVALID_PARAM)
               : (w.error == SBI_ERR_NOT_SUPPORTED && b.error == SBI_ERR_NOT_SUPPORTED
                  && o.error == SBI_ERR_NOT_SUPPORTED);
  t_check(ok, "dbcn calls agree with probe_extension: %s", ok ? "yes" : "no");
}

int
csrtest(int argc, char **argv)
{
  (void)argc, (void)argv;
  t_begin("csrtest");
  test_warl();
  test_counters();
  test_umode();
  test_illegal();
  test_wfi_sfence();
  test_sbi();
  return t_done();
}

#endif
