// console.c: host console input. Characters arrive from the UART (by
// interrupt, or polled when interrupts are not on yet) into a small ring;
// hyp/ takes them from here for the guest's SBI getchar, the virtual
// UART and the monitor.
#include "kernel/defs.h"
#include "kernel/param.h"

static char ring[CONSOLE_RXBUF];
static u32 head, tail;   // head: next to read; tail: next to write
static int escape;       // CONSOLE_ESCAPE was typed (the monitor's key)
static int by_intr;      // the UART interrupts on input: no need to poll it

// Move everything the UART holds into the ring (drops input when full,
// like a real terminal line with no flow control).
void console_intr(void)
{
  int c;
  while ((c = uart_getc()) >= 0) {
    if (c == CONSOLE_ESCAPE)
      escape = 1;
    else if (tail - head < CONSOLE_RXBUF)
      ring[tail++ % CONSOLE_RXBUF] = c;
  }
}

// Input arrives by interrupt once console_intr_on() has run: whoever
// takes the UART's interrupt calls console_intr (hyp/irq.c, the monitor).
// Before that (or with no PLIC) read the UART here. Not polling matters:
// the guest's UART looks for input on every LSR read.
void console_intr_on(void)
{
  uart_enable_rx_intr();
  by_intr = 1;
}

// Is there anything to read, or an escape key to notice? Cheap, for
// the guest UART's status reads.
int console_ready(void)
{
  if (!by_intr)
    console_intr();
  return head != tail || escape;
}

int console_getc(void)
{
  if (head == tail && !by_intr)
    console_intr();
  if (head == tail)
    return -1;
  return (u8)ring[head++ % CONSOLE_RXBUF];
}

// Was the escape key typed since the last call? (It never enters the
// ring, so whoever reads input -- guest or monitor -- never sees it.)
// Cheap enough for every exit: the host UART's interrupt (or the next
// console_getc) is what notices the key.
int console_escape(void)
{
  int e = escape;
  escape = 0;
  return e;
}
