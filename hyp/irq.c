// irq.c: host external interrupts that arrive while the guest runs
// (scause = supervisor external interrupt). Claim each from the host
// PLIC, let its driver run, and pass what the guest should see on to the
// device models.
#include "hyp/hyp.h"

void hostirq_handle(struct vcpu *v)
{
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
  if (!uart)
    return;
  // After the completion, as the monitor waits for the UART's next
  // interrupt. The escape key can only arrive here (input comes by
  // interrupt), so this is where the monitor opens; vm_getc checks too.
  if (console_escape() && v->vm->state == VM_RUNNING)
    monitor_run(v->vm, "escape");
#if LAB >= 3
  vuart_input(v->vm);            // host console input -> the guest's UART
#endif
}
