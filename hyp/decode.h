// decode.h: pure instruction decoders (no hardware access), so that the
// host-native unit tests and fuzzers in tests/ can run them directly:
// the SYSTEM decoder for csr.c and the load/store one for mmio.c.
#pragma once
#include "kernel/riscv.h"

// Length of the instruction whose low 16 bits are lo (ISA spec §1.5):
// 2 if compressed, 4 otherwise; 0 for the longer encodings we reject.
static inline int insn_length(u32 lo)
{
  if ((lo & 3) != 3)
    return 2;
  if ((lo & 0x1c) != 0x1c)
    return 4;
  return 0;   // 48-bit and longer encodings: none of ours
}

// A SYSTEM-opcode instruction (ISA spec ch. "Zicsr"; priv spec §3.3, §8.4).
enum sys_kind {
  SYS_INVALID, SYS_CSRRW, SYS_CSRRS, SYS_CSRRC, SYS_ECALL, SYS_EBREAK,
  SYS_SRET, SYS_MRET, SYS_WFI, SYS_SFENCE_VMA, SYS_HFENCE_VVMA,
  SYS_HFENCE_GVMA, SYS_HLV, SYS_HSV, SYS_OTHER
};

struct sys_insn {
  enum sys_kind kind;
  u32 csr;         // CSR number (CSR forms)
  int rd, rs1, rs2;
  int imm;         // 1: CSRR?I form, rs1 is a 5-bit immediate (uimm)
  u64 uimm;
};

// Decode insn into *s: 0, or -1 if it is not a SYSTEM instruction.
// Inline: every CSR exit runs it, and inlined into csr.c the compiler
// keeps the fields it uses in registers instead of a struct in memory.
#define OPC_SYSTEM 0x73
static inline int decode_system(u32 insn, struct sys_insn *s)
{
  if ((insn & 0x7f) != OPC_SYSTEM)
    return -1;
#if SOL >= 1
  u32 funct3 = (insn >> 12) & 7, funct7 = insn >> 25;
  s->rd = (insn >> 7) & 31;
  s->rs1 = (insn >> 15) & 31;
  s->rs2 = (insn >> 20) & 31;
  s->csr = insn >> 20;
  s->uimm = s->rs1;
  s->imm = funct3 >= 5;
  switch (funct3) {
  case 1: case 5: s->kind = SYS_CSRRW; return 0;
  case 2: case 6: s->kind = SYS_CSRRS; return 0;
  case 3: case 7: s->kind = SYS_CSRRC; return 0;
  case 4:   // hypervisor loads (even funct7) and stores (odd), §8.4.3
    if (funct7 >= 0x30 && funct7 <= 0x37)
      s->kind = (funct7 & 1) ? SYS_HSV : SYS_HLV;
    else
      s->kind = SYS_INVALID;
    return 0;
  case 0:
    break;
  default:
    s->kind = SYS_INVALID;
    return 0;
  }
  s->kind = SYS_INVALID;
  if (funct7 == 0x09 && s->rd == 0) { s->kind = SYS_SFENCE_VMA; return 0; }
  if (funct7 == 0x11 && s->rd == 0) { s->kind = SYS_HFENCE_VVMA; return 0; }
  if (funct7 == 0x31 && s->rd == 0) { s->kind = SYS_HFENCE_GVMA; return 0; }
  if (s->rd != 0 || s->rs1 != 0)
    return 0;
  switch (insn >> 20) {
  case 0x000: s->kind = SYS_ECALL; break;
  case 0x001: s->kind = SYS_EBREAK; break;
  case 0x102: s->kind = SYS_SRET; break;
  case 0x302: s->kind = SYS_MRET; break;
  case 0x105: s->kind = SYS_WFI; break;
  }
  return 0;
#else
  // Lab 1: fill in *s from the instruction's fields (rd, rs1, rs2/csr,
  // funct3, funct7, funct12) and return 0. The ISA manual's "Zicsr"
  // chapter and the privileged spec's instruction listing (Table 8.x for
  // the H-extension) give every encoding.
  s->kind = SYS_INVALID;
  return 0;
#endif
}

// Does this CSR access write the CSR? CSRRW always; CSRRS/CSRRC only when
// rs1/uimm != 0 (Zicsr: "shall not write" otherwise). Does it read?
// CSRRW/CSRRWI with rd = x0 shall not read (no read side effects).
static inline int sys_csr_writes(const struct sys_insn *s)
{
  return s->kind == SYS_CSRRW || s->rs1 != 0;
}

static inline int sys_csr_reads(const struct sys_insn *s)
{
  return s->kind != SYS_CSRRW || s->rd != 0;
}

// A load or store, as decoded for MMIO emulation (ISA spec RV64I, RVC).
struct mem_insn {
  int len;         // 2 or 4 bytes of instruction
  int store;       // 1 store, 0 load
  int width;       // 1, 2, 4 or 8 bytes of data
  int sign;        // loads: sign-extend
  int reg;         // rd (load) or rs2 (store)
};

#define OPC_LOAD   0x03
#define OPC_STORE  0x23

static inline int decode_mem32(u32 insn, struct mem_insn *m)
{
  u32 opc = insn & 0x7f, funct3 = (insn >> 12) & 7;
  m->len = 4;
  if (opc == OPC_LOAD) {
    if (funct3 == 7)
      return -1;
    m->store = 0;
    m->width = 1 << (funct3 & 3);
    m->sign = funct3 < 4 && funct3 != 3;
    m->reg = (insn >> 7) & 31;
    return 0;
  }
  if (opc == OPC_STORE) {
    if (funct3 > 3)
      return -1;
    m->store = 1;
    m->width = 1 << funct3;
    m->sign = 0;
    m->reg = (insn >> 20) & 31;
    return 0;
  }
  return -1;
}

// Compressed loads and stores (ISA spec "C" §16.3): C.LW, C.LD, C.SW,
// C.SD (registers x8-x15) and the sp-relative C.LWSP, C.LDSP, C.SWSP,
// C.SDSP. The FP forms are not used for MMIO and are rejected.
static inline int decode_mem16(u32 insn, struct mem_insn *m)
{
  u32 op = insn & 3, funct3 = (insn >> 13) & 7;
  m->len = 2;
  m->sign = 0;
  if (op == 0) {
    int rdp = 8 + ((insn >> 2) & 7);
    switch (funct3) {
    case 2: m->store = 0; m->width = 4; m->sign = 1; m->reg = rdp; return 0;
    case 3: m->store = 0; m->width = 8; m->reg = rdp; return 0;
    case 6: m->store = 1; m->width = 4; m->reg = rdp; return 0;
    case 7: m->store = 1; m->width = 8; m->reg = rdp; return 0;
    }
    return -1;
  }
  if (op == 2) {
    int rd = (insn >> 7) & 31, rs2 = (insn >> 2) & 31;
    switch (funct3) {
    case 2: if (rd == 0) return -1;
      m->store = 0; m->width = 4; m->sign = 1; m->reg = rd; return 0;
    case 3: if (rd == 0) return -1;
      m->store = 0; m->width = 8; m->reg = rd; return 0;
    case 6: m->store = 1; m->width = 4; m->reg = rs2; return 0;
    case 7: m->store = 1; m->width = 8; m->reg = rs2; return 0;
    }
  }
  return -1;
}

// Decode insn into *m: 0, or -1 if it is not a plain load or store.
// (decode_mem32 compares the whole 7-bit opcode, so it also turns away
// the 48-bit and longer encodings, whose low bits are 11111.) Inline,
// like decode_system: every MMIO exit runs it, and inlined into mmio.c
// the decoded fields stay in registers.
static inline __attribute__((always_inline)) int decode_mem(u32 insn, struct mem_insn *m)
{
  if (insn_length(insn & 0xffff) == 2)
    return decode_mem16(insn & 0xffff, m);
  return decode_mem32(insn, m);
}

// The value a load puts in rd: raw's low width bytes, sign- or
// zero-extended. (Inline, and one pair of shifts either way: it is part
// of every emulated device read.)
static inline u64 mem_load_value(const struct mem_insn *m, u64 raw)
{
  int above = 64 - 8 * m->width;     // rd's bits above the loaded ones
  u64 top = raw << above;            // the loaded bits, moved to the top
  return m->sign ? (u64)((i64)top >> above) : top >> above;
}
