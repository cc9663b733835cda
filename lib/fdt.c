// fdt.c: a small reader for the flattened device tree (Devicetree spec
// v0.4, chapter 5). One pass over the structure block picks out what the
// host kernel needs from OpenSBI's tree and the guest OS needs from the
// tree hv6 generates (or QEMU's): memory, bootargs, timebase, the ISA
// string, the UART, the PLIC and the virtio-mmio slots. Every offset and
// length is checked against the blob's own size before it is used, so a
// bad tree gives an error, never a wild read.
#include "lib/lib.h"

#define FDT_MAGIC       0xd00dfeed
#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9
#define MAXDEPTH        16

// The blob is big-endian (spec §5.1).
static u32 be32(const u8 *p)
{
  return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

// A number of n cells (1 or 2) from a property value.
static u64 cells(const u8 *p, int n)
{
  u64 v = 0;
  for (int i = 0; i < n; i++)
    v = v << 32 | be32(p + 4 * i);
  return v;
}

// Is want one of the NUL-separated strings of a stringlist property?
static int has_string(const char *list, u32 len, const char *want)
{
  u32 i = 0;
  while (i < len) {
    const char *s = list + i;
    u32 n = 0;
    while (i + n < len && s[n])
      n++;
    if (i + n < len && strcmp(s, want) == 0)
      return 1;
    i += n + 1;
  }
  return 0;
}

// The properties of one node that matter, collected until its
// FDT_END_NODE, when we know what kind of node it was.
struct node {
  const char *name;
  const u8 *reg;       u32 reglen;
  const u8 *irqs;      u32 irqslen;
  const char *compat;  u32 compatlen;
  const char *devtype; u32 devtypelen;
  u32 ndev;
  u32 addr_cells, size_cells;   // this node's own #address/#size-cells
};

static int is_type(struct node *n, const char *compat)
{
  return n->compat && has_string(n->compat, n->compatlen, compat);
}

// At FDT_END_NODE: parent gives the cell sizes of reg (spec §2.3.5).
static void finish_node(struct fdt_info *fi, struct node *n, struct node *parent)
{
  u32 ac = parent ? parent->addr_cells : 2, sc = parent ? parent->size_cells : 1;
  int hasreg = n->reg && ac >= 1 && ac <= 2 && sc <= 2 && n->reglen >= 4 * (ac + sc);
  struct fdt_dev d = {
    hasreg ? cells(n->reg, ac) : 0,
    hasreg ? cells(n->reg + 4 * ac, sc) : 0,
    n->irqs && n->irqslen >= 4 ? be32(n->irqs) : 0,
  };
  if (!hasreg)
    return;
  if (n->devtype && has_string(n->devtype, n->devtypelen, "memory") &&
      fi->mem_base == 0 && fi->mem_size == 0) {
    fi->mem_base = d.base;
    fi->mem_size = d.size;
  } else if (is_type(n, "ns16550a") && fi->uart.base == 0) {
    fi->uart = d;
  } else if ((is_type(n, "riscv,plic0") || is_type(n, "sifive,plic-1.0.0")) &&
             fi->plic.base == 0) {
    fi->plic = d;
    fi->plic_ndev = n->ndev;
  } else if (is_type(n, "virtio,mmio") && fi->nvirtio < FDT_MAX_VIRTIO) {
    fi->virtio[fi->nvirtio++] = d;
  }
}

// One property of node n (the innermost open node).
static void property(struct fdt_info *fi, struct node *n, int depth, const char *name,
                     const u8 *val, u32 len)
{
  if (strcmp(name, "reg") == 0) {
    n->reg = val, n->reglen = len;
  } else if (strcmp(name, "interrupts") == 0) {
    n->irqs = val, n->irqslen = len;
  } else if (strcmp(name, "compatible") == 0) {
    n->compat = (const char *)val, n->compatlen = len;
  } else if (strcmp(name, "device_type") == 0) {
    n->devtype = (const char *)val, n->devtypelen = len;
  } else if (strcmp(name, "#address-cells") == 0 && len == 4) {
    n->addr_cells = be32(val);
  } else if (strcmp(name, "#size-cells") == 0 && len == 4) {
    n->size_cells = be32(val);
  } else if (strcmp(name, "riscv,ndev") == 0 && len == 4) {
    n->ndev = be32(val);
  } else if (strcmp(name, "riscv,isa") == 0 && len > 0 && val[len - 1] == 0 &&
             fi->isa[0] == 0) {
    fi->isa = (const char *)val;
  } else if (strcmp(name, "timebase-frequency") == 0 && len >= 4) {
    fi->timebase = len >= 8 ? cells(val, 2) : be32(val);
  } else if (strcmp(name, "bootargs") == 0 && depth == 2 && len > 0 &&
             strcmp(n->name, "chosen") == 0 && val[len - 1] == 0) {
    fi->bootargs = (const char *)val;
  }
}

int fdt_parse(const void *blob, struct fdt_info *fi, const char **why)
{
  const u8 *fdt = blob;
  memset(fi, 0, sizeof(*fi));
  fi->bootargs = "";
  fi->isa = "";
  *why = "no device tree there";
  if (fdt == 0 || ((u64)fdt & 3) || be32(fdt) != FDT_MAGIC)
    return -1;
  u32 total = be32(fdt + 4);
  u32 off_struct = be32(fdt + 8), off_strings = be32(fdt + 12);
  u32 size_strings = be32(fdt + 32), size_struct = be32(fdt + 36);
  *why = "bad header";
  if (total < 40 || off_struct > total || size_struct > total - off_struct ||
      off_strings > total || size_strings > total - off_strings || (off_struct & 3))
    return -1;
  fi->fdt_base = (u64)fdt;
  fi->fdt_size = total;

  const u8 *p = fdt + off_struct, *end = p + size_struct;
  const char *strings = (const char *)fdt + off_strings;
  struct node stack[MAXDEPTH];
  int depth = 0;  // open nodes
  while (p + 4 <= end) {
    u32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      while (p < end && *p)
        p++;
      *why = "bad node";
      if (p >= end || depth == MAXDEPTH)
        return -1;
      p = (const u8 *)ROUNDUP((u64)p + 1, 4);
      struct node *n = &stack[depth++];
      memset(n, 0, sizeof(*n));
      n->name = name;
      n->addr_cells = 2;  // spec §2.3.5 defaults
      n->size_cells = 1;
    } else if (tok == FDT_END_NODE) {
      *why = "unbalanced end of node";
      if (depth == 0)
        return -1;
      depth--;
      finish_node(fi, &stack[depth], depth > 0 ? &stack[depth - 1] : 0);
    } else if (tok == FDT_PROP) {
      *why = "bad property";
      if (end - p < 8 || depth == 0)
        return -1;
      u32 len = be32(p), nameoff = be32(p + 4);
      p += 8;
      if (len > (u32)(end - p) || nameoff >= size_strings ||
          strnlen(strings + nameoff, size_strings - nameoff) == size_strings - nameoff)
        return -1;
      property(fi, &stack[depth - 1], depth, strings + nameoff, p, len);
      p = (const u8 *)ROUNDUP((u64)p + len, 4);
    } else if (tok == FDT_END) {
      break;
    } else if (tok != FDT_NOP) {
      *why = "bad token";
      return -1;
    }
  }
  *why = "no memory node";
  return fi->mem_base || fi->mem_size ? 0 : -1;
}

// Does a riscv,isa string name extension ext? A single letter ("h") is
// looked for in the base part ("rv64imafdch"), a longer name ("sstc")
// among the '_'-separated multi-letter extensions (riscv,isa binding).
int fdt_isa_has(const char *isa, const char *ext)
{
  size_t n = strlen(ext);
  if (strncmp(isa, "rv64", 4) != 0 && strncmp(isa, "rv32", 4) != 0)
    return 0;
  if (n == 1) {
    for (const char *p = isa + 4; *p && *p != '_'; p++)
      if (*p == ext[0])
        return 1;
    return 0;
  }
  for (const char *p = isa; *p; p++)
    if (*p == '_' && strncmp(p + 1, ext, n) == 0 && (p[n + 1] == '_' || p[n + 1] == 0))
      return 1;
  return 0;
}
