// insn.c: find the bits of the instruction that trapped. For a virtual-
// instruction exit stval holds them (priv spec §8.6.3, as for illegal
// instructions); for a guest-page fault htinst may hold a transformed
// copy (§8.6.3, Table 8.9) — but it may be 0 on real cores, and then we
// read the instruction from guest memory with HLVX, which translates
// through both stages with execute permission, as the fetch did.
#include "hyp/hyp.h"
#include "hyp/decode.h"

// Two 16-bit reads: for a pc whose 4 bytes would cross into the next
// page (where a fault would not be the guest's), or when the hart refused
// the 32-bit read (a misaligned pc may fault, priv spec §8.5): this tells
// a real fault from that. (Out of line: it keeps insn_fetch a leaf.)
static __attribute__((noinline)) int fetch_halves(u64 pc, u32 *insn)
{
  u64 lo, hi;
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

// The instruction at guest virtual address pc (normally the vCPU's sepc):
// one 32-bit read when that stays in pc's page (a compressed
// instruction's neighbour comes along, harmlessly).
int insn_fetch(u64 pc, u32 *insn)
{
  u64 w;
  if ((pc & (PGSIZE - 1)) <= PGSIZE - 4 && hlvx_wu(pc, &w) == 0) {
    *insn = insn_length(w) == 2 ? (u16)w : (u32)w;
    return 0;
  }
  return fetch_halves(pc, insn);
}
