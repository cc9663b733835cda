// bootcfg.h: the boot configuration block that tells hv6 what to run.
// tools/mkbootcfg.py writes it; QEMU's generic loader places it in host
// RAM at BOOTCFG_PA (see tools/run.py); hyp/vm.c validates and reads it.
// Layout (little-endian): a 4096-byte header, then the guest image.
#pragma once
#include "kernel/riscv.h"

#define BOOTCFG_PA        0x84000000UL
#define BOOTCFG_MAX       (64UL << 20)   // header + image must fit in 64 MiB
#define BOOTCFG_MAGIC     "HV6BOOT"      // 8 bytes with the NUL
#define BOOTCFG_VERSION   1
#define BOOTCFG_HDR_SIZE  4096

#define BOOTCFG_IMAGE_RAW 0   // raw binary, loaded at GPA 0x80200000
#define BOOTCFG_IMAGE_ELF 1   // ELF64 RISC-V, loaded at its PT_LOAD addresses

#define BOOTCFG_F_MONITOR 0x1 // start in the hypervisor monitor
#define BOOTCFG_F_TRACE   0x2 // start with exit tracing on
#define BOOTCFG_F_NO_HTVAL 0x4 // ignore htval, as on a hart that writes 0
                              // there (tests hyp/vswalk.c)

struct bootcfg {
  char magic[8];          // BOOTCFG_MAGIC
  u32 version;            // BOOTCFG_VERSION
  u32 hdr_size;           // BOOTCFG_HDR_SIZE
  u64 image_size;         // bytes of guest image after the header
  u32 image_kind;         // BOOTCFG_IMAGE_*
  u32 image_crc32;        // CRC-32 (IEEE) of the image bytes
  u64 guest_mem;          // guest RAM in bytes (GUEST_MEM)
  u32 flags;              // BOOTCFG_F_*
  u32 hdr_crc32;          // CRC-32 of this header with this field zero
  char bootargs[256];     // /chosen/bootargs for the guest, NUL-terminated
  char restore[64];       // snapshot name to restore instead of booting, or ""
  char disk_id[64];       // identity of the guest disk image (for snapshots)
};
