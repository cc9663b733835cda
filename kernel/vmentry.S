# vmentry.S: the world switch between the host and the guest.
#
# vcpu_enter(ctx) saves the host's callee-saved registers in ctx, loads the
# guest's registers and sret's into VS/VU-mode (hstatus.SPV = 1, priv spec
# §8.6.4). When the guest traps to HS-mode, trap_vector saves every guest
# register into the same ctx, switches to the host's stack and jumps to
# exit_handle(ctx) (hyp/exit.c), which handles the exit and never
# returns: it ends in vcpu_resume(ctx), which loads the guest's registers
# and enters it again, or, when the VM has stopped, in vcpu_leave(ctx),
# which loads the host's registers and returns from vcpu_enter as an
# ordinary call would. So an exit costs the guest's registers only: the
# host's callee-saved ones are saved once per vcpu_enter, not once per
# exit (xv6's uservec/usertrap/usertrapret/userret have the same shape).
#
# sscratch holds ctx while the guest runs and 0 while the host runs,
# which tells the two kinds of trap apart. The host runs with
# sstatus.SIE = 0: its interrupts are taken only as guest exits (with
# V = 1, HS interrupts are always enabled, §8.6.1).
#include "kernel/context.h"

.section .text
.globl vcpu_enter
vcpu_enter:
        sd      ra, CTX_HOST+0*8(a0)
        sd      sp, CTX_HOST+1*8(a0)
        sd      gp, CTX_HOST+2*8(a0)
        sd      tp, CTX_HOST+3*8(a0)
        sd      s0, CTX_HOST+4*8(a0)
        sd      s1, CTX_HOST+5*8(a0)
        sd      s2, CTX_HOST+6*8(a0)
        sd      s3, CTX_HOST+7*8(a0)
        sd      s4, CTX_HOST+8*8(a0)
        sd      s5, CTX_HOST+9*8(a0)
        sd      s6, CTX_HOST+10*8(a0)
        sd      s7, CTX_HOST+11*8(a0)
        sd      s8, CTX_HOST+12*8(a0)
        sd      s9, CTX_HOST+13*8(a0)
        sd      s10, CTX_HOST+14*8(a0)
        sd      s11, CTX_HOST+15*8(a0)
        j       vcpu_resume

# stvec points here for the host's whole life (priv spec §4.1.2: direct
# mode, so 4-byte alignment is enough).
#
# For gdb: an exit enters hv6 here, not through a call, so the frame has
# no caller (vcpu_run is not on the host stack while exit_handle runs).
# `.cfi_undefined ra` says so in the DWARF call-frame information, and a
# backtrace from a handler ends cleanly at trap_vector instead of with
# "frame did not save the PC". The CFI goes to .debug_frame, as the C
# code's does, so nothing is added to the loaded image.
.cfi_sections .debug_frame
.balign 4
.globl trap_vector
trap_vector:
        .cfi_startproc
        .cfi_undefined ra
        csrrw   a0, sscratch, a0
        beqz    a0, host_trap
        sd      ra, CTX_X(1)(a0)
        sd      sp, CTX_X(2)(a0)
        sd      gp, CTX_X(3)(a0)
        sd      tp, CTX_X(4)(a0)
        sd      t0, CTX_X(5)(a0)
        sd      t1, CTX_X(6)(a0)
        sd      t2, CTX_X(7)(a0)
        sd      s0, CTX_X(8)(a0)
        sd      s1, CTX_X(9)(a0)
        sd      a1, CTX_X(11)(a0)
        sd      a2, CTX_X(12)(a0)
        sd      a3, CTX_X(13)(a0)
        sd      a4, CTX_X(14)(a0)
        sd      a5, CTX_X(15)(a0)
        sd      a6, CTX_X(16)(a0)
        sd      a7, CTX_X(17)(a0)
        sd      s2, CTX_X(18)(a0)
        sd      s3, CTX_X(19)(a0)
        sd      s4, CTX_X(20)(a0)
        sd      s5, CTX_X(21)(a0)
        sd      s6, CTX_X(22)(a0)
        sd      s7, CTX_X(23)(a0)
        sd      s8, CTX_X(24)(a0)
        sd      s9, CTX_X(25)(a0)
        sd      s10, CTX_X(26)(a0)
        sd      s11, CTX_X(27)(a0)
        sd      t3, CTX_X(28)(a0)
        sd      t4, CTX_X(29)(a0)
        sd      t5, CTX_X(30)(a0)
        sd      t6, CTX_X(31)(a0)
        csrrw   t0, sscratch, zero
        sd      t0, CTX_X(10)(a0)
        csrr    t0, sepc
        sd      t0, CTX_SEPC(a0)
        csrr    t0, sstatus
        sd      t0, CTX_SSTATUS(a0)
        csrr    t0, hstatus
        sd      t0, CTX_HSTATUS(a0)
        # On the host's stack. gp and tp may keep the guest's values: the
        # host's C code never uses them (-mno-relax, one thread). jal, not
        # j, only so that a debugger's backtrace ends here.
        ld      sp, CTX_HOST+1*8(a0)
        jal     exit_handle
        .cfi_endproc

# void vcpu_resume(struct context *ctx): load the guest's registers from
# ctx and enter it. a0 is loaded last: until then it points at ctx.
.globl vcpu_resume
vcpu_resume:
        ld      t0, CTX_SEPC(a0)
        csrw    sepc, t0
        ld      t0, CTX_SSTATUS(a0)
        csrw    sstatus, t0
        ld      t0, CTX_HSTATUS(a0)
        csrw    hstatus, t0
        csrw    sscratch, a0
        ld      ra, CTX_X(1)(a0)
        ld      sp, CTX_X(2)(a0)
        ld      gp, CTX_X(3)(a0)
        ld      tp, CTX_X(4)(a0)
        ld      t0, CTX_X(5)(a0)
        ld      t1, CTX_X(6)(a0)
        ld      t2, CTX_X(7)(a0)
        ld      s0, CTX_X(8)(a0)
        ld      s1, CTX_X(9)(a0)
        ld      a1, CTX_X(11)(a0)
        ld      a2, CTX_X(12)(a0)
        ld      a3, CTX_X(13)(a0)
        ld      a4, CTX_X(14)(a0)
        ld      a5, CTX_X(15)(a0)
        ld      a6, CTX_X(16)(a0)
        ld      a7, CTX_X(17)(a0)
        ld      s2, CTX_X(18)(a0)
        ld      s3, CTX_X(19)(a0)
        ld      s4, CTX_X(20)(a0)
        ld      s5, CTX_X(21)(a0)
        ld      s6, CTX_X(22)(a0)
        ld      s7, CTX_X(23)(a0)
        ld      s8, CTX_X(24)(a0)
        ld      s9, CTX_X(25)(a0)
        ld      s10, CTX_X(26)(a0)
        ld      s11, CTX_X(27)(a0)
        ld      t3, CTX_X(28)(a0)
        ld      t4, CTX_X(29)(a0)
        ld      t5, CTX_X(30)(a0)
        ld      t6, CTX_X(31)(a0)
        ld      a0, CTX_X(10)(a0)
        sret

# void vcpu_leave(struct context *ctx): the VM stopped. Give the host its
# registers back and return from vcpu_enter.
.globl vcpu_leave
vcpu_leave:
        ld      ra, CTX_HOST+0*8(a0)
        ld      s0, CTX_HOST+4*8(a0)
        ld      sp, CTX_HOST+1*8(a0)
        ld      gp, CTX_HOST+2*8(a0)
        ld      tp, CTX_HOST+3*8(a0)
        ld      s1, CTX_HOST+5*8(a0)
        ld      s2, CTX_HOST+6*8(a0)
        ld      s3, CTX_HOST+7*8(a0)
        ld      s4, CTX_HOST+8*8(a0)
        ld      s5, CTX_HOST+9*8(a0)
        ld      s6, CTX_HOST+10*8(a0)
        ld      s7, CTX_HOST+11*8(a0)
        ld      s8, CTX_HOST+12*8(a0)
        ld      s9, CTX_HOST+13*8(a0)
        ld      s10, CTX_HOST+14*8(a0)
        ld      s11, CTX_HOST+15*8(a0)
        ret

# A trap taken by host code. One kind is expected: a fault of the HLVX in
# hlvx_hu/hlvx_wu below (the guest's page tables may say anything); it
# resumes at hlvx_fault, which returns -1. Any other is a hypervisor bug:
# report it (kernel/trap.c), on the host stack we were using. Checking
# here, on the rare path, rather than pointing stvec at a landing pad
# around each HLVX keeps every instruction fetch of an exit six
# instructions shorter. sscratch goes back to 0 first, so that a trap in
# here is a host trap too; t0 and t1 are spilled below sp (the psABI has
# no red zone: nothing lives there).
host_trap:
        csrrw   a0, sscratch, zero
        sd      t0, -8(sp)
        sd      t1, -16(sp)
        csrr    t0, sepc
        la      t1, hlvx_hu_insn
        beq     t0, t1, 1f
        la      t1, hlvx_wu_insn
        beq     t0, t1, 1f
        ld      t0, -8(sp)
        ld      t1, -16(sp)
        j       kerneltrap
        # An HLVX fault: no sret needed, the trap stayed in HS-mode and
        # only set SIE = 0, which the host keeps anyway.
1:      ld      t0, -8(sp)
        ld      t1, -16(sp)
        j       hlvx_fault

# Read an instruction halfword or word from guest virtual memory (priv
# spec §8.5: HLVX translates through both stages with execute permission,
# as the guest's fetch did). A fault lands in hlvx_fault (host_trap),
# which returns HLVX_FAULT (~0, context.h): the value read is zero-
# extended, so it is never that.
#   u64 hlvx_hu(u64 gva)    16 bits
#   u64 hlvx_wu(u64 gva)    32 bits
.globl hlvx_hu
hlvx_hu:
hlvx_hu_insn:
        hlvx.hu a0, (a0)
        ret
.globl hlvx_wu
hlvx_wu:
hlvx_wu_insn:
        hlvx.wu a0, (a0)
        ret
hlvx_fault:
        li      a0, -1
        ret
