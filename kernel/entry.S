# entry.S: the first host instructions. OpenSBI enters here in HS-mode
# with a0 = hartid and a1 = the physical address of its device tree
# (SBI spec §4 / OpenSBI fw_dynamic). Set up a stack, clear BSS, call main.
#include "kernel/param.h"

.section .text.entry
.globl _entry
_entry:
        # Only one hart runs the host; any other hart parks (OpenSBI's HSM
        # normally keeps them stopped, this is a belt for -smp > 1).
        bnez    a0, park
        la      sp, stack0
        li      t0, KSTACK_SIZE
        add     sp, sp, t0
        la      t0, bss_start
        la      t1, bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      call    main
park:
        wfi
        j       park

.section .bss
.balign 16
.globl stack0
stack0:
        .space  KSTACK_SIZE
