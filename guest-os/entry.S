# entry.S: the first instructions of the guest OS.
# OpenSBI (natively) or hv6 (as a VM) enters here in S-mode at 0x80200000
# with a0 = hart id and a1 = physical address of the device tree
# (SBI spec v2.0 §4.9 / Linux boot protocol for RISC-V).
# We set up a stack, clear BSS (a raw guest.bin has no BSS contents, and
# an ELF loader may not zero it), and call main(hartid, fdt).

#include "guest-os/param.h"

.section .text.entry
.globl _entry
_entry:
        # No trap handler yet: keep interrupts off until trapinit().
        csrw    sie, zero
        csrw    sscratch, zero
        la      sp, stack0
        li      t0, KSTACKSIZE
        add     sp, sp, t0
        la      t0, bss
        la      t1, ebss
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      call    main
        # main never returns; spin if it does.
3:      wfi
        j       3b

.section .bss
.balign 16
.globl stack0
stack0:
        .space  KSTACKSIZE
