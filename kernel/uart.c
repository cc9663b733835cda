// uart.c: the host's console, a real ns16550a (QEMU virt: 0x10000000,
// base from the device tree). Polled output; input by interrupt once
// uart_enable_rx_intr() runs, else polled by console_getc().
#include "kernel/defs.h"

#define RBR 0   // receive buffer (read)
#define THR 0   // transmit holding (write)
#define IER 1   // interrupt enable
#define FCR 2   // FIFO control (write)
#define LCR 3   // line control
#define LSR 5   // line status
#define IER_RX    0x01
#define FCR_FIFO_ENABLE 0x01
#define FCR_FIFO_CLEAR  0x06
#define LCR_8N1   0x03
#define LSR_DR    0x01  // data ready
#define LSR_THRE  0x20  // transmit holding register empty

static volatile u8 *uart;

static inline u8 reg_read(int r) { return uart[r]; }
static inline void reg_write(int r, u8 v) { uart[r] = v; }

void uart_init(u64 base)
{
  uart = (volatile u8 *)base;
  reg_write(IER, 0);
  reg_write(LCR, LCR_8N1);
  reg_write(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
}

void uart_enable_rx_intr(void)
{
  reg_write(IER, IER_RX);
}

void uart_putc(int c)
{
  if (uart == 0)
    return;
  if (c == '\n')
    uart_putc('\r');
  while ((reg_read(LSR) & LSR_THRE) == 0)
    ;
  reg_write(THR, c);
}

int uart_getc(void)
{
  if (uart == 0 || (reg_read(LSR) & LSR_DR) == 0)
    return -1;
  return reg_read(RBR);
}
