// test_vuart.c: the emulated ns16550a of hyp/vuart.c (lab 2), driven
// through the mmio_dev callbacks exactly as mmio.c calls them: register
// behaviour as the 8250 drivers expect, and every offset x width x value a
// guest can produce handled without harm.
// SOURCES: hyp/vuart.c
// LAB: 2
#include "hyp/hyp.h"
#include "tests/check.h"
#include <string.h>

// ---- fakes ----
static const struct mmio_dev *dev;
static char input[64];
static int in_pos, in_len;
static char output[256];
static int out_len, stops;

void mmio_register(struct vm *vm, const struct mmio_dev *d)
{
  (void)vm;
  dev = d;
}

int vm_getc(struct vm *vm)
{
  (void)vm;
  return in_pos < in_len ? (u8)input[in_pos++] : -1;
}

int console_waiting = 1;        // so that console_ready asks console_check

int console_check(void)
{
  return in_pos < in_len;
}

void uart_putc(int c)
{
  if (out_len < (int)sizeof(output))
    output[out_len++] = c;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
  (void)fmt;
  vm->state = VM_STOPPED;
  stops++;
}

void vm_hint(const char *fmt, ...)
{
  (void)fmt;
}

#if LAB >= 3
// The line as the vPLIC sees it: irq_level, and the level bit the real
// vPLIC keeps (vuart.c asks vplic_level before it calls).
static int irq_level = -1;
void vplic_set_level(struct vm *vm, u32 irq, int level)
{
  u32 bit = 1U << (irq % 32);
  if (irq == VUART_IRQ)
    irq_level = level;
  if (level)
    vm->vplic.level[irq / 32] |= bit;
  else
    vm->vplic.level[irq / 32] &= ~bit;
}
#endif

static struct vm vm;

static u8 rd(u64 off) { return dev->read(dev->opaque, off, 1); }
static void wr(u64 off, u8 v) { dev->write(dev->opaque, off, 1, v); }

static void type(const char *s)
{
  strcpy(input, s);
  in_pos = 0;
  in_len = strlen(s);
}

static void test_reset_and_regs(void)
{
  CHECK(dev && dev->base == VUART_BASE && dev->size == 8, "registered at 0x10000000, 8 bytes");
  CHECK(rd(5) == 0x60, "LSR at reset: THRE|TEMT (0x%x)", rd(5));
  CHECK((rd(2) & 0x0f) == 0x01, "IIR at reset: nothing pending");
  CHECK(rd(1) == 0 && rd(3) == 0 && rd(4) == 0, "IER, LCR, MCR 0 at reset");
  CHECK((rd(6) & 0xf0) == 0xb0, "MSR: DCD|DSR|CTS (0x%x)", rd(6));
  wr(7, 0x5a);
  CHECK(rd(7) == 0x5a, "SCR");
  wr(3, 0x1b);
  CHECK(rd(3) == 0x1b, "LCR");
  wr(1, 0xff);
  CHECK(rd(1) == 0x0f, "IER keeps 4 bits");
  wr(1, 0);
  wr(4, 0xff);
  CHECK(rd(4) == 0x1f, "MCR keeps 5 bits");
  wr(4, 0);
  // Divisor latch behind DLAB, and THR/IER untouched by it.
  wr(3, 0x83);
  wr(0, 0x34);
  wr(1, 0x12);
  CHECK(rd(0) == 0x34 && rd(1) == 0x12, "DLL/DLM");
  CHECK(out_len == 0, "a DLL write is not transmitted");
  wr(3, 0x03);
  CHECK(rd(1) == 0, "IER after DLAB off is IER, not DLM");
  // FIFO enable shows in IIR's top bits.
  wr(2, 0x07);
  CHECK((rd(2) & 0xc0) == 0xc0, "IIR shows FIFOs enabled");
  wr(2, 0);
  CHECK((rd(2) & 0xc0) == 0, "FIFOs off");
}

static void test_tx_rx(void)
{
  out_len = 0;
  wr(0, 'h');
  wr(0, 'i');
  CHECK(out_len == 2 && output[0] == 'h' && output[1] == 'i', "THR goes to the console");
  type("ab");
  CHECK(rd(5) & 0x01, "LSR.DR with input typed");
  CHECK(rd(0) == 'a' && rd(0) == 'b', "RBR in order");
  CHECK(!(rd(5) & 0x01), "LSR.DR clear when drained");
  CHECK(rd(0) == 0, "RBR when empty reads 0");
  // More input than the FIFO holds: the rest waits in the host console's
  // ring (vuart_poll takes only what fits), so nothing is lost.
  type("0123456789abcdefXYZ");
  u8 lsr = rd(5);
  CHECK((lsr & 0x03) == 0x01, "19 bytes typed: data ready, no overrun (LSR 0x%x)", lsr);
  int n = 0;
  while ((rd(5) & 1) && n < 19) {
    u8 c = rd(0);
    CHECK(c == "0123456789abcdefXYZ"[n], "byte %d: %c", n, c);
    n++;
  }
  CHECK(n == 19, "all 19 bytes arrive (%d)", n);
  in_len = in_pos = 0;
  // FCR bit 1 clears the receive FIFO.
  type("xyz");
  (void)rd(5);
  wr(2, 0x03);
  CHECK(!(rd(5) & 1) || in_pos < in_len, "FCR clear-RX empties the FIFO");
  for (int i = 0; i < 32 && (rd(5) & 1); i++)
    (void)rd(0);
  in_len = in_pos = 0;
}

static void test_interrupts(void)
{
  CHECK(!vuart_irq_pending(&vm.vuart), "no interrupt with IER=0");
  wr(1, 0x02);                                     // THRE interrupt
  CHECK((rd(2) & 0x0f) == 0x02, "IIR: THR empty");
  CHECK((rd(2) & 0x0f) == 0x01, "reading IIR acknowledged THRE");
  wr(0, '.');
  CHECK(vuart_irq_pending(&vm.vuart), "THR write -> THRE again");
  wr(1, 0x01);                                     // RX only
  CHECK(!vuart_irq_pending(&vm.vuart), "RX interrupt without data");
  type("q");
  (void)rd(5);                                     // pulls it into the FIFO
  CHECK(vuart_irq_pending(&vm.vuart) && (rd(2) & 0x0f) == 0x04, "IIR: RX data");
  (void)rd(0);
  CHECK(!vuart_irq_pending(&vm.vuart), "drained");
#if LAB >= 3
  CHECK(irq_level == 0, "the vPLIC line follows (level %d)", irq_level);
#endif
  wr(1, 0);
}

static void test_loopback(void)
{
  out_len = 0;
  wr(4, 0x10 | 0x0a);                              // loop, RTS, OUT2
  CHECK((rd(6) & 0xf0) == 0x90, "loopback MSR: CTS|DCD (0x%x)", rd(6));
  type("z");
  wr(0, 'L');
  CHECK(out_len == 0, "loopback: nothing on the wire");
  CHECK((rd(5) & 1) && rd(0) == 'L', "loopback: THR comes back on RBR");
  CHECK(in_pos == 0, "loopback: the host console is not read");
  // Overrun: 17 bytes looped back without reading -> OE, cleared by an LSR read.
  for (int i = 0; i < 17; i++)
    wr(0, 'a' + i);
  CHECK((rd(5) & 0x03) == 0x03, "17th byte overruns the FIFO");
  CHECK((rd(5) & 0x03) == 0x01, "OE clears when LSR is read");
  for (int i = 0; i < 16; i++)
    CHECK(rd(0) == 'a' + i, "looped byte %d", i);
  CHECK(!(rd(5) & 1), "FIFO empty");
  wr(4, 0);
  in_len = in_pos = 0;
}

static void test_every_access(void)
{
  // Widths 1/2/4/8 at every aligned offset of the window (mmio.c checks
  // alignment), values with all bits; then offsets outside it.
  static const u64 vals[] = { 0, 0xff, 0x80, 0xffffffffffffffffUL, 0x0123456789abcdefUL };
  for (int w = 1; w <= 8; w *= 2)
    for (u64 off = 0; off < 8; off += w)
      for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        dev->write(dev->opaque, off, w, vals[i]);
        u64 r = dev->read(dev->opaque, off, w);
        CHECK(w == 8 || r >> (8 * w) == 0, "width %d read 0x%lx has bits above", w, (unsigned long)r);
      }
  for (u64 off = 8; off < 0x200; off += 3) {
    dev->write(dev->opaque, off, 1, 0xff);
    CHECK(dev->read(dev->opaque, off, 8) == 0, "offset 0x%lx outside the registers", (unsigned long)off);
  }
  dev->write(dev->opaque, ~0UL, 8, ~0UL);
  (void)dev->read(dev->opaque, ~0UL - 7, 8);
  CHECK(stops == 0, "no access stops the VM");
  // A wide read is byte reads of consecutive registers: a 4-byte read at
  // offset 4 is MCR, LSR, MSR, SCR, least significant byte first.
  wr(3, 0x03);
  wr(4, 0);
  wr(7, 0xa5);
  u64 r = dev->read(dev->opaque, 4, 4);
  CHECK((r & 0xff) == 0 && ((r >> 8) & 0x60) == 0x60 && (r >> 24) == 0xa5,
        "4-byte read at 4: MCR LSR MSR SCR = 0x%08lx", (unsigned long)r);
}

int main(void)
{
  vuart_init(&vm);
  test_reset_and_regs();
  test_tx_rx();
  test_interrupts();
  test_loopback();
  test_every_access();
  return check_summary("test_vuart");
}
