# uswitch.S: entering U-mode and coming back (used by umode.c).
#
# uenter(entry, usp) saves the callee-saved registers and the kernel sp,
# points sscratch at the kernel stack (see kernelvec.S), and srets to
# `entry` in U-mode with sp = usp. When the U-mode code traps, kerneltrap()
# sends the trap's sret to uexit in S-mode instead (umode_trap() in
# umode.c), which restores the saved registers and returns from uenter.

.section .text
.globl uenter
uenter:
        addi    sp, sp, -112
        sd      ra, 0(sp)
        sd      s0, 8(sp)
        sd      s1, 16(sp)
        sd      s2, 24(sp)
        sd      s3, 32(sp)
        sd      s4, 40(sp)
        sd      s5, 48(sp)
        sd      s6, 56(sp)
        sd      s7, 64(sp)
        sd      s8, 72(sp)
        sd      s9, 80(sp)
        sd      s10, 88(sp)
        sd      s11, 96(sp)
        la      t0, ukstack
        sd      sp, 0(t0)
        csrw    sepc, a0
        csrw    sscratch, sp
        # sret goes to the privilege in sstatus.SPP: 0 = U (priv spec §4.1.1).
        li      t0, 0x100
        csrc    sstatus, t0
        mv      sp, a1
        sret

.globl uexit
uexit:
        la      t0, ukstack
        ld      sp, 0(t0)
        ld      ra, 0(sp)
        ld      s0, 8(sp)
        ld      s1, 16(sp)
        ld      s2, 24(sp)
        ld      s3, 32(sp)
        ld      s4, 40(sp)
        ld      s5, 48(sp)
        ld      s6, 56(sp)
        ld      s7, 64(sp)
        ld      s8, 72(sp)
        ld      s9, 80(sp)
        ld      s10, 88(sp)
        ld      s11, 96(sp)
        addi    sp, sp, 112
        ret

.section .bss
.balign 8
ukstack:
        .space  8
