// irq.c: host external interrupts that arrive while the guest runs
// (scause = supervisor external interrupt). Claim each from the host
// PLIC, let its driver run, and pass what the guest should see on to the
// device models.
#include "hyp/hyp.h"

void hostirq_handle(struct vcpu *v)
{
  (void)v;
  u32 irq;
  while ((irq = plic_claim()) != 0) {
    if (irq == platform.uart_irq) {
      console_intr();
#if LAB >= 3
      vuart_input(v->vm);        // host console input -> the guest's UART
#endif
    }
    plic_complete(irq);
  }
}
