// test_decode_mem.c: the load/store decoder of hyp/decode.h, which mmio.c
// trusts to emulate a guest's device access (lab 2): every RV64I load and
// store, every compressed integer load and store, the values a load puts
// in rd, and that nothing else is ever taken for a load or store.
// LAB: 2
#include "hyp/decode.h"
#include "tests/check.h"

// ---- encoders, from the ISA manual's formats ----

static u32 load32(u32 funct3, u32 rd, u32 rs1, u32 imm)
{
  return (imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x03;
}

static u32 store32(u32 funct3, u32 rs2, u32 rs1, u32 imm)
{
  return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 |
         (imm & 0x1f) << 7 | 0x23;
}

// CL/CS format (quadrant 0): funct3, 3-bit fields rd'/rs2' and rs1',
// and five immediate bits scattered over [12:10] and [6:5].
static u32 c_ls(u32 funct3, u32 rdp, u32 rs1p, u32 imm5)
{
  return funct3 << 13 | ((imm5 >> 2) & 7) << 10 | rs1p << 7 | (imm5 & 3) << 5 | rdp << 2;
}

// CI format (C.LWSP/C.LDSP): funct3, imm[5] in bit 12, rd, imm in [6:2], op 10.
static u32 c_lsp(u32 funct3, u32 rd, u32 imm6)
{
  return funct3 << 13 | ((imm6 >> 5) & 1) << 12 | rd << 7 | (imm6 & 31) << 2 | 2;
}

// CSS format (C.SWSP/C.SDSP): funct3, imm in [12:7], rs2 in [6:2], op 10.
static u32 c_ssp(u32 funct3, u32 rs2, u32 imm6)
{
  return funct3 << 13 | (imm6 & 63) << 7 | rs2 << 2 | 2;
}

static int decode(u32 insn, struct mem_insn *m)
{
  m->len = m->store = m->width = m->sign = m->reg = -1;
  return decode_mem(insn, m);
}

// ---- 32-bit loads and stores ----

static void test_rv64i(void)
{
  static const struct { u32 f3; int width, sign; const char *name; } loads[] = {
    { 0, 1, 1, "lb" }, { 1, 2, 1, "lh" }, { 2, 4, 1, "lw" }, { 3, 8, 0, "ld" },
    { 4, 1, 0, "lbu" }, { 5, 2, 0, "lhu" }, { 6, 4, 0, "lwu" },
  };
  for (unsigned i = 0; i < sizeof(loads) / sizeof(loads[0]); i++)
    for (u32 rd = 0; rd < 32; rd++)
      for (u32 rs1 = 0; rs1 < 32; rs1 += 5) {
        struct mem_insn m;
        u32 insn = load32(loads[i].f3, rd, rs1, rd * 73 - 2048);
        CHECK(decode(insn, &m) == 0, "%s 0x%08x", loads[i].name, insn);
        CHECK(m.len == 4 && m.store == 0 && m.width == loads[i].width &&
              (m.width == 8 || m.sign == loads[i].sign) && m.reg == (int)rd,
              "%s 0x%08x: len %d store %d width %d sign %d reg %d", loads[i].name, insn,
              m.len, m.store, m.width, m.sign, m.reg);
      }
  for (u32 f3 = 0; f3 < 4; f3++)
    for (u32 rs2 = 0; rs2 < 32; rs2++) {
      struct mem_insn m;
      u32 insn = store32(f3, rs2, 31 - rs2, rs2 * 111);
      CHECK(decode(insn, &m) == 0, "store f3=%d 0x%08x", f3, insn);
      CHECK(m.len == 4 && m.store == 1 && m.width == 1 << f3 && m.reg == (int)rs2,
            "store 0x%08x: len %d store %d width %d reg %d", insn, m.len, m.store, m.width, m.reg);
    }
  struct mem_insn m;
  // funct3 7 is no load (would be a 128-bit LDU); 4..7 are no stores.
  CHECK(decode(load32(7, 1, 2, 0), &m) < 0, "load funct3=7");
  for (u32 f3 = 4; f3 < 8; f3++)
    CHECK(decode(store32(f3, 1, 2, 0), &m) < 0, "store funct3=%d", f3);
  // Neighbours that are not plain loads/stores: FP loads/stores, AMOs,
  // LUI, fences, CSR accesses, all-zero and all-one words.
  static const u32 others[] = {
    0x00053507,   // fld fa0, 0(a0)
    0x00a53027,   // fsd fa0, 0(a0)
    0x00b5202f,   // amoadd.w zero, a1, (a0)
    0x100525af,   // lr.w a1, (a0)
    0x000005b7,   // lui a1, 0
    0x0ff0000f,   // fence
    0x0000100f,   // fence.i
    0x10002573,   // csrr a0, sstatus
    0x00000073,   // ecall
    0x00000000, 0xffffffff,
    0x0000001f,   // 48-bit encoding prefix
    0x0000003f,   // 64-bit encoding prefix
  };
  for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
    CHECK(decode(others[i], &m) < 0, "0x%08x is not a plain load/store", others[i]);
}

// ---- compressed ----

static void test_compressed(void)
{
  struct mem_insn m;
  for (u32 rdp = 0; rdp < 8; rdp++)
    for (u32 rs1p = 0; rs1p < 8; rs1p++)
      for (u32 imm = 0; imm < 32; imm += 7) {
        u32 lw = c_ls(2, rdp, rs1p, imm), ld = c_ls(3, rdp, rs1p, imm);
        u32 sw = c_ls(6, rdp, rs1p, imm), sd = c_ls(7, rdp, rs1p, imm);
        CHECK(decode(lw, &m) == 0 && m.len == 2 && !m.store && m.width == 4 && m.sign &&
              m.reg == (int)(8 + rdp), "c.lw 0x%04x: width %d reg %d", lw, m.width, m.reg);
        CHECK(decode(ld, &m) == 0 && m.len == 2 && !m.store && m.width == 8 &&
              m.reg == (int)(8 + rdp), "c.ld 0x%04x: width %d reg %d", ld, m.width, m.reg);
        CHECK(decode(sw, &m) == 0 && m.len == 2 && m.store && m.width == 4 &&
              m.reg == (int)(8 + rdp), "c.sw 0x%04x: width %d reg %d", sw, m.width, m.reg);
        CHECK(decode(sd, &m) == 0 && m.len == 2 && m.store && m.width == 8 &&
              m.reg == (int)(8 + rdp), "c.sd 0x%04x: width %d reg %d", sd, m.width, m.reg);
        // C.FLD / C.FSD and the reserved funct3 4 are not integer accesses.
        CHECK(decode(c_ls(1, rdp, rs1p, imm), &m) < 0, "c.fld");
        CHECK(decode(c_ls(5, rdp, rs1p, imm), &m) < 0, "c.fsd");
        CHECK(decode(c_ls(4, rdp, rs1p, imm), &m) < 0, "reserved quadrant 0 funct3 4");
      }
  for (u32 r = 0; r < 32; r++)
    for (u32 imm = 0; imm < 64; imm += 13) {
      u32 lwsp = c_lsp(2, r, imm), ldsp = c_lsp(3, r, imm);
      u32 swsp = c_ssp(6, r, imm), sdsp = c_ssp(7, r, imm);
      if (r == 0) {   // rd = 0 is reserved for C.LWSP and C.LDSP
        CHECK(decode(lwsp, &m) < 0, "c.lwsp rd=0 0x%04x", lwsp);
        CHECK(decode(ldsp, &m) < 0, "c.ldsp rd=0 0x%04x", ldsp);
      } else {
        CHECK(decode(lwsp, &m) == 0 && m.len == 2 && !m.store && m.width == 4 && m.sign &&
              m.reg == (int)r, "c.lwsp 0x%04x: width %d reg %d", lwsp, m.width, m.reg);
        CHECK(decode(ldsp, &m) == 0 && m.len == 2 && !m.store && m.width == 8 &&
              m.reg == (int)r, "c.ldsp 0x%04x: width %d reg %d", ldsp, m.width, m.reg);
      }
      CHECK(decode(swsp, &m) == 0 && m.len == 2 && m.store && m.width == 4 && m.reg == (int)r,
            "c.swsp 0x%04x: width %d reg %d", swsp, m.width, m.reg);
      CHECK(decode(sdsp, &m) == 0 && m.len == 2 && m.store && m.width == 8 && m.reg == (int)r,
            "c.sdsp 0x%04x: width %d reg %d", sdsp, m.width, m.reg);
      CHECK(decode(c_lsp(1, r, imm), &m) < 0, "c.fldsp");
      CHECK(decode(c_ssp(5, r, imm), &m) < 0, "c.fsdsp");
    }
  // A compressed instruction is the low half: whatever follows it in the
  // 32-bit word (the next instruction, as HLVX reads it) does not matter.
  u32 lw = c_ls(2, 3, 4, 5);
  CHECK(decode(0xabcd0000 | lw, &m) == 0 && m.len == 2 && m.width == 4 && m.reg == 11,
        "c.lw with junk above");
  CHECK(decode(0, &m) < 0, "0x0000 is the defined illegal instruction");
  CHECK(decode(0x4501, &m) < 0, "c.li a0, 0 (quadrant 1) is no load");
  CHECK(decode(0x8082, &m) < 0, "c.jr ra (c.ret) is no load");
}

// The transformed instruction that htinst holds for a trapping compressed
// load/store (priv spec §8.6.3) is the 32-bit equivalent with rs1 and the
// offset zeroed and bit 1 cleared; mmio.c decodes it with bit 1 set again.
static void test_transformed(void)
{
  struct mem_insn m, t;
  for (u32 rdp = 0; rdp < 8; rdp++) {
    static const u32 f3c[4] = { 2, 3, 6, 7 };
    for (int i = 0; i < 4; i++) {
      u32 c = c_ls(f3c[i], rdp, 1, 3);
      u32 f3 = f3c[i] & 3;
      u32 x = (f3c[i] & 4) ? store32(f3, 8 + rdp, 0, 0) : load32(f3, 8 + rdp, 0, 0);
      x &= ~2u;
      CHECK(decode(c, &m) == 0 && decode(x | 2, &t) == 0, "transform of 0x%04x", c);
      CHECK(m.store == t.store && m.width == t.width && m.reg == t.reg &&
            (m.width == 8 || m.sign == t.sign), "transform of 0x%04x decodes alike", c);
    }
  }
}

// ---- load values ----

static void test_load_value(void)
{
  struct mem_insn m;
  const u64 raw = 0xdeadbeef87654380UL;   // junk above every width
  static const struct { u32 f3; u64 want; } cases[] = {
    { 0, 0xffffffffffffff80UL },   // lb: sign-extended byte
    { 4, 0x80UL },                 // lbu
    { 1, 0x0000000000004380UL },   // lh: bit 15 clear
    { 5, 0x4380UL },               // lhu
    { 2, 0xffffffff87654380UL },   // lw
    { 6, 0x87654380UL },           // lwu
    { 3, 0xdeadbeef87654380UL },   // ld
  };
  for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    CHECK(decode(load32(cases[i].f3, 5, 6, 0), &m) == 0, "decode");
    u64 got = mem_load_value(&m, raw);
    CHECK(got == cases[i].want, "funct3 %d: 0x%lx, want 0x%lx", cases[i].f3,
          (unsigned long)got, (unsigned long)cases[i].want);
  }
  CHECK(decode(load32(1, 5, 6, 0), &m) == 0 && mem_load_value(&m, 0x8000) == 0xffffffffffff8000UL,
        "lh 0x8000");
  CHECK(decode(load32(5, 5, 6, 0), &m) == 0 && mem_load_value(&m, 0xffff8000) == 0x8000,
        "lhu 0xffff8000");
  CHECK(decode(c_ls(2, 0, 0, 0), &m) == 0 && mem_load_value(&m, 0x80000000) == 0xffffffff80000000UL,
        "c.lw sign-extends");
  CHECK(decode(c_lsp(2, 1, 0), &m) == 0 && mem_load_value(&m, 0x7fffffff) == 0x7fffffff,
        "c.lwsp positive");
}

// ---- sweeps: nothing crashes; anything accepted is sane ----

// The decoder's answer, recomputed from the encoding tables.
static int reference(u32 insn, struct mem_insn *m)
{
  if ((insn & 3) != 3) {
    u32 c = insn & 0xffff, op = c & 3, f3 = c >> 13;
    if (op == 0 && (f3 == 2 || f3 == 3 || f3 == 6 || f3 == 7)) {
      m->store = f3 >= 6, m->width = (f3 & 1) ? 8 : 4, m->reg = 8 + ((c >> 2) & 7);
      return 0;
    }
    if (op == 2 && (f3 == 2 || f3 == 3) && ((c >> 7) & 31) != 0) {
      m->store = 0, m->width = (f3 & 1) ? 8 : 4, m->reg = (c >> 7) & 31;
      return 0;
    }
    if (op == 2 && (f3 == 6 || f3 == 7)) {
      m->store = 1, m->width = (f3 & 1) ? 8 : 4, m->reg = (c >> 2) & 31;
      return 0;
    }
    return -1;
  }
  u32 opc = insn & 0x7f, f3 = (insn >> 12) & 7;
  if (opc == 0x03 && f3 != 7) {
    m->store = 0, m->width = 1 << (f3 & 3), m->reg = (insn >> 7) & 31;
    return 0;
  }
  if (opc == 0x23 && f3 < 4) {
    m->store = 1, m->width = 1 << f3, m->reg = (insn >> 20) & 31;
    return 0;
  }
  return -1;
}

static void sweep_one(u32 insn, int *bad)
{
  struct mem_insn m, r;
  int got = decode(insn, &m), want = reference(insn, &r);
  if (got != want) {
    if ((*bad)++ < 10)
      CHECK(got == want, "0x%08x: decoder says %d, tables say %d", insn, got, want);
    return;
  }
  if (got < 0)
    return;
  int ok = (m.width == 1 || m.width == 2 || m.width == 4 || m.width == 8) &&
           m.len == ((insn & 3) == 3 ? 4 : 2) && m.reg >= 0 && m.reg < 32 &&
           (m.store == 0 || m.store == 1) && m.store == r.store && m.width == r.width &&
           m.reg == r.reg;
  if (!ok && (*bad)++ < 10)
    CHECK(ok, "0x%08x: len %d store %d width %d reg %d", insn, m.len, m.store, m.width, m.reg);
}

static void test_sweeps(void)
{
  int bad = 0;
  for (u32 c = 0; c < 0x10000; c++)      // every 16-bit pattern (and so all of RVC)
    sweep_one(c, &bad);
  u64 x = 0x243f6a8885a308d3UL;          // fixed seed: the same words every run
  for (int i = 0; i < 2000000; i++) {
    x = x * 6364136223846793005UL + 1442695040888963407UL;
    u32 w = x >> 32;
    sweep_one(w, &bad);
    sweep_one((w & ~0x7fu) | 0x03, &bad);   // biased towards loads and stores
    sweep_one((w & ~0x7fu) | 0x23, &bad);
  }
  CHECK(bad == 0, "%d words decoded wrongly", bad);
  // Every length class: insn_length agrees with the ISA's encoding rule.
  for (u32 lo = 0; lo < 0x10000; lo++) {
    int want = (lo & 3) != 3 ? 2 : (lo & 0x1c) != 0x1c ? 4 : 0;
    if (insn_length(lo) != want) {
      CHECK(insn_length(lo) == want, "insn_length(0x%04x) = %d", lo, insn_length(lo));
      break;
    }
  }
}

int main(void)
{
  test_rv64i();
  test_compressed();
  test_transformed();
  test_load_value();
  test_sweeps();
  return check_summary("test_decode_mem");
}
