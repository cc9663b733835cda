// vplic.c: the guest's platform-level interrupt controller, emulated at
// VPLIC_BASE (RISC-V PLIC spec v1.0.0), with the two contexts of QEMU
// virt's hart 0: context 0 = M-mode (its registers work, but nothing is
// wired to it, as the guest never runs in M-mode) and context 1 = S-mode,
// whose interrupt line is the guest's VSEIP (hvip.VSEIP).
//
//   offset                     register                        access
//   0x000000 + 4*i             priority of source i (0..7)     rw (source 0: 0)
//   0x001000 + 4*w             pending bits 32w..32w+31        ro
//   0x002000 + 0x80*c + 4*w    enables of context c            rw (source 0: 0)
//   0x200000 + 0x1000*c        priority threshold of c (0..7)  rw
//   0x200004 + 0x1000*c        claim (read) / complete (write)
//
// Interrupt sources are level-triggered, as QEMU's devices are: a device
// model calls vplic_set_level(vm, irq, level) whenever its line may have
// changed. The gateway (spec §5) turns a high line into one pending
// request; claiming it (the claim register returns the highest-priority
// pending enabled source with priority > 0, ties to the lowest ID) clears
// it and closes the gateway until the guest writes the same ID to the
// complete register; a line still high then raises a new request. Only
// 32-bit accesses reach registers; other widths and holes read 0 and
// ignore writes. All state is in struct vplic (hyp.h), plain words, so
// snapshots save it as it is.
#include "hyp/hyp.h"

#if LAB >= 3

#define PRIO_MASK       7              // 3 priority bits, as QEMU virt's PLIC
#define OFF_PENDING     0x1000UL
#define OFF_ENABLE      0x2000UL
#define ENABLE_STRIDE   0x80UL
#define OFF_CONTEXT     0x200000UL
#define CONTEXT_STRIDE  0x1000UL
#define S_CONTEXT       1

static int bit(const u32 *w, u32 i) { return (w[i / 32] >> (i % 32)) & 1; }
static void setbit(u32 *w, u32 i, int on)
{
  if (on)
    w[i / 32] |= 1U << (i % 32);
  else
    w[i / 32] &= ~(1U << (i % 32));
}

// Bits of the last word beyond VPLIC_NDEV, and source 0, do not exist.
static u32 valid_mask(u32 word)
{
  u32 m = ~0U;
  if (word == 0)
    m &= ~1U;
  u32 first = word * 32;
  if (first + 32 > VPLIC_NDEV + 1)
    m &= (1U << (VPLIC_NDEV + 1 - first)) - 1;
  return m;
}

#if SOL >= 3
// The best request context c could claim: pending, enabled, priority >
// min. It runs after every UART access, so it skips words with nothing
// pending and enabled instead of testing every source.
static u32 best(struct vplic *p, int c, u32 min)
{
  u32 id = 0, prio = min;
  for (u32 w = 0; w < VPLIC_WORDS; w++) {
    u32 cand = p->pending[w] & p->enable[c][w];
    for (u32 i = w * 32; cand; i++, cand >>= 1)
      if ((cand & 1) && p->priority[i] > prio) {
        prio = p->priority[i];
        id = i;
      }
  }
  return id;
}

// The S-context's interrupt line: a request above its threshold.
int vplic_s_eip(struct vplic *p)
{
  return best(p, S_CONTEXT, p->threshold[S_CONTEXT]) != 0;
}

// Recompute the guest's external interrupt after any change.
static void update(struct vm *vm)
{
  vcpu_set_irq(&vm->vcpu, HIP_VSEIP, vplic_s_eip(&vm->vplic));
}

// The gateway: a high line becomes a request unless one is pending or in
// service; a line that drops before the claim withdraws its request.
static void gateway(struct vplic *p, u32 irq)
{
  if (bit(p->claimed, irq))
    return;
  setbit(p->pending, irq, bit(p->level, irq));
}

void vplic_set_level(struct vm *vm, u32 irq, int level)
{
  struct vplic *p = &vm->vplic;
  if (irq == 0 || irq > VPLIC_NDEV)
    return;
  if (bit(p->level, irq) == (level != 0))
    return;                       // no edge: nothing can change
  setbit(p->level, irq, level != 0);
  gateway(p, irq);
  update(vm);
}

static u32 claim(struct vplic *p, int c)
{
  u32 id = best(p, c, 0);
  if (id) {
    setbit(p->pending, id, 0);
    setbit(p->claimed, id, 1);
  }
  return id;
}

// A completion for a source not enabled for this context is ignored
// (spec §9: "silently ignored"), as is one for a source not in service.
static void complete(struct vplic *p, int c, u32 id)
{
  if (id == 0 || id > VPLIC_NDEV || !bit(p->enable[c], id) || !bit(p->claimed, id))
    return;
  setbit(p->claimed, id, 0);
  gateway(p, id);
}

u64 vplic_read(struct vm *vm, u64 off, int width)
{
  struct vplic *p = &vm->vplic;
  if (width != 4)
    return 0;
  if (off < OFF_PENDING)
    return off / 4 <= VPLIC_NDEV ? p->priority[off / 4] : 0;
  if (off < OFF_ENABLE)
    return (off - OFF_PENDING) / 4 < VPLIC_WORDS ? p->pending[(off - OFF_PENDING) / 4] : 0;
  if (off < OFF_ENABLE + ENABLE_STRIDE * VPLIC_CONTEXTS) {
    u64 c = (off - OFF_ENABLE) / ENABLE_STRIDE, w = (off - OFF_ENABLE) % ENABLE_STRIDE / 4;
    return w < VPLIC_WORDS ? p->enable[c][w] : 0;
  }
  if (off >= OFF_CONTEXT && off < OFF_CONTEXT + CONTEXT_STRIDE * VPLIC_CONTEXTS) {
    u64 c = (off - OFF_CONTEXT) / CONTEXT_STRIDE, r = (off - OFF_CONTEXT) % CONTEXT_STRIDE;
    if (r == 0)
      return p->threshold[c];
    if (r == 4) {
      u32 id = claim(p, c);
      update(vm);
      return id;
    }
  }
  return 0;
}

void vplic_write(struct vm *vm, u64 off, int width, u64 val)
{
  struct vplic *p = &vm->vplic;
  if (width != 4)
    return;
  if (off < OFF_PENDING) {
    if (off / 4 >= 1 && off / 4 <= VPLIC_NDEV)
      p->priority[off / 4] = val & PRIO_MASK;
  } else if (off >= OFF_ENABLE && off < OFF_ENABLE + ENABLE_STRIDE * VPLIC_CONTEXTS) {
    u64 c = (off - OFF_ENABLE) / ENABLE_STRIDE, w = (off - OFF_ENABLE) % ENABLE_STRIDE / 4;
    if (w < VPLIC_WORDS)
      p->enable[c][w] = val & valid_mask(w);
  } else if (off >= OFF_CONTEXT && off < OFF_CONTEXT + CONTEXT_STRIDE * VPLIC_CONTEXTS) {
    u64 c = (off - OFF_CONTEXT) / CONTEXT_STRIDE, r = (off - OFF_CONTEXT) % CONTEXT_STRIDE;
    if (r == 0)
      p->threshold[c] = val & PRIO_MASK;
    else if (r == 4)
      complete(p, c, (u32)val);
  }
  update(vm);                     // pending bits are read-only
}
#else
// Lab 3: the registers in the table above, the gateway (vplic_set_level,
// claim, complete) and the S-context's line to hvip.VSEIP (vcpu_set_irq).
// Until then the vPLIC remembers the lines and never interrupts.
int vplic_s_eip(struct vplic *p)
{
  (void)p;
  return 0;
}

void vplic_set_level(struct vm *vm, u32 irq, int level)
{
  if (irq >= 1 && irq <= VPLIC_NDEV)
    setbit(vm->vplic.level, irq, level != 0);
}

u64 vplic_read(struct vm *vm, u64 off, int width)
{
  (void)vm, (void)off, (void)width, (void)valid_mask, (void)bit;
  return 0;
}

void vplic_write(struct vm *vm, u64 off, int width, u64 val)
{
  (void)vm, (void)off, (void)width, (void)val;
}
#endif

static u64 bus_read(void *opaque, u64 off, int width)
{
  return vplic_read(opaque, off, width);
}

static void bus_write(void *opaque, u64 off, int width, u64 val)
{
  vplic_write(opaque, off, width, val);
}

// The vPLIC at power-on: everything zero, registered on the VM's bus.
void vplic_init(struct vm *vm)
{
  static struct mmio_dev dev = {
    .name = "plic", .base = VPLIC_BASE, .size = VPLIC_SIZE,
    .read = bus_read, .write = bus_write,
  };
  memset(&vm->vplic, 0, sizeof(vm->vplic));
  dev.opaque = vm;
  mmio_register(vm, &dev);
}

#endif
