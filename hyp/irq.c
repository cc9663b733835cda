// irq.c: host external interrupts that arrive while the guest runs
// (scause = supervisor external interrupt). Claim each from the host
// PLIC, let its driver run, and pass what the guest should see on to the
// device models.
#include "hyp/hyp.h"

void hostirq_handle(struct vcpu *v)
{
  (void)v;
  u32 irq;
  int uart = 0;
  while ((irq = plic_claim()) != 0) {
    if (irq == platform.uart.irq) {
      console_intr();
      uart = 1;
    } else {
      vblk_intr(irq);            // a backing disk: kernel/virtio_blk.c
    }
    plic_complete(irq);
  }
#if LAB >= 3
  // After the completion: this can open the monitor (the escape key, via
  // vm_getc), which then waits for the UART's next interrupt.
  if (uart)
    vuart_input(v->vm);          // host console input -> the guest's UART
#else
  (void)uart;
#endif
}
