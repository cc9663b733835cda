// trap.c: traps taken while host code runs. The host keeps its interrupts
// off (they reach it only as guest exits, see vmentry.S), so a trap here is
// an exception in hv6 itself: a bug. Report it in words -- the cause, where,
// the trap CSRs and what they mean, and the likely mistake where the cause
// says enough -- and stop the machine.
#include "kernel/defs.h"
#include "kernel/context.h"

extern char _entry[], kernel_end[];

void trap_init(void)
{
  csr_write(stvec, (u64)trap_vector);
  csr_write(sscratch, 0);
}

static int in_hv6(u64 pc)
{
  return pc >= (u64)_entry && pc < (u64)kernel_end;
}

// Was the trapping instruction a hypervisor load/store (HLV/HSV/HLVX: the
// SYSTEM opcode with funct3 = 4, priv spec §8.4.3)? Asked of the code
// itself: QEMU 7.2 leaves hstatus.GVA and htval as the last guest exit
// set them when hv6 itself traps, so they cannot tell.
static int guest_access_at(u64 sepc)
{
  if (!in_hv6(sepc) || sepc % 2)
    return 0;
  u16 *p = (u16 *)sepc;
  u32 insn = p[0] | (u32)p[1] << 16;
  return (insn & 0x7f) == 0x73 && ((insn >> 12) & 7) == 4;
}

// The likely mistake behind a host trap, or 0. Host code runs with
// translation off (satp = 0), so an address in stval is a physical one
// unless the instruction was an HLV/HSV/HLVX (then it is the guest's).
static const char *likely(u64 scause, u64 stval, u64 sepc)
{
  if (scause & SCAUSE_INTR)
    return "host code runs with sstatus.SIE = 0 (interrupts arrive as guest exits): "
           "something set SIE";
  if (guest_access_at(sepc))
    return "a guest-memory access from host code (HLV/HSV) faulted on a guest address: "
           "only hlvx_hu/hlvx_wu (insn_fetch) expect faults; for guest RAM use "
           "gmem_read/gmem_write/gmem_page";
  switch (scause) {
  case EXC_INST_MISALIGNED:
  case EXC_INST_ACCESS:
    return "hv6 jumped where no code is: a bad function pointer (an mmio_dev's "
           "read/write?) or an overwritten return address";
  case EXC_ILLEGAL_INST:
    if ((stval & 0x7f) == 0x73 && (stval >> 12 & 3) != 0)
      return "a CSR this hart does not have, or not from HS-mode: check the CSR "
             "number (stval bits 31:20) and the extension it belongs to";
    return "not an instruction this hart runs: jumped into data?";
  case EXC_LOAD_ACCESS:
  case EXC_STORE_ACCESS:
    if (stval < PGSIZE)
      return "a null pointer";
    if (stval >= platform.mem_base && stval < (u64)_entry)
      return "that is OpenSBI's memory below hv6, which hv6 never uses: a guest "
             "physical address used as a host pointer? translate it with gmem_page";
    if (stval < platform.mem_base || stval - platform.mem_base >= platform.mem_size)
      return "neither host RAM nor a device: a wild or uninitialized pointer";
    return 0;
  }
  return 0;
}

// host_trap (vmentry.S) jumps here with the trapped code's registers, so
// ra is still its return address.
void kerneltrap(void)
{
  u64 scause = csr_read(scause), sepc = csr_read(sepc), stval = csr_read(stval);
  u64 htval = csr_read(CSR_HTVAL), hstatus = csr_read(CSR_HSTATUS);
  u64 sstatus = csr_read(sstatus), ra = (u64)__builtin_return_address(0);
  const char *asmfile = TRAP_ALL ? (SSTC ? "build/hv6-all-sstc/hv6.asm" : "build/hv6-all/hv6.asm")
                                 : (SSTC ? "build/hv6-min-sstc/hv6.asm" : "build/hv6-min/hv6.asm");
  if (scause & SCAUSE_INTR)
    printf("hv6: panic: host trap: %s (interrupt %ld) in hv6 at sepc 0x%lx\n",
           scause_name(scause), scause & ~SCAUSE_INTR, sepc);
  else
    printf("hv6: panic: host trap: %s (scause %ld) in hv6 at sepc 0x%lx\n",
           scause_name(scause), scause, sepc);
  printf("hv6:   stval 0x%lx, htval 0x%lx", stval, htval);
  if (scause == EXC_INST_GUEST_PAGE_FAULT || scause == EXC_LOAD_GUEST_PAGE_FAULT ||
      scause == EXC_STORE_GUEST_PAGE_FAULT)
    printf(" (GPA 0x%lx)", htval << 2 | (stval & 3));
  printf(", htinst 0x%lx\n", csr_read(CSR_HTINST));
  printf("hv6:   hstatus.SPV=%d GVA=%d (stval %s a guest virtual address), "
         "sstatus.SPP=%d (from %s-mode)\n", (hstatus & HSTATUS_SPV) != 0,
         (hstatus & HSTATUS_GVA) != 0, (hstatus & HSTATUS_GVA) ? "is" : "is not",
         (sstatus & SSTATUS_SPP) != 0, (sstatus & SSTATUS_SPP) ? "HS" : "U");
  // The build's disassembly (Makefile: objdump -S) names the function.
  if (in_hv6(sepc))
    printf("hv6:   which function: search %s for \"%lx:\"\n", asmfile, sepc);
  else if (in_hv6(ra))
    printf("hv6:   which caller: ra 0x%lx, the return address of the last call; "
           "search %s for \"%lx:\"\n", ra, asmfile, ra);
  const char *hint = likely(scause, stval, sepc);
  if (hint)
    printf("hv6:   hint: %s\n", hint);
  platform_poweroff(1);
}
