// console.c: host console input. Characters arrive from the UART (by
// interrupt, or polled when interrupts are not on yet) into a small ring;
// hyp/ takes them from here for the guest's SBI getchar, the virtual
// UART and the monitor.
#include "kernel/defs.h"
#include "kernel/param.h"

static char ring[CONSOLE_RXBUF];
static u32 head, tail;   // head: next to read; tail: next to write
static int escape;       // CONSOLE_ESCAPE was typed (the monitor's key)

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

int console_getc(void)
{
  if (head == tail)
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
