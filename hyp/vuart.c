// vuart.c: the guest's console UART, an emulated ns16550a at VUART_BASE
// (DESIGN.md §1), registers one byte apart as on QEMU's virt board. The
// guest reaches it through the MMIO bus (mmio.c): every load or store in
// the window is one call of vuart_read / vuart_write here.
//
//   off  DLAB=0 read  DLAB=0 write   DLAB=1
//    0   RBR          THR            DLL   divisor latch, low byte
//    1   IER          IER            DLM   divisor latch, high byte
//    2   IIR          FCR
//    3   LCR          LCR
//    4   MCR          MCR
//    5   LSR          (ignored)
//    6   MSR          (ignored)
//    7   SCR          SCR
//
// Transmit is instant: a byte written to THR goes straight to the host
// console, so LSR always shows THRE|TEMT. Receive: a 16-byte FIFO, filled
// from the host console (console_getc, through vm_getc so the monitor's
// escape key works) whenever the guest looks at RBR or LSR.
//
// Interrupts (lab 3): IIR always tells which condition is pending, as on
// the real chip; vuart_irq_pending() is the level of the UART's interrupt
// line (IRQ VUART_IRQ), which the vPLIC samples. Until lab 3 nothing
// samples it, so a lab-2 guest polls.
//
// All of the device's state is in struct vuart (hyp.h), plain bytes and
// no pointers, so a snapshot can save and restore it as it is.
#include "hyp/hyp.h"

#if LAB >= 2

#define IER_ERBFI  0x01   // received data available
#define IER_ETBEI  0x02   // transmit holding register empty
#define IER_ELSI   0x04   // receiver line status
#define IER_EDSSI  0x08   // modem status
#define IER_MASK   0x0f

#define IIR_NONE   0x01   // no interrupt pending
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_FIFO   0xc0   // FIFOs enabled

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB   0x80
#define MCR_MASK   0x1f
#define MCR_LOOP   0x10

#define LSR_DR     0x01   // data ready
#define LSR_OE     0x02   // overrun error
#define LSR_THRE   0x20
#define LSR_TEMT   0x40

#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80

// Receive FIFO helpers (given to the student: the lab is the registers).
__attribute__((unused)) static void rx_push(struct vuart *u, u8 c)
{
  if (u->rx_count >= VUART_FIFO) {
    u->lsr_err |= LSR_OE;        // the byte is lost, as on the real chip
    return;
  }
  u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = c;
  u->rx_count++;
}

__attribute__((unused)) static int rx_pop(struct vuart *u)
{
  if (u->rx_count == 0)
    return 0;
  u8 c = u->rx[u->rx_head % VUART_FIFO];
  u->rx_head = (u->rx_head + 1) % VUART_FIFO;
  u->rx_count--;
  return c;
}

// Take what fits of the host console's input into the FIFO. (Out of
// line: inlined, its loop's registers would be saved and restored on
// every LSR read, which nearly always finds no input.)
static __attribute__((noinline)) void rx_fill(struct vm *vm)
{
  struct vuart *u = &vm->vuart;
  while (u->rx_count < VUART_FIFO) {
    int c = vm_getc(vm);
    if (c < 0)
      break;
    rx_push(u, c);
  }
}

// Move host console input into the FIFO (not in loopback mode, where the
// receiver hears only the transmitter). Every RBR and LSR read asks, and
// nearly always console_ready() answers "nothing" at once.
void vuart_poll(struct vm *vm)
{
  if (!(vm->vuart.mcr & MCR_LOOP) && console_ready())
    rx_fill(vm);
}

#if SOL >= 2
// The highest-priority pending, enabled condition, as IIR's low bits
// report it; IIR_NONE if there is none.
static u8 pending_id(struct vuart *u)
{
  if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_OE))
    return IIR_RLSI;
  if ((u->ier & IER_ERBFI) && u->rx_count > 0)
    return IIR_RDI;
  if ((u->ier & IER_ETBEI) && u->thr_ipending)
    return IIR_THRI;
  return IIR_NONE;
}

// What IIR reads: that, and whether the FIFOs are on.
static u8 vuart_iir(struct vuart *u)
{
  return pending_id(u) | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

static u8 vuart_lsr(struct vuart *u)
{
  return LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0);
}

// Loopback wires MCR's outputs to MSR's inputs (DTR->DSR, RTS->CTS,
// OUT1->RI, OUT2->DCD); otherwise the line looks connected: DCD|DSR|CTS.
static u8 vuart_msr(struct vuart *u)
{
  if (!(u->mcr & MCR_LOOP))
    return MSR_DCD | MSR_DSR | MSR_CTS;
  return ((u->mcr & 0x01) ? MSR_DSR : 0) | ((u->mcr & 0x02) ? MSR_CTS : 0) |
         ((u->mcr & 0x04) ? MSR_RI : 0) | ((u->mcr & 0x08) ? MSR_DCD : 0);
}

// (inline: a guest's one-byte read, read_byte below, then runs in one
// stack frame)
static inline u8 reg_read(struct vm *vm, u64 off)
{
  struct vuart *u = &vm->vuart;
  int dlab = u->lcr & LCR_DLAB;
  // LSR, the register drivers poll (before every byte they send), by
  // itself: it need not go through the switch's jump table.
  if (off == 5) {
    vuart_poll(vm);
    u8 lsr = vuart_lsr(u);
    u->lsr_err = 0;               // error bits clear when read
    return lsr;
  }
  switch (off) {
  case 0:
    if (dlab)
      return u->dll;
    vuart_poll(vm);
    return rx_pop(u);
  case 1:
    return dlab ? u->dlm : u->ier;
  case 2: {
    u8 iir = vuart_iir(u);
    if ((iir & 0x0f) == IIR_THRI)
      u->thr_ipending = 0;        // reading IIR acknowledges THRE
    return iir;
  }
  case 3:
    return u->lcr;
  case 4:
    return u->mcr;
  case 6:
    return vuart_msr(u);
  case 7:
    return u->scr;
  }
  return 0;
}

static void reg_write(struct vm *vm, u64 off, u8 val)
{
  struct vuart *u = &vm->vuart;
  int dlab = u->lcr & LCR_DLAB;
  switch (off) {
  case 0:
    if (dlab) {
      u->dll = val;
      break;
    }
    if (u->mcr & MCR_LOOP)
      rx_push(u, val);
    else
      uart_putc(val);
    u->thr_ipending = 1;          // sent at once: THR is empty again
    break;
  case 1:
    if (dlab) {
      u->dlm = val;
      break;
    }
    // Enabling THRE interrupts with THR empty raises one (as 8250s do).
    if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
      u->thr_ipending = 1;
    u->ier = val & IER_MASK;
    break;
  case 2:
    if (val & FCR_CLEAR_RX) {
      u->rx_head = u->rx_count = 0;
    }
    u->fcr = val & FCR_ENABLE;
    break;
  case 3:
    u->lcr = val;
    break;
  case 4:
    u->mcr = val & MCR_MASK;
    break;
  case 7:
    u->scr = val;
    break;
  }                               // LSR, MSR: read-only
}

int vuart_irq_pending(struct vuart *u)
{
  return pending_id(u) != IIR_NONE;
}
#else
// Lab 2: the registers. reg_read(vm, off) and reg_write(vm, off, val) for
// off 0..7, as the table at the top of this file says; rx_pop/rx_push and
// vuart_poll are there for RBR and LSR.
// (One report per access: a wide one reaches these once per byte.)
static u8 reg_read(struct vm *vm, u64 off)
{
  if (vm->state != VM_RUNNING)
    return 0xff;
  vm_stop(vm, "guest read UART register %ld: not emulated (lab 2: hyp/vuart.c)", off);
  vm_hint("reg_read is still the lab-2 stub: the register table at the top of "
          "hyp/vuart.c says what register %ld reads as", off);
  return 0xff;
}

static void reg_write(struct vm *vm, u64 off, u8 val)
{
  if (vm->state != VM_RUNNING)
    return;
  vm_stop(vm, "guest wrote 0x%x to UART register %ld: not emulated (lab 2: hyp/vuart.c)",
          val, off);
  vm_hint("reg_write is still the lab-2 stub: the register table at the top of "
          "hyp/vuart.c says what a write to register %ld does", off);
}

int vuart_irq_pending(struct vuart *u)
{
  (void)u;
  return 0;
}
#endif

#if LAB >= 3
// Lab 3: the UART's interrupt line goes to the vPLIC after every access
// (any register access may change what is pending), and when host console
// input arrives (hyp/irq.c): a guest that waits for input by interrupt
// (IER.ERBFI) gets it moved into the receive FIFO at once. Nearly every
// access leaves the line as it was (a status poll reads LSR over and
// over): then the vPLIC, which has that level already, is left alone.
void vuart_update_irq(struct vm *vm)
{
  int level = vuart_irq_pending(&vm->vuart);
  if (level != vplic_level(&vm->vplic, VUART_IRQ))
    vplic_set_level(vm, VUART_IRQ, level);
}

void vuart_input(struct vm *vm)
{
  if (vm->vuart.ier & IER_ERBFI)
    vuart_poll(vm);
  vuart_update_irq(vm);
}
#endif

// One register access, as the guest's driver makes them (a status poll
// is one lbu of LSR after another). Each may change what is pending.
static u8 read_byte(struct vm *vm, u64 off)
{
  u8 val = off < VUART_REGS ? reg_read(vm, off) : 0;
#if LAB >= 3
  vuart_update_irq(vm);
#endif
  return val;
}

static void write_byte(struct vm *vm, u64 off, u8 val)
{
  if (off < VUART_REGS)
    reg_write(vm, off, val);
#if LAB >= 3
  vuart_update_irq(vm);
#endif
}

// The bus hands us any width 1/2/4/8 at an aligned offset inside the
// 8-byte window. Like QEMU's serial device, a wide access is a run of
// byte accesses to consecutive registers, least significant byte first.
// Drivers make one-byte accesses: the runs are kept out of line
// (noinline), or their loop's registers would be saved and restored on
// every one-byte access too.
static __attribute__((noinline)) u64 read_run(struct vm *vm, u64 off, int width)
{
  u64 val = 0;
  for (int i = 0; i < width && i < 8; i++)
    val |= (u64)read_byte(vm, off + i) << (8 * i);
  return val;
}

static __attribute__((noinline)) void write_run(struct vm *vm, u64 off, int width, u64 val)
{
  for (int i = 0; i < width && i < 8; i++)
    write_byte(vm, off + i, val >> (8 * i));
}

static u64 vuart_read(void *opaque, u64 off, int width)
{
  if (width == 1)
    return read_byte(opaque, off);
  return read_run(opaque, off, width);
}

static void vuart_write(void *opaque, u64 off, int width, u64 val)
{
  if (width == 1)
    write_byte(opaque, off, val);
  else
    write_run(opaque, off, width, val);
}

// The device as it is at power-on, registered on the VM's bus. The window
// is the 8 registers (QEMU's serial-mm region); the rest of the device
// tree's 0x100 bytes is unassigned and faults, as on the real board.
void vuart_init(struct vm *vm)
{
  static struct mmio_dev dev = {
    .name = "uart", .base = VUART_BASE, .size = VUART_REGS,
    .read = vuart_read, .write = vuart_write,
  };
  memset(&vm->vuart, 0, sizeof(vm->vuart));
  dev.opaque = vm;
  mmio_register(vm, &dev);
}

#endif
