// fuzz_decode_mem.c: libFuzzer target for the MMIO load/store decoder
// (hyp/decode.h decode_mem, mem_load_value), which mmio.c trusts to
// emulate a guest's device access. Input: 4 bytes of instruction, then
// 8 bytes of "device data" for the load.
// Invariants: a decoded access agrees with an independent reference of
// RV64I and RVC integer loads/stores (opcode, width, signedness,
// register); len matches insn_length; the loaded value keeps the low
// width bytes of the data and sign- or zero-extends the rest.
// LAB: 2
#include "hyp/decode.h"
#include "tests/fuzz.h"

struct ref { int ok, len, store, width, sign, reg; };

static struct ref ref_decode(u32 insn)
{
  struct ref r = { 0, 0, 0, 0, 0, 0 };
  if ((insn & 3) == 3) {
    if ((insn & 0x1c) == 0x1c)
      return r;
    u32 opc = insn & 0x7f, f3 = (insn >> 12) & 7;
    r.len = 4;
    if (opc == 0x03 && f3 != 7) {           // LB LH LW LD LBU LHU LWU
      r.ok = 1; r.width = 1 << (f3 & 3); r.sign = f3 <= 2; r.reg = (insn >> 7) & 31;
    } else if (opc == 0x23 && f3 <= 3) {    // SB SH SW SD
      r.ok = 1; r.store = 1; r.width = 1 << f3; r.reg = (insn >> 20) & 31;
    }
    return r;
  }
  u32 c = insn & 0xffff, q = c & 3, f3 = c >> 13, rd = (c >> 7) & 31;
  r.len = 2;
  if (q == 0 && (f3 == 2 || f3 == 3 || f3 == 6 || f3 == 7)) {   // C.LW C.LD C.SW C.SD
    r.ok = 1; r.store = f3 >= 6; r.width = (f3 & 1) ? 8 : 4; r.sign = f3 == 2;
    r.reg = 8 + ((c >> 2) & 7);
  } else if (q == 2 && (f3 == 2 || f3 == 3) && rd != 0) {       // C.LWSP C.LDSP
    r.ok = 1; r.width = f3 == 2 ? 4 : 8; r.sign = f3 == 2; r.reg = rd;
  } else if (q == 2 && (f3 == 6 || f3 == 7)) {                  // C.SWSP C.SDSP
    r.ok = 1; r.store = 1; r.width = f3 == 6 ? 4 : 8; r.reg = (c >> 2) & 31;
  }
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fuzz_in in = { data, size };
  u32 insn = fuzz_take(&in, 4);
  u64 raw = fuzz_take(&in, 8);

  struct mem_insn m;
  memset(&m, 0x7b, sizeof(m));
  int r = decode_mem(insn, &m);
  struct ref want = ref_decode(insn);
  FUZZ_CHECK((r == 0) == want.ok, "0x%08x: decode_mem = %d, the ISA says %s", insn, r,
             want.ok ? "a load/store" : "not one");
  if (r != 0)
    return 0;
  FUZZ_CHECK(m.len == want.len && m.len == insn_length(insn & 0xffff), "0x%08x: len %d", insn, m.len);
  FUZZ_CHECK(m.store == want.store, "0x%08x: store %d", insn, m.store);
  FUZZ_CHECK(m.width == want.width, "0x%08x: width %d, want %d", insn, m.width, want.width);
  FUZZ_CHECK(m.reg == want.reg && m.reg >= 0 && m.reg < 32, "0x%08x: reg %d, want %d", insn, m.reg, want.reg);
  if (m.store)
    return 0;
  FUZZ_CHECK(m.sign == want.sign, "0x%08x: sign %d", insn, m.sign);
  u64 v = mem_load_value(&m, raw);
  int bits = 8 * m.width;
  u64 low = bits == 64 ? ~0UL : (1UL << bits) - 1;
  FUZZ_CHECK((v & low) == (raw & low), "0x%08x: low bits of 0x%lx -> 0x%lx", insn,
             (unsigned long)raw, (unsigned long)v);
  if (bits < 64) {
    int neg = m.sign && ((raw >> (bits - 1)) & 1);
    u64 high = v & ~low;
    FUZZ_CHECK(high == (neg ? ~low : 0), "0x%08x: extension of 0x%lx -> 0x%lx", insn,
               (unsigned long)raw, (unsigned long)v);
  }
  return 0;
}
