// fdt_gen.c: build the flattened device tree the guest boots with
// (Devicetree spec v0.4 ch. 5). It describes exactly the virtual platform
// of DESIGN.md §1 — one hart without 'h' in riscv,isa, the guest RAM, and
// the devices the current lab emulates — in the shape of QEMU virt's own
// tree, so that kernels written for that board find what they expect.
#include "hyp/hyp.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_END        9
#define HDR_SIZE       40
#define RSV_SIZE       16                // one empty reservation entry
#define STRINGS_MAX    512

#define PHANDLE_CPU_INTC 1
#define PHANDLE_PLIC     2

struct fdt_buf {
  u8 *buf;
  u64 cap, len;                 // structure block grows from HDR+RSV
  char strings[STRINGS_MAX];
  u32 strings_len;
  int overflow;
};

static void put32(u8 *p, u32 v)
{
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static void emit(struct fdt_buf *f, const void *data, u64 n)
{
  u64 padded = ROUNDUP(n, 4);
  if (f->len + padded > f->cap) {
    f->overflow = 1;
    return;
  }
  memcpy(f->buf + f->len, data, n);
  memset(f->buf + f->len + n, 0, padded - n);
  f->len += padded;
}

static void emit32(struct fdt_buf *f, u32 v)
{
  u8 b[4];
  put32(b, v);
  emit(f, b, 4);
}

// Offset of name in the strings block, adding it the first time.
static u32 string_off(struct fdt_buf *f, const char *name)
{
  for (u32 i = 0; i < f->strings_len; i += strlen(f->strings + i) + 1)
    if (strcmp(f->strings + i, name) == 0)
      return i;
  u32 n = strlen(name) + 1, off = f->strings_len;
  if (off + n > STRINGS_MAX) {
    f->overflow = 1;
    return 0;
  }
  memcpy(f->strings + off, name, n);
  f->strings_len += n;
  return off;
}

static void begin_node(struct fdt_buf *f, const char *name)
{
  emit32(f, FDT_BEGIN_NODE);
  emit(f, name, strlen(name) + 1);
}

static void end_node(struct fdt_buf *f)
{
  emit32(f, FDT_END_NODE);
}

static void prop(struct fdt_buf *f, const char *name, const void *val, u32 len)
{
  emit32(f, FDT_PROP);
  emit32(f, len);
  emit32(f, string_off(f, name));
  emit(f, val, len);
}

static void prop_str(struct fdt_buf *f, const char *name, const char *s)
{
  prop(f, name, s, strlen(s) + 1);
}

// A property of n big-endian 32-bit cells.
static void prop_cells(struct fdt_buf *f, const char *name, const u32 *cells, int n)
{
  u8 b[64];
  for (int i = 0; i < n && i < 16; i++)
    put32(b + 4 * i, cells[i]);
  prop(f, name, b, 4 * n);
}

static void prop_u32(struct fdt_buf *f, const char *name, u32 v)
{
  prop_cells(f, name, &v, 1);
}

// reg = <base size> with #address-cells = #size-cells = 2.
static void prop_reg(struct fdt_buf *f, u64 base, u64 size)
{
  u32 c[4] = { base >> 32, (u32)base, size >> 32, (u32)size };
  prop_cells(f, "reg", c, 4);
}

static void cpus_node(struct fdt_buf *f)
{
  begin_node(f, "cpus");
  prop_u32(f, "#address-cells", 1);
  prop_u32(f, "#size-cells", 0);
  prop_u32(f, "timebase-frequency", timer_freq());
  begin_node(f, "cpu@0");
  prop_str(f, "device_type", "cpu");
  prop_u32(f, "reg", 0);
  prop_str(f, "status", "okay");
  prop_str(f, "compatible", "riscv");
  // No 'h': the guest's hart has no hypervisor extension. Sstc only when
  // the guest may use vstimecmp (SSTC=1).
  prop_str(f, "riscv,isa", SSTC && host_has_sstc ?
           "rv64imafdc_zicsr_zifencei_sstc" : "rv64imafdc_zicsr_zifencei");
  prop_str(f, "mmu-type", "riscv,sv39");
  begin_node(f, "interrupt-controller");
  prop_u32(f, "#interrupt-cells", 1);
  prop(f, "interrupt-controller", 0, 0);
  prop_str(f, "compatible", "riscv,cpu-intc");
  prop_u32(f, "phandle", PHANDLE_CPU_INTC);
  end_node(f);
  end_node(f);
  end_node(f);
}

#if LAB >= 2
// Devices appear in the tree from the lab that emulates them on.
static void device_node(struct fdt_buf *f, const char *name, const char *compat,
                        u64 base, u64 size, u32 irq)
{
  begin_node(f, name);
  prop_str(f, "compatible", compat);
  prop_reg(f, base, size);
#if LAB >= 3
  prop_u32(f, "interrupts", irq);
  prop_u32(f, "interrupt-parent", PHANDLE_PLIC);
#else
  (void)irq;
#endif
}
#endif

static void soc_node(struct fdt_buf *f)
{
  begin_node(f, "soc");
  prop_u32(f, "#address-cells", 2);
  prop_u32(f, "#size-cells", 2);
  prop_str(f, "compatible", "simple-bus");
  prop(f, "ranges", 0, 0);
#if LAB >= 2
  device_node(f, "serial@10000000", "ns16550a", VUART_BASE, VUART_SIZE, VUART_IRQ);
  prop_u32(f, "clock-frequency", VUART_CLOCK);
  end_node(f);
#endif
#if LAB >= 3
  begin_node(f, "plic@c000000");
  static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
  prop(f, "compatible", plic_compat, sizeof(plic_compat));
  prop_reg(f, VPLIC_BASE, VPLIC_SIZE);
  prop_u32(f, "#address-cells", 0);
  prop_u32(f, "#interrupt-cells", 1);
  prop(f, "interrupt-controller", 0, 0);
  // Context 0 is hart 0's M-mode, context 1 its S-mode, as on QEMU virt
  // (11 = machine external interrupt, 9 = supervisor external).
  u32 ext[4] = { PHANDLE_CPU_INTC, 11, PHANDLE_CPU_INTC, 9 };
  prop_cells(f, "interrupts-extended", ext, 4);
  prop_u32(f, "riscv,ndev", VPLIC_NDEV);
  prop_u32(f, "phandle", PHANDLE_PLIC);
  end_node(f);
#endif
#if LAB >= 4
  device_node(f, "virtio_mmio@10001000", "virtio,mmio", VIRTIO_BASE, VIRTIO_SIZE, VIRTIO_IRQ);
  end_node(f);
#endif
  end_node(f);
}

// Write the tree into buf; returns its size or -1 if cap is too small.
int fdt_generate(struct vm *vm, u8 *buf, u64 cap)
{
  struct fdt_buf f = { .buf = buf, .cap = cap, .len = HDR_SIZE + RSV_SIZE };
  if (cap < f.len)
    return -1;
  memset(buf, 0, f.len);

  begin_node(&f, "");
  prop_u32(&f, "#address-cells", 2);
  prop_u32(&f, "#size-cells", 2);
  prop_str(&f, "compatible", "riscv-virtio");
  prop_str(&f, "model", "hv6 virtual machine (riscv-virtio)");
  begin_node(&f, "chosen");
  // bootargs is boot-configuration input: never read past its field,
  // even if a forged header left it without a NUL.
  char args[sizeof(vm->cfg->bootargs) + 1];
  u64 nargs = strnlen(vm->cfg->bootargs, sizeof(vm->cfg->bootargs));
  memcpy(args, vm->cfg->bootargs, nargs);
  args[nargs] = 0;
  prop_str(&f, "bootargs", args);
#if LAB >= 2
  prop_str(&f, "stdout-path", "/soc/serial@10000000");
#endif
  end_node(&f);
  begin_node(&f, "memory@80000000");
  prop_str(&f, "device_type", "memory");
  prop_reg(&f, GUEST_RAM_BASE, vm->ram_size);
  end_node(&f);
  cpus_node(&f);
  soc_node(&f);
  end_node(&f);
  emit32(&f, FDT_END);

  u64 struct_size = f.len - HDR_SIZE - RSV_SIZE;
  u64 strings_off = f.len;
  emit(&f, f.strings, f.strings_len);
  if (f.overflow)
    return -1;
  u32 hdr[10] = {
    FDT_MAGIC, f.len, HDR_SIZE + RSV_SIZE, strings_off, HDR_SIZE,
    17, 16, 0, f.strings_len, struct_size,
  };
  for (int i = 0; i < 10; i++)
    put32(buf + 4 * i, hdr[i]);
  return f.len;
}
