# ucode.S: small programs that run in U-mode for the self-tests. They are
# linked into .utext, which umode.c maps a second time at USER_VA with
# PTE_U; they must be position-independent and touch only their stack.
# Each one ends in a trap, which ends run_user().

#include "sbi/sbi.h"

.section .utext, "ax"

# ecall from U-mode (cause 8) with a0 = 42, a7 = 0x55: the test checks
# that the registers arrive intact.
.globl u_ecall
u_ecall:
        li      a0, 42
        li      a7, 0x55
        ecall
        j       u_ecall

# sret is illegal in U-mode (priv spec §3.3.2): cause 2, stval = 0x10200073.
.globl u_sret
u_sret:
        sret
        j       u_sret

# A supervisor CSR read from U-mode is illegal: cause 2, stval = the bits.
.globl u_csrr_sstatus
u_csrr_sstatus:
        csrr    a0, sstatus
        j       u_csrr_sstatus

# rdtime: allowed in U-mode only if scounteren.TM is set (priv spec §4.1.5);
# it also needs the level above to allow it (mcounteren/hcounteren).
.globl u_rdtime
u_rdtime:
        rdtime  a0
        ecall
        j       u_rdtime

# Store to the stack, load it back, and report it through ecall: U-mode
# memory access through a PTE_U page works.
.globl u_stack
u_stack:
        li      t0, 0x1234
        sd      t0, -8(sp)
        ld      a0, -8(sp)
        ecall
        j       u_stack
