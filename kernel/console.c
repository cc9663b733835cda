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

// 0 while console_ready() would say "nothing" without looking: the ring
// is empty, no escape key, input comes by interrupt. (One word for the
// inline console_ready in defs.h: every guest UART status read asks.)
int console_waiting = 1;

static void update_waiting(void)
{
  console_waiting = !by_intr || head != tail || escape;
}

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
  update_waiting();
}

// Input arrives by interrupt once console_intr_on() has run: whoever
// takes the UART's interrupt calls console_intr (hyp/irq.c, the monitor).
// Before that (or with no PLIC) read the UART here. Not polling matters:
// the guest's UART looks for input on every LSR read.
void console_intr_on(void)
{
  uart_enable_rx_intr();
  by_intr = 1;
  update_waiting();
}

// Is there anything to read, or an escape key to notice? (console_ready
// in defs.h calls this only when console_waiting says it may be so.)
int console_check(void)
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
  int c = (u8)ring[head++ % CONSOLE_RXBUF];
  update_waiting();
  return c;
}

// Was the escape key typed since the last call? (It never enters the
// ring, so whoever reads input -- guest or monitor -- never sees it.)
// Cheap enough for every exit: the host UART's interrupt (or the next
// console_getc) is what notices the key.
int console_escape(void)
{
  int e = escape;
  escape = 0;
  update_waiting();
  return e;
}
