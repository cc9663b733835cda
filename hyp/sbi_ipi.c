// sbi_ipi.c: the SBI extensions that name harts -- IPI (send_ipi), RFNC
// (remote fences) and HSM (hart state) -- for a VM with one hart, hart 0
// (SBI spec v2.0 §7, §8, §9).
//
// A set of harts is passed as (hart_mask, hart_mask_base) (§3.1): bit i of
// hart_mask names hart hart_mask_base + i, and hart_mask_base = -1 means
// every hart. Naming a hart the VM does not have is SBI_ERR_INVALID_PARAM,
// checked before anything is done.
//
// An IPI to hart 0 sets VSSIP in hvip: the guest sees a supervisor
// software interrupt, and clears it by clearing sip.SSIP, which for a
// VS-mode guest is an alias of hvip.VSSIP (priv spec §8.2.4) -- no exit.
#include "hyp/hyp.h"
#include "sbi/sbi.h"

#if LAB >= 3

#define A(n) SBI_ARG(v, n)
#define NHARTS 1

#if SOL >= 3
// 0 if the mask names only harts that exist; *hart0 = whether it names hart 0.
static long hart_mask_check(u64 mask, u64 base, int *hart0)
{
  *hart0 = 0;
  if (base == ~0UL) {
    *hart0 = 1;
    return 0;
  }
  for (int i = 0; i < 64; i++) {
    if (!(mask >> i & 1))
      continue;
    u64 hart = base + i;
    if (hart < base || hart >= NHARTS)
      return SBI_ERR_INVALID_PARAM;
    *hart0 = 1;
  }
  return 0;
}

void sbi_ipi(struct vcpu *v, long fid)
{
  int hart0;
  if (fid != SBI_IPI_SEND_IPI) {
    sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
    return;
  }
  long err = hart_mask_check(A(0), A(1), &hart0);
  if (err == 0 && hart0)
    vcpu_set_irq(v, HIP_VSSIP, 1);
  sbi_ret(v, err, 0);
}

// SFENCE.VMA for the guest: HFENCE.VVMA acts on the current VMID's
// VS-stage translations (priv spec §8.3.2). A range of a few pages is
// flushed page by page, anything larger (or size -1) all at once.
static void fence_vma(u64 start, u64 size, long asid, int use_asid)
{
  if (size == 0)
    return;
  if (size == ~0UL || size > 64 * PGSIZE || start + size < start) {
    if (use_asid)
      asm volatile("hfence.vvma zero, %0" :: "r"(asid) : "memory");
    else
      asm volatile("hfence.vvma zero, zero" ::: "memory");
    return;
  }
  for (u64 va = ROUNDDOWN(start, PGSIZE); va < start + size; va += PGSIZE) {
    if (use_asid)
      asm volatile("hfence.vvma %0, %1" :: "r"(va), "r"(asid) : "memory");
    else
      asm volatile("hfence.vvma %0, zero" :: "r"(va) : "memory");
  }
}

void sbi_rfnc(struct vcpu *v, long fid)
{
  int hart0;
  if (fid > SBI_RFNC_SFENCE_VMA_ASID || fid < 0) {
    // The HFENCE functions are for a hypervisor; this guest has no H.
    sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
    return;
  }
  long err = hart_mask_check(A(0), A(1), &hart0);
  if (err == 0 && hart0) {
    if (fid == SBI_RFNC_FENCE_I)
      asm volatile("fence.i" ::: "memory");
    else
      fence_vma(A(2), A(3), A(4), fid == SBI_RFNC_SFENCE_VMA_ASID);
  }
  sbi_ret(v, err, 0);
}

// HSM: hart 0 is always started. It cannot be started again; stopping
// the only hart ends the VM (natively the machine would hang forever);
// a retentive suspend is a WFI, a non-retentive one resumes at
// resume_addr like a fresh start (§9.4).
#define SUSPEND_RETENTIVE     0x00000000U
#define SUSPEND_NONRETENTIVE  0x80000000U

static void hsm_suspend(struct vcpu *v)
{
  u32 type = A(0);
  u64 resume = A(1), opaque = A(2);
  if (type != SUSPEND_RETENTIVE && type != SUSPEND_NONRETENTIVE) {
    int reserved = (type > 0 && type < 0x10000000U) ||
                   (type > SUSPEND_NONRETENTIVE && type < 0x90000000U);
    sbi_ret(v, reserved ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED, 0);
    return;
  }
  if (type == SUSPEND_NONRETENTIVE && !gmem_is_ram(v->vm, resume, 4)) {
    sbi_ret(v, SBI_ERR_INVALID_ADDRESS, 0);
    return;
  }
  vtimer_wfi(v);
  if (type == SUSPEND_RETENTIVE) {
    sbi_ret(v, 0, 0);
    return;
  }
  // Resume in S-mode at resume_addr: a0 = hartid, a1 = opaque, satp = 0,
  // sstatus.SIE = 0 (§9.4, as hart_start).
  v->ctx.sepc = resume;
  v->ctx.sstatus |= SSTATUS_SPP;
  csr_write(CSR_VSATP, 0);
  csr_clear(CSR_VSSTATUS, SSTATUS_SIE);
  sbi_ret(v, 0, opaque);
}

void sbi_hsm(struct vcpu *v, long fid)
{
  u64 hart = A(0);
  switch (fid) {
  case SBI_HSM_HART_START:
    sbi_ret(v, hart < NHARTS ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM, 0);
    return;
  case SBI_HSM_HART_STOP:
    vm_stop(v->vm, "the guest stopped its only hart (SBI HSM hart_stop)");
    return;
  case SBI_HSM_HART_GET_STATUS:
    if (hart < NHARTS)
      sbi_ret(v, 0, SBI_HSM_STARTED);
    else
      sbi_ret(v, SBI_ERR_INVALID_PARAM, 0);
    return;
  case SBI_HSM_HART_SUSPEND:
    hsm_suspend(v);
    return;
  }
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
}
#else
// Lab 3: send_ipi (VSSIP through hvip), the remote fences and HSM for
// hart 0, with the hart-mask rules above. Until then: not supported.
void sbi_ipi(struct vcpu *v, long fid)
{
  (void)fid;
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
}

void sbi_rfnc(struct vcpu *v, long fid)
{
  (void)fid;
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
}

void sbi_hsm(struct vcpu *v, long fid)
{
  (void)fid;
  sbi_ret(v, SBI_ERR_NOT_SUPPORTED, 0);
}
#endif

#endif
