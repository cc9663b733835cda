// fuzz_decode_system.c: libFuzzer target for hyp/decode.h's SYSTEM-opcode
// decoder (decode_system, sys_csr_writes/reads, insn_length), which csr.c
// trusts with every virtual-instruction exit. Input: 4 bytes = one
// instruction word (little-endian), as a guest can put anywhere.
// Invariants: only opcode 0x73 decodes; every field is in range and is the
// instruction's own bits; the kind agrees with an independent reference
// written from the ISA manual's tables; the Zicsr read/write rules hold.
// LAB: 1
#include "hyp/decode.h"
#include "tests/fuzz.h"

// The reference: kind of a SYSTEM instruction, from the ISA tables.
static enum sys_kind ref_kind(u32 insn)
{
  u32 f3 = (insn >> 12) & 7, f7 = insn >> 25, rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
  static const enum sys_kind csrk[8] = {
    SYS_INVALID, SYS_CSRRW, SYS_CSRRS, SYS_CSRRC,
    SYS_INVALID, SYS_CSRRW, SYS_CSRRS, SYS_CSRRC,
  };
  if (f3 != 0 && f3 != 4)
    return csrk[f3];
  if (f3 == 4)   // HLV.*, HLVX.*, HSV.* (priv spec §8.4.3): funct7 011xxxx
    return (f7 >> 3) == 6 ? ((f7 & 1) ? SYS_HSV : SYS_HLV) : SYS_INVALID;
  if (rd == 0 && f7 == 0x09) return SYS_SFENCE_VMA;
  if (rd == 0 && f7 == 0x11) return SYS_HFENCE_VVMA;
  if (rd == 0 && f7 == 0x31) return SYS_HFENCE_GVMA;
  if (rd != 0 || rs1 != 0)
    return SYS_INVALID;
  switch (insn >> 20) {
  case 0x000: return SYS_ECALL;
  case 0x001: return SYS_EBREAK;
  case 0x102: return SYS_SRET;
  case 0x302: return SYS_MRET;
  case 0x105: return SYS_WFI;
  }
  return SYS_INVALID;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fuzz_in in = { data, size };
  u32 insn = fuzz_take(&in, 4);

  int len = insn_length(insn & 0xffff);
  FUZZ_CHECK(len == 0 || len == 2 || len == 4, "insn_length(0x%x) = %d", insn & 0xffff, len);
  FUZZ_CHECK((len == 2) == ((insn & 3) != 3), "0x%08x: length %d", insn, len);

  struct sys_insn s;
  memset(&s, 0xa5, sizeof(s));
  int r = decode_system(insn, &s);
  FUZZ_CHECK((r == 0) == ((insn & 0x7f) == 0x73), "0x%08x: decode_system = %d", insn, r);
  if (r != 0)
    return 0;
  FUZZ_CHECK(s.rd == (int)((insn >> 7) & 31) && s.rs1 == (int)((insn >> 15) & 31) &&
             s.rs2 == (int)((insn >> 20) & 31), "0x%08x: register fields", insn);
  FUZZ_CHECK(s.csr == insn >> 20 && s.csr < 4096, "0x%08x: csr 0x%x", insn, s.csr);
  enum sys_kind want = ref_kind(insn);
  FUZZ_CHECK(s.kind == want, "0x%08x: kind %d, the ISA says %d", insn, s.kind, want);

  if (s.kind == SYS_CSRRW || s.kind == SYS_CSRRS || s.kind == SYS_CSRRC) {
    u32 f3 = (insn >> 12) & 7;
    FUZZ_CHECK(s.imm == (f3 >= 5), "0x%08x: imm %d", insn, s.imm);
    if (s.imm)
      FUZZ_CHECK(s.uimm == (u64)s.rs1 && s.uimm < 32, "0x%08x: uimm %lu", insn, (unsigned long)s.uimm);
    // Zicsr: CSRRW always writes and reads unless rd = x0; CSRRS/CSRRC
    // always read and write unless rs1/uimm = 0.
    int w = sys_csr_writes(&s), rd = sys_csr_reads(&s);
    int want_w = s.kind == SYS_CSRRW || s.rs1 != 0;
    int want_r = s.kind != SYS_CSRRW || s.rd != 0;
    FUZZ_CHECK(w == want_w, "0x%08x: writes %d", insn, w);
    FUZZ_CHECK(rd == want_r, "0x%08x: reads %d", insn, rd);
    // Re-encoding the decoded fields gives back the instruction.
    u32 back = s.csr << 20 | (u32)s.rs1 << 15 | f3 << 12 | (u32)s.rd << 7 | 0x73;
    FUZZ_CHECK(back == insn, "0x%08x: re-encodes as 0x%08x", insn, back);
  }
  // Decoding is a pure function: again gives the same.
  struct sys_insn t;
  memset(&t, 0x5a, sizeof(t));
  decode_system(insn, &t);
  FUZZ_CHECK(t.kind == s.kind && t.csr == s.csr && t.rd == s.rd && t.rs1 == s.rs1 &&
             t.imm == s.imm && t.uimm == s.uimm, "0x%08x: not deterministic", insn);
  return 0;
}
