// decode.c: the load/store decoder for MMIO emulation in mmio.c (the
// SYSTEM-instruction decoder for csr.c is inline in decode.h). Pure
// functions of the instruction bits, tested natively in tests/.
#include "hyp/decode.h"

#define OPC_LOAD   0x03
#define OPC_STORE  0x23

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
