// snapdev.c: the device models' part of a snapshot (lab 5). One entry
// per device: how big its saved state is, how to copy it out, how to
// check a saved copy without touching anything (restore validates the
// whole snapshot before it changes the VM), and how to load it.
//
// Every device model keeps its guest-visible state in plain bytes (no
// pointers), so saving is a copy. Devices are quiescent between exits:
// the UART and the vPLIC have no background activity, and the virtio-blk
// model serves each request synchronously inside the QUEUE_NOTIFY exit,
// so no disk request is ever in flight when the monitor runs -- there is
// nothing to drain. (A device model with asynchronous requests would have
// to complete or cancel them here before saving.)
#include "hyp/hyp.h"
#if LAB >= 5
#include "hyp/snapdev.h"

// ---- the ns16550a (vuart.c, struct vuart in hyp.h) ----
static u64 uart_save(struct vm *vm, void *buf)
{
  memcpy(buf, &vm->vuart, sizeof(vm->vuart));
  return sizeof(vm->vuart);
}

static const char *uart_check(struct vm *vm, const void *buf)
{
  (void)vm;
  const struct vuart *u = buf;
  if (u->rx_head >= VUART_FIFO || u->rx_count > VUART_FIFO)
    return "UART receive FIFO indices out of range";
  return 0;
}

static void uart_load(struct vm *vm, const void *buf)
{
  memcpy(&vm->vuart, buf, sizeof(vm->vuart));
}

#if LAB >= 3
// ---- the virtual PLIC (vplic.c, struct vplic in hyp.h) ----
// Line levels are part of it, so the devices' interrupt outputs come back
// with it; VSEIP is recomputed from the restored state.
static u64 plic_save(struct vm *vm, void *buf)
{
  memcpy(buf, &vm->vplic, sizeof(vm->vplic));
  return sizeof(vm->vplic);
}

static const char *plic_check(struct vm *vm, const void *buf)
{
  (void)vm;
  const struct vplic *p = buf;
  // source 0 and sources past VPLIC_NDEV do not exist: their bits are 0
  u32 last = 0xffffffffU >> (31 - VPLIC_NDEV % 32);
  const u32 *sets[] = { p->level, p->pending, p->claimed, p->enable[0], p->enable[1] };
  for (u64 i = 0; i < NELEM(sets); i++)
    if ((sets[i][0] & 1) || (sets[i][VPLIC_WORDS - 1] & ~last))
      return "vPLIC state names interrupt sources that do not exist";
  return 0;
}

static void plic_load(struct vm *vm, const void *buf)
{
  memcpy(&vm->vplic, buf, sizeof(vm->vplic));
  vcpu_set_irq(&vm->vcpu, HIP_VSEIP, vplic_s_eip(&vm->vplic));
}
#endif

#if LAB >= 4
// ---- the virtio-blk device (virtio_mmio.c, virtio_blk.c) ----
static u64 vblk_save(struct vm *vm, void *buf)
{
  memcpy(buf, &vm->vblk.st, sizeof(vm->vblk.st));
  return sizeof(vm->vblk.st);
}

static const char *vblk_check(struct vm *vm, const void *buf)
{
  const struct vblk_state *s = buf;
  if (s->status > 0xff)
    return "virtio status out of range";
  if (s->vq.num > VQ_NUM_MAX || (s->vq.num & (s->vq.num - 1)))
    return "virtio queue size invalid";
  if (s->vq.ready && (s->vq.num == 0 || !gmem_is_ram(vm, s->vq.desc, 16UL * s->vq.num) ||
                      !gmem_is_ram(vm, s->vq.driver, 6 + 2UL * s->vq.num) ||
                      !gmem_is_ram(vm, s->vq.device, 6 + 8UL * s->vq.num)))
    return "virtio queue outside guest RAM";
  return 0;
}

static void vblk_load(struct vm *vm, const void *buf)
{
  vblkdev_restore(&vm->vblk, buf);
}
#endif

const struct snapdev snapdevs[] = {
  { SEC_UART, 1, sizeof(struct vuart), "uart", uart_save, uart_check, uart_load },
#if LAB >= 3
  { SEC_PLIC, 1, sizeof(struct vplic), "vPLIC", plic_save, plic_check, plic_load },
#endif
#if LAB >= 4
  { SEC_VIRTIO, 1, sizeof(struct vblk_state), "virtio-blk", vblk_save, vblk_check, vblk_load },
#endif
};
const int nsnapdevs = NELEM(snapdevs);
#endif
