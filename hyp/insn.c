// insn.c: find the bits of the instruction that trapped. For a virtual-
// instruction exit stval holds them (priv spec §8.6.3, as for illegal
// instructions); for a guest-page fault htinst may hold a transformed
// copy (§8.6.3, Table 8.9) — but it may be 0 on real cores, and then we
// read the instruction from guest memory with HLVX.HU, which translates
// through both stages with execute permission, as the fetch did.
#include "hyp/hyp.h"
#include "hyp/decode.h"

int insn_fetch(struct vcpu *v, u32 *insn)
{
  u64 lo, hi;
  u64 pc = v->ctx.sepc;
  if (hlvx_hu(pc, &lo) < 0)
    return -1;
  if (insn_length(lo) == 2) {
    *insn = lo;
    return 0;
  }
  if (hlvx_hu(pc + 2, &hi) < 0)
    return -1;
  *insn = (u32)(lo | hi << 16);
  return 0;
}
