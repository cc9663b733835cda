// test_decode_system.c: the SYSTEM-opcode decoder of hyp/decode.h, which
// csr.c trusts to tell CSR accesses, SRET, WFI and fences apart (lab 1).
// LAB: 1
#include "hyp/decode.h"
#include "tests/check.h"

// Encoders, written from the ISA manual's instruction formats.
static u32 csr_insn(u32 csr, u32 rs1, u32 funct3, u32 rd)
{
  return csr << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x73;
}

static u32 priv_insn(u32 funct7, u32 rs2, u32 rs1, u32 rd)
{
  return funct7 << 25 | rs2 << 20 | rs1 << 15 | rd << 7 | 0x73;
}

static void test_csr_forms(void)
{
  static const enum sys_kind kinds[8] = {
    SYS_INVALID, SYS_CSRRW, SYS_CSRRS, SYS_CSRRC,
    SYS_INVALID, SYS_CSRRW, SYS_CSRRS, SYS_CSRRC,
  };
  for (u32 f3 = 1; f3 < 8; f3++) {
    if (f3 == 4)
      continue;
    for (u32 csr = 0; csr < 4096; csr += 7) {
      struct sys_insn s;
      u32 insn = csr_insn(csr, 5, f3, 10);
      CHECK(decode_system(insn, &s) == 0, "0x%08x", insn);
      CHECK(s.kind == kinds[f3], "0x%08x kind %d", insn, s.kind);
      CHECK(s.csr == csr && s.rd == 10 && s.rs1 == 5, "0x%08x fields", insn);
      CHECK(s.imm == (f3 >= 5), "0x%08x imm", insn);
      if (s.imm)
        CHECK(s.uimm == 5, "0x%08x uimm", insn);
    }
  }
}

// Zicsr: CSRRS/CSRRC with rs1 = x0 (or uimm = 0) do not write; CSRRW
// always writes; CSRRW with rd = x0 does not read.
static void test_x0_rules(void)
{
  struct sys_insn s;
  decode_system(csr_insn(0x180, 0, 2, 10), &s);    // csrr a0, satp
  CHECK(!sys_csr_writes(&s) && sys_csr_reads(&s), "csrrs rs1=x0");
  decode_system(csr_insn(0x180, 0, 3, 10), &s);    // csrrc a0, satp, x0
  CHECK(!sys_csr_writes(&s) && sys_csr_reads(&s), "csrrc rs1=x0");
  decode_system(csr_insn(0x180, 0, 6, 10), &s);    // csrrsi a0, satp, 0
  CHECK(!sys_csr_writes(&s), "csrrsi uimm=0");
  decode_system(csr_insn(0x180, 1, 6, 10), &s);    // csrrsi a0, satp, 1
  CHECK(sys_csr_writes(&s), "csrrsi uimm=1");
  decode_system(csr_insn(0x180, 11, 1, 0), &s);    // csrw satp, a1
  CHECK(sys_csr_writes(&s) && !sys_csr_reads(&s), "csrrw rd=x0");
  decode_system(csr_insn(0x180, 0, 1, 0), &s);     // csrrw x0, satp, x0
  CHECK(sys_csr_writes(&s) && !sys_csr_reads(&s), "csrrw x0, x0");
  decode_system(csr_insn(0x180, 0, 5, 10), &s);    // csrrwi a0, satp, 0
  CHECK(sys_csr_writes(&s) && sys_csr_reads(&s), "csrrwi uimm=0 still writes");
}

static void test_priv(void)
{
  struct sys_insn s;
  struct { u32 insn; enum sys_kind kind; } cases[] = {
    { 0x00000073, SYS_ECALL },  { 0x00100073, SYS_EBREAK },
    { 0x10200073, SYS_SRET },   { 0x30200073, SYS_MRET },
    { 0x10500073, SYS_WFI },    { 0x12000073, SYS_SFENCE_VMA },
    { priv_insn(0x09, 6, 5, 0), SYS_SFENCE_VMA },
    { priv_insn(0x11, 0, 0, 0), SYS_HFENCE_VVMA },
    { priv_insn(0x31, 2, 3, 0), SYS_HFENCE_GVMA },
    { 0x6c054573, SYS_HLV },    // hlv.d a0, (a0)
    { 0x6e05c073, SYS_HSV },    // hsv.d a0, (a1)
    { 0x6835c573, SYS_HLV },    // hlvx.hu a0, (a1)
    // Malformed: rd or rs1 set on ecall/sret/wfi, fences with rd != 0,
    // unknown funct7/funct12, funct3 = 4 outside the H block.
    { 0x10200573, SYS_INVALID }, { 0x10228073, SYS_INVALID },
    { 0x00000573, SYS_INVALID }, { 0x10500573, SYS_INVALID },
    { priv_insn(0x09, 0, 0, 1), SYS_INVALID },
    { priv_insn(0x7f, 0, 0, 0), SYS_INVALID },
    { 0x7ff00073, SYS_INVALID }, { 0x00004073, SYS_INVALID },
  };
  for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    CHECK(decode_system(cases[i].insn, &s) == 0, "0x%08x", cases[i].insn);
    CHECK(s.kind == cases[i].kind, "0x%08x: kind %d, want %d", cases[i].insn, s.kind,
          cases[i].kind);
  }
}

static void test_not_system(void)
{
  struct sys_insn s;
  CHECK(decode_system(0x00000013, &s) == -1, "nop is not SYSTEM");
  CHECK(decode_system(0x00053503, &s) == -1, "ld is not SYSTEM");
  CHECK(decode_system(0x00000072, &s) == -1, "opcode 0x72");
}

// Lengths (ISA spec §1.5): low bits != 11 -> 16-bit; xxx11 with bits
// 4:2 != 111 -> 32-bit; longer encodings are refused (0).
static void test_lengths(void)
{
  for (u32 lo = 0; lo < 0x10000; lo++) {
    int want = (lo & 3) != 3 ? 2 : (lo & 0x1c) != 0x1c ? 4 : 0;
    if (insn_length(lo) != want) {
      CHECK(0, "insn_length(0x%04x) = %d, want %d", lo, insn_length(lo), want);
      return;
    }
  }
  CHECK(insn_length(0x4501) == 2, "c.li");
  CHECK(insn_length(0x0073) == 4, "ecall");
}

// Every SYSTEM word decodes without surprises: the decoder never claims
// a CSR kind for funct3 0/4, and sets kind for every word.
static void test_sweep(void)
{
  u32 x = 12345;
  for (int i = 0; i < 2000000; i++) {
    x = x * 1103515245 + 12345;
    u32 insn = (x & ~0x7fU) | 0x73;
    struct sys_insn s;
    s.kind = (enum sys_kind)-1;
    if (decode_system(insn, &s) != 0 || (int)s.kind < 0) {
      CHECK(0, "0x%08x not decoded", insn);
      return;
    }
    u32 f3 = (insn >> 12) & 7;
    int is_csr = s.kind == SYS_CSRRW || s.kind == SYS_CSRRS || s.kind == SYS_CSRRC;
    if (is_csr != (f3 != 0 && f3 != 4)) {
      CHECK(0, "0x%08x: kind %d for funct3 %u", insn, s.kind, f3);
      return;
    }
  }
  CHECK(1, "sweep");
}

int main(void)
{
  test_csr_forms();
  test_x0_rules();
  test_priv();
  test_not_system();
  test_lengths();
  test_sweep();
  return check_summary("test_decode_system");
}
