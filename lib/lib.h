// lib.h: the freestanding C routines both programs of hv6 use — the host
// kernel (kernel/, hyp/) and the guest OS (guest-os/) — so each exists
// once: memory and string functions, formatted output into a callback,
// CRC-32, the names of trap causes, and the device-tree reader.
#pragma once
#include "kernel/riscv.h"
#include <stdarg.h>
#include <stddef.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ROUNDUP(x, a)   (((x) + (a) - 1) & ~((u64)(a) - 1))
#define ROUNDDOWN(x, a) ((x) & ~((u64)(a) - 1))

// string.c (under HOST_TEST the C library supplies all but strncpy_safe, mem_is_zero)
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int   memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int   strcmp(const char *a, const char *b);
int   strncmp(const char *a, const char *b, size_t n);
char *strncpy_safe(char *dst, const char *src, size_t n);
int   mem_is_zero(const void *p, size_t n);

// format.c: printf-style formatting; each program's printf supplies put.
// %d %i %u %x %p %s %c %% with '0' flag, width and l/ll; %-Ns left-justifies.
int vformat(void (*put)(void *arg, char c), void *arg, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// crc32.c: CRC-32 (IEEE 802.3), the value of Python's zlib.crc32
u32 crc32(u32 crc, const void *buf, size_t n);

// scause.c: scause values in words (priv spec Table 4.2, §8.6.1)
const char *scause_name(u64 scause);

// fdt.c: what a device tree says about the board (Devicetree spec v0.4)
#define FDT_MAX_VIRTIO 8
struct fdt_dev {
  u64 base, size;
  u32 irq;
};
struct fdt_info {
  u64 fdt_base, fdt_size;       // where the blob itself is
  const char *bootargs;         // /chosen/bootargs, "" if none
  u64 mem_base, mem_size;       // the first memory node
  u64 timebase;                 // timebase-frequency, 0 if unknown
  const char *isa;              // the first cpu's riscv,isa, "" if none
  struct fdt_dev uart;          // ns16550a, base 0 if none
  struct fdt_dev plic;          // riscv,plic0 / sifive,plic-1.0.0, base 0 if none
  u32 plic_ndev;
  int nvirtio;                  // virtio,mmio slots, in tree order
  struct fdt_dev virtio[FDT_MAX_VIRTIO];
};
// Fill *info from the blob at fdt; 0, or -1 with *why saying what is wrong.
int fdt_parse(const void *fdt, struct fdt_info *info, const char **why);
int fdt_isa_has(const char *isa, const char *ext);   // "h", "sstc", ...
