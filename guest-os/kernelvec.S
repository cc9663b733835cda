# kernelvec.S: the guest's one trap vector (stvec, direct mode), for traps
# from S-mode and from U-mode alike.
#
# sscratch tells the two apart: it is 0 while the guest runs in S-mode and
# holds the kernel stack pointer while U-mode code runs (uswitch.S). Swapping
# it with sp thus either yields a kernel stack (trap from U) or 0 (trap from
# S, where the current sp is already a kernel stack). The frame layout is
# struct trapframe in trap.h. kerneltrap() may edit the frame, in particular
# sepc and sstatus.SPP, which decide where sret goes.

#define TF_SIZE (36 * 8)

.section .text
.globl kernelvec
.balign 4
kernelvec:
        csrrw   sp, sscratch, sp
        bnez    sp, 1f
        csrrw   sp, sscratch, sp        # from S: sp back, sscratch 0 again
1:      addi    sp, sp, -TF_SIZE
        sd      x1, 1*8(sp)
        sd      x3, 3*8(sp)
        sd      x4, 4*8(sp)
        sd      x5, 5*8(sp)
        sd      x6, 6*8(sp)
        sd      x7, 7*8(sp)
        sd      x8, 8*8(sp)
        sd      x9, 9*8(sp)
        sd      x10, 10*8(sp)
        sd      x11, 11*8(sp)
        sd      x12, 12*8(sp)
        sd      x13, 13*8(sp)
        sd      x14, 14*8(sp)
        sd      x15, 15*8(sp)
        sd      x16, 16*8(sp)
        sd      x17, 17*8(sp)
        sd      x18, 18*8(sp)
        sd      x19, 19*8(sp)
        sd      x20, 20*8(sp)
        sd      x21, 21*8(sp)
        sd      x22, 22*8(sp)
        sd      x23, 23*8(sp)
        sd      x24, 24*8(sp)
        sd      x25, 25*8(sp)
        sd      x26, 26*8(sp)
        sd      x27, 27*8(sp)
        sd      x28, 28*8(sp)
        sd      x29, 29*8(sp)
        sd      x30, 30*8(sp)
        sd      x31, 31*8(sp)
        # The interrupted sp: the U-mode sp now in sscratch, or (from S,
        # where sscratch is 0) the value before we pushed the frame.
        csrrw   t0, sscratch, zero
        bnez    t0, 2f
        addi    t0, sp, TF_SIZE
2:      sd      t0, 2*8(sp)
        csrr    t0, sepc
        sd      t0, 32*8(sp)
        csrr    t0, sstatus
        sd      t0, 33*8(sp)
        csrr    t0, scause
        sd      t0, 34*8(sp)
        csrr    t0, stval
        sd      t0, 35*8(sp)

        mv      a0, sp
        call    kerneltrap

        ld      t0, 32*8(sp)
        csrw    sepc, t0
        ld      t0, 33*8(sp)
        csrw    sstatus, t0
        # Going back to U-mode (SPP = 0, priv spec §4.1.1): the next trap
        # must find this kernel stack in sscratch.
        andi    t0, t0, 0x100
        bnez    t0, 3f
        addi    t0, sp, TF_SIZE
        csrw    sscratch, t0
3:      ld      x1, 1*8(sp)
        ld      x3, 3*8(sp)
        ld      x4, 4*8(sp)
        ld      x5, 5*8(sp)
        ld      x6, 6*8(sp)
        ld      x7, 7*8(sp)
        ld      x8, 8*8(sp)
        ld      x9, 9*8(sp)
        ld      x10, 10*8(sp)
        ld      x11, 11*8(sp)
        ld      x12, 12*8(sp)
        ld      x13, 13*8(sp)
        ld      x14, 14*8(sp)
        ld      x15, 15*8(sp)
        ld      x16, 16*8(sp)
        ld      x17, 17*8(sp)
        ld      x18, 18*8(sp)
        ld      x19, 19*8(sp)
        ld      x20, 20*8(sp)
        ld      x21, 21*8(sp)
        ld      x22, 22*8(sp)
        ld      x23, 23*8(sp)
        ld      x24, 24*8(sp)
        ld      x25, 25*8(sp)
        ld      x26, 26*8(sp)
        ld      x27, 27*8(sp)
        ld      x28, 28*8(sp)
        ld      x29, 29*8(sp)
        ld      x30, 30*8(sp)
        ld      x31, 31*8(sp)
        ld      sp, 2*8(sp)
        sret
