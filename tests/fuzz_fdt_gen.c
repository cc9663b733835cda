// fuzz_fdt_gen.c: libFuzzer target for hyp/fdt_gen.c. The generator's
// inputs come from the boot configuration (bootargs: 256 bytes that
// need not hold a NUL if the header was forged; GUEST_MEM) and from the
// host (timebase, Sstc), and the output buffer's capacity.
// Input: 8 bytes guest_mem, 4 bytes timebase, 1 byte flags, 2 bytes cap,
// then up to 256 bytes of bootargs (the rest of the field is left as the
// input's bytes, unterminated if the input is long enough).
// Invariants: the generator writes nothing outside buf[0, cap) (buf is a
// heap block of exactly cap bytes: ASan); it fails or produces a blob
// that a strict reader accepts: header fields consistent and in bounds,
// every token aligned and inside the structure block, every property's
// value inside it, every name offset inside the strings block and its
// string NUL-terminated there, nodes balanced, FDT_END last; the
// /chosen/bootargs and /memory reg properties say what the VM has; and
// lib/fdt.c (the reader host and guest share) finds the same memory.
// SOURCES: hyp/fdt_gen.c lib/fdt.c tests/fake_host.c lib/crc32.c lib/string.c
// LAB: 1
#include "hyp/hyp.h"
#include "tests/fake_host.h"
#include "tests/fuzz.h"

static u32 tb = 10000000;
u64 timer_freq(void) { return tb; }

static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

struct seen { int bootargs, memory_reg, isa; u64 mem_base, mem_size; };

// The strict reader. Returns 0 if the blob is well-formed.
static void strict_parse(const u8 *b, u64 n, const struct bootcfg *cfg, u64 ram, struct seen *sn)
{
  FUZZ_CHECK(n >= 40, "blob of %lu bytes", (unsigned long)n);
  u32 magic = be32(b), total = be32(b + 4), off_struct = be32(b + 8), off_strings = be32(b + 12);
  u32 off_rsv = be32(b + 16), version = be32(b + 20), last = be32(b + 24);
  u32 size_strings = be32(b + 32), size_struct = be32(b + 36);
  FUZZ_CHECK(magic == 0xd00dfeed, "magic 0x%x", magic);
  FUZZ_CHECK(total == n, "totalsize %u, returned %lu", total, (unsigned long)n);
  FUZZ_CHECK(version == 17 && last == 16, "version %u/%u", version, last);
  FUZZ_CHECK(off_rsv >= 40 && off_rsv % 8 == 0 && off_rsv + 16 <= off_struct, "rsvmap at %u", off_rsv);
  for (int i = 0; i < 16; i++)
    FUZZ_CHECK(b[off_rsv + i] == 0, "reservation entry not empty");
  FUZZ_CHECK(off_struct % 4 == 0 && (u64)off_struct + size_struct <= total, "struct block");
  FUZZ_CHECK((u64)off_strings + size_strings <= total && off_strings >= off_struct + size_struct,
             "strings block [%u, +%u) in %u", off_strings, size_strings, total);
  FUZZ_CHECK(size_strings == 0 || b[off_strings + size_strings - 1] == 0, "strings not NUL-ended");

  const u8 *s = b + off_struct;
  u32 off = 0, end = size_struct;
  int depth = 0, ended = 0, nodes = 0;
  char path[8][64];
  while (off < end) {
    FUZZ_CHECK(off + 4 <= end, "token at %u runs off the block", off);
    u32 tok = be32(s + off);
    off += 4;
    FUZZ_CHECK(!ended, "token %u after FDT_END", tok);
    if (tok == 1) {                       // BEGIN_NODE
      const u8 *name = s + off;
      u32 max = end - off, len = 0;
      while (len < max && name[len])
        len++;
      FUZZ_CHECK(len < max, "node name runs off the block");
      FUZZ_CHECK(depth > 0 || (len == 0 && nodes == 0), "second root or named root");
      FUZZ_CHECK(depth < 8 && len < 64, "node too deep or name too long");
      memcpy(path[depth], name, len + 1);
      off += (len + 4) & ~3u;
      FUZZ_CHECK(off <= end, "node name padding");
      depth++, nodes++;
    } else if (tok == 2) {                // END_NODE
      FUZZ_CHECK(depth > 0, "END_NODE without a node");
      depth--;
    } else if (tok == 3) {                // PROP
      FUZZ_CHECK(depth > 0, "property outside a node");
      FUZZ_CHECK(off + 8 <= end, "property header runs off the block");
      u32 len = be32(s + off), nameoff = be32(s + off + 4);
      off += 8;
      FUZZ_CHECK(len <= end - off, "property value (%u bytes) runs off the block", len);
      FUZZ_CHECK(nameoff < size_strings, "name offset %u outside strings (%u)", nameoff, size_strings);
      const char *pname = (const char *)b + off_strings + nameoff;
      FUZZ_CHECK(memchr(pname, 0, size_strings - nameoff) != 0, "name unterminated");
      const u8 *val = s + off;
      if (depth == 2 && strcmp(path[1], "chosen") == 0 && strcmp(pname, "bootargs") == 0) {
        size_t want = strnlen(cfg->bootargs, sizeof(cfg->bootargs));
        FUZZ_CHECK(len == want + 1 && val[want] == 0 && memcmp(val, cfg->bootargs, want) == 0,
                   "bootargs: %u bytes, want %zu", len, want + 1);
        sn->bootargs++;
      }
      if (depth == 2 && strncmp(path[1], "memory@", 7) == 0 && strcmp(pname, "reg") == 0) {
        FUZZ_CHECK(len == 16, "memory reg of %u bytes", len);
        sn->mem_base = (u64)be32(val) << 32 | be32(val + 4);
        sn->mem_size = (u64)be32(val + 8) << 32 | be32(val + 12);
        FUZZ_CHECK(sn->mem_base == GUEST_RAM_BASE && sn->mem_size == ram,
                   "memory reg 0x%lx+0x%lx, ram 0x%lx", (unsigned long)sn->mem_base,
                   (unsigned long)sn->mem_size, (unsigned long)ram);
        sn->memory_reg++;
      }
      if (strcmp(pname, "riscv,isa") == 0) {
        FUZZ_CHECK(len > 0 && val[len - 1] == 0, "riscv,isa unterminated");
        const char *isa = (const char *)val;
        FUZZ_CHECK(strncmp(isa, "rv64", 4) == 0, "isa %s", isa);
        for (const char *p = isa + 4; *p && *p != '_'; p++)
          FUZZ_CHECK(*p != 'h', "guest ISA %s names h", isa);
        sn->isa++;
      }
      off += (len + 3) & ~3u;
      FUZZ_CHECK(off <= end, "property padding");
    } else if (tok == 4) {                // NOP
    } else if (tok == 9) {                // END
      ended = 1;
    } else {
      FUZZ_CHECK(0, "bad token %u at %u", tok, off - 4);
    }
  }
  FUZZ_CHECK(ended && depth == 0, "tree not closed (depth %d, end %d)", depth, ended);
  FUZZ_CHECK(sn->bootargs == 1 && sn->memory_reg == 1 && sn->isa == 1,
             "bootargs %d, memory %d, isa %d", sn->bootargs, sn->memory_reg, sn->isa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct fuzz_in in = { data, size };
  static struct bootcfg cfg;
  static struct vm vm;
  memset(&cfg, 0, sizeof(cfg));
  memset(&vm, 0, sizeof(vm));
  fake_quiet = 1;
  u64 mem = fuzz_take(&in, 8);
  tb = fuzz_take(&in, 4);
  u8 flags = fuzz_take(&in, 1);
  u64 cap = fuzz_take(&in, 2);
  host_has_sstc = flags & 1;
  if (!(flags & 2))      // mostly a GUEST_MEM that bootcfg_check accepts
    mem = ((mem % 2048) + 2) << 21;
  cfg.guest_mem = mem;
  size_t nb = in.n < sizeof(cfg.bootargs) ? in.n : sizeof(cfg.bootargs);
  memcpy(cfg.bootargs, in.p, nb);
  memset(cfg.restore, 'R', sizeof(cfg.restore));   // what follows an unterminated bootargs
  vm.cfg = &cfg;
  vm.ram_size = mem;
  if (!(flags & 4))
    cap = 16384;           // what vm.c gives it
  u8 *buf = malloc(cap ? cap : 1);
  int n = fdt_generate(&vm, buf, cap);
  FUZZ_CHECK(n == -1 || (n > 0 && (u64)n <= cap), "fdt_generate = %d (cap %lu)", n, (unsigned long)cap);
  if (n > 0) {
    struct seen sn = { 0, 0, 0, 0, 0 };
    strict_parse(buf, n, &cfg, mem, &sn);
    // The reader host and guest share (lib/fdt.c) agrees about memory.
    struct fdt_info fi;
    const char *why = "";
    FUZZ_CHECK(fdt_parse(buf, &fi, &why) == 0 && fi.mem_base == GUEST_RAM_BASE &&
               fi.mem_size == mem, "lib/fdt.c: %s; memory 0x%lx+0x%lx", why,
               (unsigned long)fi.mem_base, (unsigned long)fi.mem_size);
    FUZZ_CHECK(fi.timebase == tb, "timebase %lu, want %u", (unsigned long)fi.timebase, tb);
  } else {
    // With vm.c's 16 KiB buffer the tree always fits.
    FUZZ_CHECK(cap < 16384, "fdt_generate failed with cap %lu", (unsigned long)cap);
  }
  free(buf);
  return 0;
}
