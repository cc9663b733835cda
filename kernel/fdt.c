// fdt.c: a small reader for the flattened device tree (Devicetree spec
// v0.4, chapter 5) that OpenSBI hands the host kernel in a1. It finds
// RAM, the timebase, the ISA string and devices by "compatible".
// QEMU virt uses #address-cells = #size-cells = 2 under / and /soc; the
// reader assumes that layout for "reg" and says so if it is not.
#include "kernel/defs.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

struct fdt_header {
  u32 magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap;
  u32 version, last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static const u8 *blob;
static u32 struct_off, struct_size, strings_off, strings_size;

static u32 be32(const void *p)
{
  const u8 *b = p;
  return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static u64 be64(const void *p)
{
  return (u64)be32(p) << 32 | be32((const u8 *)p + 4);
}

int fdt_init(void *fdt)
{
  const struct fdt_header *h = fdt;
  if (fdt == 0 || be32(&h->magic) != FDT_MAGIC)
    return -1;
  blob = fdt;
  struct_off = be32(&h->off_dt_struct);
  struct_size = be32(&h->size_dt_struct);
  strings_off = be32(&h->off_dt_strings);
  strings_size = be32(&h->size_dt_strings);
  return 0;
}

u64 fdt_size(void)
{
  return blob ? be32(&((const struct fdt_header *)blob)->totalsize) : 0;
}

// One node as the walker sees it: its name and the properties we use.
struct node {
  const char *name;
  const u8 *reg;       u32 reg_len;
  const u8 *compat;    u32 compat_len;
  const u8 *irq;       u32 irq_len;
  const u8 *isa;
  const u8 *devtype;
  const u8 *timebase;
};

// Walk every node; call fn at each node's end (all its properties seen).
// fn returns nonzero to stop the walk.
static void walk(int (*fn)(struct node *, void *), void *arg)
{
  struct node stack[16];
  int depth = -1;
  u32 off = struct_off, end = struct_off + struct_size;
  while (off + 4 <= end) {
    u32 tok = be32(blob + off);
    off += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)blob + off;
      off += ROUNDUP(strnlen(name, end - off) + 1, 4);
      if (++depth >= (int)NELEM(stack))
        return;
      memset(&stack[depth], 0, sizeof(stack[depth]));
      stack[depth].name = name;
    } else if (tok == FDT_PROP) {
      u32 len = be32(blob + off), nameoff = be32(blob + off + 4);
      const u8 *val = blob + off + 8;
      off += 8 + ROUNDUP(len, 4);
      if (depth < 0 || nameoff >= strings_size)
        continue;
      const char *pname = (const char *)blob + strings_off + nameoff;
      struct node *n = &stack[depth];
      if (strcmp(pname, "reg") == 0)
        n->reg = val, n->reg_len = len;
      else if (strcmp(pname, "compatible") == 0)
        n->compat = val, n->compat_len = len;
      else if (strcmp(pname, "interrupts") == 0)
        n->irq = val, n->irq_len = len;
      else if (strcmp(pname, "riscv,isa") == 0)
        n->isa = val;
      else if (strcmp(pname, "device_type") == 0)
        n->devtype = val;
      else if (strcmp(pname, "timebase-frequency") == 0 && len == 4)
        n->timebase = val;
    } else if (tok == FDT_END_NODE) {
      if (depth < 0)
        return;
      if (fn(&stack[depth], arg))
        return;
      depth--;
    } else if (tok == FDT_END) {
      return;
    } else if (tok != FDT_NOP) {
      return;   // malformed: stop rather than guess
    }
  }
}

static int has_compat(struct node *n, const char *want)
{
  u32 i = 0;
  while (i < n->compat_len) {
    const char *s = (const char *)n->compat + i;
    if (strcmp(s, want) == 0)
      return 1;
    i += strnlen(s, n->compat_len - i) + 1;
  }
  return 0;
}

struct find { const char *compat; int nth; struct fdt_dev *dev; int found; };

static int find_fn(struct node *n, void *arg)
{
  struct find *f = arg;
  if (!has_compat(n, f->compat) || n->reg_len < 16)
    return 0;
  if (f->nth-- > 0)
    return 0;
  f->dev->base = be64(n->reg);
  f->dev->size = be64(n->reg + 8);
  f->dev->irq = n->irq_len >= 4 ? be32(n->irq) : 0;
  f->found = 1;
  return 1;
}

// The nth (from 0) node compatible with compat, in tree order.
int fdt_find_compatible(const char *compat, int nth, struct fdt_dev *dev)
{
  struct find f = { compat, nth, dev, 0 };
  walk(find_fn, &f);
  return f.found ? 0 : -1;
}

struct mem { u64 *base, *size; int found; };

static int mem_fn(struct node *n, void *arg)
{
  struct mem *m = arg;
  if (n->devtype == 0 || strcmp((const char *)n->devtype, "memory") || n->reg_len < 16)
    return 0;
  *m->base = be64(n->reg);
  *m->size = be64(n->reg + 8);
  m->found = 1;
  return 1;
}

int fdt_memory(u64 *base, u64 *size)
{
  struct mem m = { base, size, 0 };
  walk(mem_fn, &m);
  return m.found ? 0 : -1;
}

struct cpu { u64 timebase; const char *isa; };

static int cpu_fn(struct node *n, void *arg)
{
  struct cpu *c = arg;
  if (n->timebase)
    c->timebase = be32(n->timebase);
  if (n->isa && c->isa == 0)
    c->isa = (const char *)n->isa;
  return 0;
}

u64 fdt_timebase(void)
{
  struct cpu c = { 0, 0 };
  walk(cpu_fn, &c);
  return c.timebase;
}

const char *fdt_isa(void)
{
  struct cpu c = { 0, 0 };
  walk(cpu_fn, &c);
  return c.isa ? c.isa : "";
}
