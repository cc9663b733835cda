// uart.c: access to the ns16550a UART's registers at the address the
// device tree gave. The console itself goes through SBI; the self-tests
// use this to check the (real or emulated) device's register behaviour.
#include "guest-os/defs.h"
#include "guest-os/uart.h"

int
uart_present(void)
{
  return plat.uart.base != 0;
}

u8
uart_read(int reg)
{
  return *(volatile u8 *)(plat.uart.base + reg);
}

void
uart_write(int reg, u8 v)
{
  *(volatile u8 *)(plat.uart.base + reg) = v;
}
