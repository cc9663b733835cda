// uart.h: ns16550a register numbers and bits (as in the TI PC16550D data
// sheet; QEMU's virt board has one at 0x10000000 with registers 1 byte apart).
#pragma once

#define UART_RBR  0   // receive buffer (read, DLAB = 0)
#define UART_THR  0   // transmit holding (write, DLAB = 0)
#define UART_DLL  0   // divisor latch low (DLAB = 1)
#define UART_IER  1   // interrupt enable (DLAB = 0)
#define UART_DLM  1   // divisor latch high (DLAB = 1)
#define UART_IIR  2   // interrupt identification (read)
#define UART_FCR  2   // FIFO control (write)
#define UART_LCR  3   // line control
#define UART_MCR  4   // modem control
#define UART_LSR  5   // line status
#define UART_MSR  6   // modem status
#define UART_SCR  7   // scratch

#define UART_LCR_DLAB  0x80   // divisor latch access
#define UART_LCR_8N1   0x03
#define UART_LSR_DR    0x01   // data ready
#define UART_LSR_THRE  0x20   // transmit holding register empty
#define UART_IER_MASK  0x0f   // the four defined enable bits
