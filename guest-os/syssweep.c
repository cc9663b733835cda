// syssweep.c: execute a seeded pseudo-random sample of SYSTEM-opcode
// (0x73) instruction words in S-mode and summarise how each one traps
// (issue 8). The same seed gives the same words everywhere, so the
// summary must be identical natively and under hv6, which has to decode
// every such word that reaches it and answer as the real hart would.
//
// Only words that cannot change machine state are generated:
//  - CSR reads: csrrs/csrrc with rs1 = x0 and csrrsi/csrrci with uimm = 0
//    write no CSR (Zicsr §9.1), any CSR number;
//  - any CSR instruction on a read-only CSR (number bits 11:10 = 11),
//    which writes nothing: it either only reads or traps;
//  - funct3 = 4 (HLV/HLVX/HSV of the H extension, else reserved): illegal
//    without H, and a virtual-instruction exception in a VM;
//  - funct3 = 0 (PRIV): everything except ecall, wfi and sret, whose
//    exact encodings would call SBI, sleep, or change privilege. mret,
//    dret and the hypervisor fences are illegal in S-mode; sfence.vma
//    and ebreak are harmless. Any other bit pattern is illegal.
// rd is x0 or a0 for every form that writes rd, so the run-time stub
// (jit.c) clobbers nothing else.
#include "guest-os/defs.h"

#if LAB >= 1

#define NWORDS 2000
#define ECALL  0x00000073
#define SRET   0x10200073
#define WFI    0x10500073

static u64 rng;

// xorshift64 (Marsaglia 2003): small, and the same sequence everywhere.
static u32
rand32(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (u32)(rng >> 16);
}

static u32
pick(const u32 *set, int n)
{
  return set[rand32() % n];
}

static u32
gen(void)
{
  static const u32 readf3[] = { 2, 3, 6, 7 };
  static const u32 privf7[] = { 0x00, 0x08, 0x09, 0x0b, 0x0c, 0x11, 0x18, 0x31, 0x3d };
  static const u32 privrs2[] = { 0, 1, 2, 5 };
  u32 r = rand32(), rd = (r & 1) ? 10 : 0;
  for (;;) {
    u32 w;
    switch (rand32() % 4) {
    case 0:   // CSR read
      w = (rand32() & 0xfff) << 20 | pick(readf3, 4) << 12 | rd << 7 | 0x73;
      if (csr_native_quirk(w >> 20))
        continue;
      break;
    case 1:   // any CSR instruction on a read-only CSR
      w = (0xc00 | (rand32() & 0x3ff)) << 20 | (rand32() & 0x1f) << 15
          | (1 + rand32() % 7) << 12 | rd << 7 | 0x73;
      if (((w >> 12) & 7) == 4)
        continue;
      break;
    case 2:   // funct3 = 4
      w = (rand32() & 0x1ffff) << 15 | 4 << 12 | rd << 7 | 0x73;
      break;
    default:  // funct3 = 0, biased towards the defined funct7/rs2 values
      if (rand32() & 1)
        w = (rand32() & 0x1ffffff) << 7 | 0x73;
      else
        w = pick(privf7, NELEM(privf7)) << 25 | pick(privrs2, 4) << 20
            | ((rand32() & 1) ? (rand32() & 0x1f) << 15 : 0)
            | ((rand32() & 3) == 0 ? (rand32() & 0x1f) << 7 : 0) | 0x73;
      w &= ~(7u << 12);
      if (w == ECALL || w == SRET || w == WFI)
        continue;
      break;
    }
    return w;
  }
}

int
syssweep(int argc, char **argv)
{
  (void)argc, (void)argv;
  t_begin("syssweep");
  rng = 0x6876677565737431UL;  // fixed seed: every run sweeps the same words
  u64 h = FNV_INIT;
  int ncause[32] = { 0 }, other = 0, none = 0, badstval = 0;
  for (int i = 0; i < NWORDS; i++) {
    u32 w = gen();
    struct jitresult r;
    jit_run(&w, 1, &r);
    u64 cause = r.ntraps ? r.first.scause : ~0UL;
    // stval: the instruction bits for illegal instructions (§4.1.9);
    // for others, whether it is 0 or the faulting pc.
    u64 tv = cause == EXC_ILLEGAL_INST ? (r.first.stval == w)
           : r.first.stval == 0 ? 2 : r.first.stval == r.first.sepc ? 3 : 4;
    // The few words that do not trap, and any wrong stval, are listed
    // one per line so that a native-vs-hv6 diff names the instruction.
    if (cause == EXC_ILLEGAL_INST && r.first.stval != w) {
      badstval++;
      t_line("0x%08x: stval 0x%lx", w, r.first.stval);
    }
    if (!r.ntraps) {
      none++;
      t_line("0x%08x: no trap", w);
    }
    else if (cause < 32)
      ncause[cause]++;
    else
      other++;
    h = fnv1a(h, (u64)w | (cause & 0xff) << 32 | tv << 40);
  }
  t_line("%d words, %d do not trap", NWORDS, none);
  for (int i = 0; i < 32; i++)
    if (ncause[i])
      t_line("cause %d (%s): %d", i, scause_name(i), ncause[i]);
  if (other)
    t_line("other causes: %d", other);
  t_check(badstval == 0, "illegal-instruction traps with stval != instruction: %d", badstval);
  t_line("hash %016lx", h);
  return t_done();
}

#endif
