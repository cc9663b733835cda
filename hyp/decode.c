// decode.c: decoders for the instructions a guest traps on: SYSTEM
// instructions (CSR accesses, SRET, WFI, fences) for csr.c, and loads and
// stores for MMIO emulation in mmio.c. Pure functions of the instruction
// bits, tested natively in tests/.
#include "hyp/decode.h"

#define OPC_SYSTEM 0x73
#define OPC_LOAD   0x03
#define OPC_STORE  0x23

int decode_system(u32 insn, struct sys_insn *s)
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

static int decode_mem32(u32 insn, struct mem_insn *m)
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
static int decode_mem16(u32 insn, struct mem_insn *m)
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

// (decode_mem32 compares the whole 7-bit opcode, so it also turns away
// the 48-bit and longer encodings, whose low bits are 11111.)
int decode_mem(u32 insn, struct mem_insn *m)
{
  if (insn_length(insn & 0xffff) == 2)
    return decode_mem16(insn & 0xffff, m);
  return decode_mem32(insn, m);
}
