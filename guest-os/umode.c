// umode.c: run a small program in U-mode and get control back.
//
// The programs live in .utext (ucode.S). uvminit() maps that section at
// USER_VA with PTE_U (priv spec §4.3.1: U-mode may only use U pages, and
// S-mode may not execute them) and one stack page below USTACK_VA.
// run_user() srets into the program; its first trap (normally an ecall)
// comes back through kerneltrap() -> umode_trap(), which records it and
// redirects the trap's sret to uexit in S-mode.
#include "guest-os/defs.h"
#include "guest-os/trap.h"

extern char utext[], eutext[], uexit[];
void uenter(u64 entry, u64 usp);

static struct {
  int active;
  u64 sie_spie;   // SSTATUS_SPIE if run_user() was called with SIE set
  u64 scause, stval, sstatus, a0;
} urun;

static u8 ustack[PGSIZE] __attribute__((aligned(PGSIZE)));

void
uvminit(void)
{
  vm_map(USER_VA, (u64)utext, eutext - utext, PTE_U | PTE_R | PTE_X);
  vm_map(USTACK_VA - PGSIZE, (u64)ustack, PGSIZE, PTE_U | PTE_R | PTE_W);
}

// Called for every trap taken in U-mode.
void
umode_trap(struct trapframe *tf)
{
  if (!urun.active)
    panic("trap from U-mode outside run_user: scause 0x%lx sepc 0x%lx",
          tf->scause, tf->sepc);
  urun.active = 0;
  urun.scause = tf->scause;
  urun.stval = tf->stval;
  urun.sstatus = tf->sstatus;
  urun.a0 = tf->x[TF_A0];
  // Return to S-mode at uexit; sret will set SIE from SPIE, so SPIE
  // carries the SIE that run_user() was called with.
  tf->sepc = (u64)uexit;
  tf->sstatus = (tf->sstatus & ~SSTATUS_SPIE) | SSTATUS_SPP | urun.sie_spie;
}

// Run the U-mode program at `entry` (a USER_VA address) until it traps.
// The sret into U-mode sets SIE from SPIE, which is set to `spie` first,
// so the trap's sstatus.SPIE shows whether sret and the trap moved the bit
// as they should. Returns scause; fills *r unless NULL.
u64
run_user(u64 entry, int spie, struct uresult *r)
{
  u64 s = csr_read(sstatus);
  urun.sie_spie = (s & SSTATUS_SIE) ? SSTATUS_SPIE : 0;
  urun.active = 1;
  csr_clear(sstatus, SSTATUS_SIE);
  if (spie)
    csr_set(sstatus, SSTATUS_SPIE);
  else
    csr_clear(sstatus, SSTATUS_SPIE);
  uenter(entry, USTACK_VA);
  if (r) {
    r->sstatus = urun.sstatus;
    r->stval = urun.stval;
    r->a0 = urun.a0;
  }
  return urun.scause;
}

// The USER_VA address of a program in ucode.S.
u64
user_fn(void (*fn)(void))
{
  return USER_VA + ((u64)fn - (u64)utext);
}
