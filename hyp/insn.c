// insn.c: the slow path of fetching the instruction that trapped. The
// fast path, insn_fetch in hyp.h, is one HLVX.WU (priv spec §8.5: it
// translates through both stages with execute permission, as the fetch
// did). hv6 always reads the instruction from guest memory: stval holds
// it for a virtual-instruction exit only when the hart fills it in
// (QEMU 7.2 leaves it stale after HLV/HSV), and htinst may be 0.
#include "hyp/hyp.h"
#include "hyp/decode.h"

// Two 16-bit reads, the slow path of insn_fetch (hyp.h): for a pc whose
// 4 bytes would cross into the next page (where a fault would not be the
// guest's), or when the hart refused the 32-bit read (a misaligned pc may
// fault, priv spec §8.5): this tells a real fault from that.
int insn_fetch_halves(u64 pc, u32 *insn)
{
  u64 lo = hlvx_hu(pc), hi;
  if (lo == HLVX_FAULT)
    return -1;
  if (insn_length(lo) == 2) {
    *insn = lo;
    return 0;
  }
  if ((hi = hlvx_hu(pc + 2)) == HLVX_FAULT)
    return -1;
  *insn = (u32)(lo | hi << 16);
  return 0;
}
