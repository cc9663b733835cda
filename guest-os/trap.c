// trap.c: what happens after kernelvec.S has saved the registers.
//
// Three kinds of trap reach kerneltrap():
//  - interrupts: dispatched to the handler registered for that interrupt
//    number (trap_set_irq_handler), so drivers added later hook in here;
//  - traps from U-mode: they end the current run_user() (umode.c);
//  - exceptions from S-mode: a self-test may "expect" them
//    (expect_begin/expect_end): the trap is recorded and the faulting
//    instruction skipped. Anything else is a bug: print it in words and
//    power off.
#include "guest-os/defs.h"
#include "guest-os/trap.h"

extern char kernelvec[];
void umode_trap(struct trapframe *tf);

static void (*irq_handler[64])(void);

static struct {
  int armed;
  int count;
  struct trapinfo first;
} expect;

void
trapinit(void)
{
  csr_write(stvec, (u64)kernelvec);
  csr_write(sscratch, 0);
}

void
trap_set_irq_handler(int irq, void (*fn)(void))
{
  irq_handler[irq & 63] = fn;
}

void
expect_begin(void)
{
  expect.count = 0;
  memset(&expect.first, 0, sizeof(expect.first));
  expect.armed = 1;
}

// Stop expecting; return how many traps were taken and the first of them.
int
expect_end(struct trapinfo *first)
{
  expect.armed = 0;
  if (first)
    *first = expect.first;
  return expect.count;
}

// Length of the instruction at pc: 2 if compressed, else 4 (unprivileged
// spec §1.5: the two low bits are 11 for all instructions of 32 bits).
int
insn_length(u64 pc)
{
  return (*(volatile u16 *)pc & 3) == 3 ? 4 : 2;
}

void
kerneltrap(struct trapframe *tf)
{
  if (tf->scause & SCAUSE_INTR) {
    u64 irq = tf->scause & ~SCAUSE_INTR;
    if (irq < NELEM(irq_handler) && irq_handler[irq]) {
      irq_handler[irq]();
      return;
    }
  } else if ((tf->sstatus & SSTATUS_SPP) == 0) {
    umode_trap(tf);
    return;
  } else if (expect.armed) {
    if (expect.count++ == 0)
      expect.first = (struct trapinfo){ tf->scause, tf->stval, tf->sepc, tf->sstatus };
    u64 code = tf->scause;
    if (code == EXC_INST_ACCESS || code == EXC_INST_PAGE_FAULT
        || code == EXC_INST_MISALIGNED) {
      // sepc is the address we could not fetch from, so there is nothing
      // to skip: the tests reach such addresses only by a call, so resume
      // as if the callee had returned at once.
      tf->sepc = tf->x[TF_RA];
    } else {
      tf->sepc += insn_length(tf->sepc);
    }
    return;
  }
  printf("hv6-guest: unexpected trap: scause 0x%lx (%s) sepc 0x%lx stval 0x%lx\n",
         tf->scause, scause_name(tf->scause), tf->sepc, tf->stval);
  sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
}
