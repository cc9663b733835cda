// decode.h: pure instruction decoders (no hardware access), so that the
// host-native unit tests and fuzzers in tests/ can run them directly.
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

int decode_system(u32 insn, struct sys_insn *out);   // 0, or -1 if not SYSTEM

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

int decode_mem(u32 insn, struct mem_insn *out);   // 0, or -1 if not a plain load/store

// The value a load puts in rd: raw's low width bytes, sign- or
// zero-extended. (Inline, and one pair of shifts either way: it is part
// of every emulated device read.)
static inline u64 mem_load_value(const struct mem_insn *m, u64 raw)
{
  int above = 64 - 8 * m->width;     // rd's bits above the loaded ones
  u64 top = raw << above;            // the loaded bits, moved to the top
  return m->sign ? (u64)((i64)top >> above) : top >> above;
}
