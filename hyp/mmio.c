// mmio.c: the MMIO bus. Device models (vuart.c, vplic.c, virtio_mmio.c)
// register a window of guest physical addresses; a guest load or store
// there takes a G-stage fault (nothing is mapped), and mmio_fault decodes
// the instruction, calls the device and writes the result back, as if the
// access had reached a real device. An address that is neither RAM nor a
// device gets the access fault the real board would raise (cause 1/5/7).
#include "hyp/hyp.h"
#include "hyp/decode.h"

#if LAB >= 2
void mmio_register(struct vm *vm, const struct mmio_dev *dev)
{
  if (vm->nmmio >= MMIO_MAX)
    panic("mmio_register: too many devices");
  vm->mmio[vm->nmmio++] = dev;
}

const struct mmio_dev *mmio_find(struct vm *vm, u64 gpa)
{
  // (To the null entry that ends the list: every MMIO exit looks, and
  // this loop needs no count.)
  for (const struct mmio_dev **p = vm->mmio; *p; p++)
    if (gpa >= (*p)->base && gpa - (*p)->base < (*p)->size)
      return *p;
  return 0;
}
#endif

// The access fault matching a guest-page fault's kind (priv spec §8.6.1).
static void access_fault(struct vcpu *v)
{
  u64 cause = v->scause == EXC_INST_GUEST_PAGE_FAULT ? EXC_INST_ACCESS :
              v->scause == EXC_LOAD_GUEST_PAGE_FAULT ? EXC_LOAD_ACCESS :
              EXC_STORE_ACCESS;
  v->vm->exits[EXIT_ACCESS]++;
  // stval keeps the guest virtual address of the access (hstatus.GVA = 1).
  inject_exception(v, cause, v->stval);
}

#if SOL >= 2
// The faulting load/store. htinst, when the hart provides it, is a
// "transformed" standard-size copy whose bit 1 is clear if the original
// was compressed (§8.6.3); otherwise read the instruction itself.
static int mmio_decode(struct vcpu *v, struct mem_insn *m)
{
  u32 insn;
  if (v->htinst != 0 && (v->htinst & 1)) {
    if (decode_mem((u32)v->htinst | 2, m) < 0)
      return -1;
    m->len = (v->htinst & 2) ? 4 : 2;
    return 0;
  }
  if (insn_fetch(v->ctx.sepc, &insn) < 0)
    return -1;
  return decode_mem(insn, m);
}

static void mmio_emulate(struct vcpu *v, const struct mmio_dev *d, u64 gpa)
{
  struct mem_insn m;
  if (mmio_decode(v, &m) < 0) {
    vm_stop(v->vm, "cannot decode the access to device %s at GPA 0x%lx "
            "(guest pc 0x%lx, htinst 0x%lx)", d->name, gpa, v->ctx.sepc, v->htinst);
    vm_hint("decode_mem takes plain loads and stores only: an AMO or FP access to a "
            "device? (a transformed htinst needs bit 1 set to decode, priv spec 8.6.3)");
    return;
  }
  if (gpa % m.width || m.store != (v->scause == EXC_STORE_GUEST_PAGE_FAULT)) {
    access_fault(v);
    return;
  }
  u64 off = gpa - d->base;
  if (m.store) {
    u64 val = vcpu_reg(v, m.reg);
    if (m.width < 8)
      val &= (1UL << (8 * m.width)) - 1;
    d->write(d->opaque, off, m.width, val);
  } else {
    u64 val = d->read(d->opaque, off, m.width);
    vcpu_set_reg(v, m.reg, mem_load_value(&m, val));
  }
  v->vm->exits[EXIT_MMIO]++;
  v->ctx.sepc += m.len;
}
#endif

// Did the fault come from the guest's own VS-stage page-table walk (an
// "implicit" access, priv spec §8.6.3) rather than from the instruction's
// load or store? htinst then holds a pseudoinstruction (bit 0 clear, e.g.
// 0x3000 for a 64-bit PTE read). Cores that leave htinst 0 still give
// it away: an explicit access's GPA has the same page offset as its GVA
// in stval, a PTE's address (almost always) does not.
static int implicit_access(struct vcpu *v, u64 gpa)
{
  if (v->htinst != 0)
    return !(v->htinst & 1);
  return v->stval != 0 && ((gpa ^ v->stval) & (PGSIZE - 1)) != 0;
}

void mmio_fault(struct vcpu *v, u64 gpa)
{
  // A guest page table pointing at a device or at nothing: the walk
  // itself fails, as an access fault of the original access's type.
  if (implicit_access(v, gpa)) {
    access_fault(v);
    return;
  }
#if LAB >= 2
  const struct mmio_dev *d = mmio_find(v->vm, gpa);
#if SOL >= 2
  if (d == 0 || v->scause == EXC_INST_GUEST_PAGE_FAULT) {
    access_fault(v);      // nothing there, or code in a device: as the board does
    return;
  }
  mmio_emulate(v, d, gpa);
#else
  // Fetching code from outside RAM: an access fault, as the board gives.
  if (v->scause == EXC_INST_GUEST_PAGE_FAULT) {
    access_fault(v);
    return;
  }
  // Lab 2: a load or store where no device is (d == 0) is an access fault
  // for the guest (access_fault). Otherwise decode the load or store
  // (decode_mem in decode.h), call the device's read or write, write rd
  // for a load, and step over the instruction (mmio_emulate).
  vm_stop(v->vm, "guest %s at GPA 0x%lx (%s) not handled (lab 2: hyp/mmio.c)",
          v->scause == EXC_LOAD_GUEST_PAGE_FAULT ? "load" : "store", gpa,
          d ? d->name : "no device");
  if (d == 0)
    vm_hint("no device at this GPA: the guest must get an access fault, as on the "
            "board (access_fault; labs/stage2/README.md, task 3)");
  else
    vm_hint("decode the access (decode_mem), call %s's read or write, write rd for "
            "a load, step sepc over it (labs/stage2/README.md, task 3)", d->name);
#endif
#else
  access_fault(v);
  (void)gpa;
#endif
}
