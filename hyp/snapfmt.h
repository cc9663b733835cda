// snapfmt.h: the on-disk format of hv6 snapshots (lab 5) and of the
// snapshot store that holds them. Pure data + pure functions
// (hyp/snapfmt.c): no hardware, no VM, so tests/test_snapshot.c and
// tests/fuzz_snapshot.c build it natively.
//
// The store is the host's second virtio-blk disk, cut into 4 KiB blocks:
//
//   block 0      block 1      block 2 ....................................  N-1
//  +-----------+-----------+--------------------------------------------------+
//  | directory | directory |  snapshot streams, each a contiguous run of       |
//  |  copy A   |  copy B   |  blocks  [s1 full......][s2 incr..]  free  [s3..] |
//  +-----------+-----------+--------------------------------------------------+
//   the copy with the higher generation and a good CRC is the current one
//
// A save writes its stream into free blocks only, flushes, then writes the
// directory (generation + 1) over the OLDER copy, and flushes again: that
// last write is the commit point. A crash before it leaves the old
// directory (and every snapshot it names) untouched; a torn directory
// write fails its CRC and the other copy is used.
//
// A snapshot stream:
//
//  +--------------+---------------------------------------------------+
//  | snap_hdr     | section: snap_sec | payload | pad to 8 | snap_tail |  x n
//  | (hdr_crc)    |   types VCPU, RAM, UART, PLIC, VIRTIO, ..., END    |
//  +--------------+---------------------------------------------------+
//
// Every section ends in a CRC-32 over its header, payload and padding;
// the header has its own CRC; the directory entry holds the length and a
// CRC of the whole stream. Any single changed byte is detected.
#pragma once
#include "lib/lib.h"      // crc32, string functions

#define SNAP_BLK          4096UL
#define SNAP_DIR_BLOCKS   2           // directory copies A and B
#define SNAP_NAME_MAX     32          // bytes incl. the NUL: names of 1..31 chars
#define SNAP_MAXENT       48
#define SNAP_VERSION      1

#define SNAP_DIR_MAGIC    "HV6SDIR"   // 8 bytes with the NUL
#define SNAP_MAGIC        "HV6SNAP"

// One snapshot in the directory.
struct snap_dirent {
  char name[SNAP_NAME_MAX];
  u64 id;              // unique, never reused (dir next_id)
  u64 parent;          // id of the snapshot this one is a delta of, 0 = full
  u64 start;           // first block of the stream
  u64 len;             // bytes of the stream
  u64 pages;           // RAM pages stored in it
  u32 crc;             // CRC-32 of the whole stream
  u32 flags;           // 0
};

struct snap_dir {
  char magic[8];
  u32 version;
  u32 nent;
  u64 gen;             // generation: + 1 per commit
  u64 next_id;
  u64 nblocks;         // size of the store when it was formatted
  u32 crc;             // CRC-32 of the block with this field zero
  u32 pad;
  struct snap_dirent ent[SNAP_MAXENT];
};
_Static_assert(sizeof(struct snap_dir) <= SNAP_BLK, "directory fits a block");

// Configuration a snapshot can only be restored into.
struct snap_config {
  u32 lab;             // LAB the hypervisor was built for
  u32 trap_all;        // trap policy (TRAP=all)
  u32 sstc;            // SSTC build
  u32 pad;
  u64 guest_mem;       // GUEST_MEM
};

struct snap_hdr {
  char magic[8];
  u32 version;
  u32 hdr_size;        // sizeof(struct snap_hdr)
  u64 len;             // bytes of the whole stream, this header included
  u64 id, parent;      // as in the directory entry
  char name[SNAP_NAME_MAX];
  struct snap_config cfg;
  char disk_id[64];    // bootcfg.disk_id of the guest disk, "" = no disk
  u64 disk_sectors;    // its size
  u32 disk_crc;        // CRC-32 of its whole content when saved
  u32 nsec;            // sections after the header, END included
  u64 pages;           // RAM pages in this stream
  u32 pad;
  u32 hdr_crc;         // CRC-32 of this header with this field zero
};

enum snap_sec_type {
  SEC_END = 0,
  SEC_VCPU = 1,        // struct snap_vcpu
  SEC_RAM = 2,         // n x { u64 gpa; u8 page[4096] }
  SEC_UART = 3,        // device sections: the device model's own format
  SEC_PLIC = 4,
  SEC_VIRTIO = 5,
  SEC_TIMER = 6,
  SEC_NTYPES
};

struct snap_sec {
  u32 type;
  u32 version;         // the section's own format version
  u64 len;             // payload bytes (padding not included)
};
struct snap_tail {
  u32 crc;             // CRC-32 of snap_sec + payload + padding
  u32 zero;
};

#define SNAP_RAM_REC  (8 + 4096)

// The vCPU: everything a hart holds (priv spec §4, §8.2).
struct snap_vcpu {
  u64 x[32];           // x0 stored as 0
  u64 pc;              // sepc at the exit
  u64 sstatus;         // HS sstatus at the exit: SPP (VS or VU), FS
  u64 hstatus;         // SPV, SPVP, VSXL, VTSR/VTVM/VTW (policy, checked)
  u64 vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
  u64 vstimecmp;       // Sstc builds; ~0 otherwise
  u64 hvip;            // injected VS interrupts
  u64 henvcfg, hcounteren, hedeleg, hideleg;   // policy: checked, not loaded
  u64 scounteren, senvcfg;                     // VS-mode writes these
  u64 f[33];           // FP registers f0..f31 (raw bits), then fcsr
  u64 guest_time;      // guest `time` when saved (time + htimedelta)
  u64 timer_deadline;  // guest time of the pending VS timer, ~0 if none
  u64 hsm_state;
};

// ---- pure functions (snapfmt.c) ----
int  snap_name_ok(const char *name);                   // 1..31 of [A-Za-z0-9._-]
void snap_dir_seal(struct snap_dir *d);
int  snap_dir_valid(const struct snap_dir *d, u64 nblocks);
void snap_hdr_seal(struct snap_hdr *h);
int  snap_hdr_check(const struct snap_hdr *h, char *err, size_t errlen);
u64  snap_blocks(u64 len);                             // blocks for len bytes

// A block device (the store). 0 = ok, < 0 = I/O error.
struct snapio {
  void *ctx;
  u64 nblocks;                                         // SNAP_BLK blocks
  int (*read)(void *ctx, u64 blk, void *buf, u64 n);
  int (*write)(void *ctx, u64 blk, const void *buf, u64 n);
  int (*flush)(void *ctx);
};

// Sequential stream writer/reader over a run of store blocks, with a
// section CRC and a whole-stream CRC kept on the way.
#define SNAP_IOBUF (16 * SNAP_BLK)
struct snapstream {
  struct snapio *io;
  u64 blk, end;        // next block to transfer, first block after the run
  u8 *buf;             // SNAP_IOBUF bytes
  u64 fill, pos;       // bytes in buf; reader: next byte in buf
  u64 done;            // bytes through the stream so far
  u64 limit;           // reader: bytes the stream has (directory len)
  u32 crc_all, crc_sec;
  int err;             // sticky: -1 = I/O error, -2 = past the end
};
void snapw_open(struct snapstream *s, struct snapio *io, u64 start, u64 nblk, u8 *buf);
void snapw_put(struct snapstream *s, const void *p, u64 n);
void snapw_sec_begin(struct snapstream *s, u32 type, u32 version, u64 len);
void snapw_sec_end(struct snapstream *s);               // pad + tail
int  snapw_close(struct snapstream *s);                 // flush buffered blocks
void snapr_open(struct snapstream *s, struct snapio *io, u64 start, u64 len, u8 *buf);
int  snapr_get(struct snapstream *s, void *p, u64 n);   // 0 or < 0

// Walk a whole stream: check the header (and *want, when given), every
// section's length and CRC, the END and the stream CRC. When cb is given
// each section payload is handed to it in pieces of at most SNAP_BLK
// bytes (cb may return < 0 with a message in err to reject the snapshot).
struct snap_visit {
  void *ctx;
  // A section starts: may check type/version/len. Return < 0 to refuse.
  int (*sec)(void *ctx, u32 type, u32 version, u64 len, char *err, size_t errlen);
  // Payload bytes [off, off+n) of the current section.
  int (*data)(void *ctx, u32 type, u64 off, const u8 *p, u64 n, char *err, size_t errlen);
};
int snap_walk(struct snapio *io, const struct snap_dirent *e, const struct snap_hdr *want,
              struct snap_hdr *out, const struct snap_visit *v, u8 *buf,
              char *err, size_t errlen);
