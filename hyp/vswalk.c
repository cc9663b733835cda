// vswalk.c: the guest's own (VS-stage) page-table walk, done in software.
// A guest-page fault names the guest physical address that faulted in
// htval (GPA >> 2) -- or not: a hart may write 0 there (priv spec §8.6.3:
// "htval is written with either zero or the guest physical address").
// stage2_fault then asks here. Walk the guest's tables for the guest
// virtual address in stval as the hart did (Sv39/48/57, priv spec §4.3.2),
// each table read going through stage 2 (§8.5), and return the first GPA
// stage 2 does not map: a page-table entry's (the hart's walk itself
// faulted, an "implicit" access) or else the translated address.
//
// One case a walk cannot tell: an access that straddles two pages has
// its first byte's address in stval, so a fault on the second page comes
// back as the first (mapped) one, and stage2_fault stops the VM.
#include "hyp/hyp.h"

#define VPN_BITS 9

u64 vswalk_fault_gpa(struct vcpu *v)
{
  u64 vsatp = csr_read(CSR_VSATP), gva = v->stval;
  u64 mode = vsatp >> SATP_MODE_SHIFT;
  if (mode == SATP_MODE_BARE)
    return gva;                   // no VS-stage translation: GPA = GVA
  // vsatp is WARL: Sv39 (8), Sv48 (9) or Sv57 (10) are all it can hold
  // besides Bare, with 3, 4 or 5 levels.
  int levels = mode - (SATP_MODE_SV39 >> SATP_MODE_SHIFT) + 3;
  if (levels < 3 || levels > 5)
    return ~0UL;
  u64 table = (vsatp & SATP_PPN_MASK) << PGSHIFT;
  for (int l = levels - 1; l >= 0; l--) {
    int shift = PGSHIFT + VPN_BITS * l;
    u64 pte_gpa = table + ((gva >> shift) & ((1 << VPN_BITS) - 1)) * sizeof(u64);
    u64 hpa = stage2_translate(v->vm, pte_gpa);
    if (hpa == 0)
      return pte_gpa;             // the walk's own read is what faulted
    u64 pte = *(volatile u64 *)hpa;
    if (!(pte & PTE_V))
      break;                      // the hart would have raised a VS-level fault
    if (pte & (PTE_R | PTE_X)) {  // a leaf: a 2^shift-byte page
      u64 mask = (1UL << shift) - 1;
      return (PTE2PA(pte) & ~mask) | (gva & mask);
    }
    table = PTE2PA(pte);
  }
  return ~0UL;                    // no translation: not RAM, nor a device
}
