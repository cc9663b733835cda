// virtio.h: the numbers of virtio 1.2 (OASIS, 2022) that hv6 uses, in one
// place for all three users: the host's driver for QEMU's virtio-blk
// (kernel/virtio_blk.c), the hypervisor's device model (hyp/virtio_mmio.c,
// hyp/virtio_blk.c) and the guest's driver (guest-os/virtio_blk.c).
// Section numbers refer to the virtio 1.2 specification.
#pragma once
#include "kernel/riscv.h"

// ---- virtio-mmio transport, version 2 ("modern"), §4.2.2 ----
// Every register is 32 bits wide and must be accessed with aligned 32-bit
// loads and stores; the device-specific config space starts at 0x100.
#define VIRTIO_MMIO_MAGIC_VALUE         0x000 // R   0x74726976 ("virt")
#define VIRTIO_MMIO_VERSION             0x004 // R   2 (1 = legacy)
#define VIRTIO_MMIO_DEVICE_ID           0x008 // R   2 = block, 0 = no device
#define VIRTIO_MMIO_VENDOR_ID           0x00c // R
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010 // R   32 feature bits, chosen by ..._SEL
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014 // W   0: bits 0-31, 1: bits 32-63
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020 // W
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024 // W
#define VIRTIO_MMIO_QUEUE_SEL           0x030 // W   which queue the QUEUE_* registers mean
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034 // R   largest queue size, 0 = no such queue
#define VIRTIO_MMIO_QUEUE_NUM           0x038 // W   queue size the driver chose
#define VIRTIO_MMIO_QUEUE_READY         0x044 // RW
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050 // W   queue index with new buffers
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060 // R
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064 // W
#define VIRTIO_MMIO_STATUS              0x070 // RW  writing 0 resets the device
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080 // W   descriptor table GPA
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084 // W
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090 // W   available ring GPA
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094 // W
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0 // W   used ring GPA
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4 // W
#define VIRTIO_MMIO_SHM_SEL             0x0ac // W   (shared memory: not used)
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc // R
#define VIRTIO_MMIO_CONFIG              0x100 // RW  device-specific configuration

#define VIRTIO_MMIO_MAGIC   0x74726976
#define VIRTIO_VENDOR_HV6   0x00367668        // "hv6\0" (QEMU's is "QEMU")
#define VIRTIO_ID_BLOCK     2

// Interrupt status bits (§4.2.2).
#define VIRTIO_INT_USED_RING  1   // the device used a buffer
#define VIRTIO_INT_CONFIG     2   // the configuration (or DEVICE_NEEDS_RESET) changed

// ---- Device status, §2.1 ----
#define VIRTIO_STATUS_ACKNOWLEDGE        1
#define VIRTIO_STATUS_DRIVER             2
#define VIRTIO_STATUS_DRIVER_OK          4
#define VIRTIO_STATUS_FEATURES_OK        8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED             128

// ---- Feature bits ----
// Reserved (device-independent) bits, §6.
#define VIRTIO_F_INDIRECT_DESC   28
#define VIRTIO_F_EVENT_IDX       29
#define VIRTIO_F_VERSION_1       32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED     34
// Block device bits, §5.2.3.
#define VIRTIO_BLK_F_SIZE_MAX  1   // config.size_max: largest segment
#define VIRTIO_BLK_F_SEG_MAX   2   // config.seg_max: most segments per request
#define VIRTIO_BLK_F_GEOMETRY  4
#define VIRTIO_BLK_F_RO        5
#define VIRTIO_BLK_F_BLK_SIZE  6   // config.blk_size
#define VIRTIO_BLK_F_FLUSH     9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ       12
#define VIRTIO_BLK_F_DISCARD  13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BIT(f) (1ULL << (f))

// ---- Split virtqueues, §2.7 ----
//
//   descriptor table (16 B each)    available ring (driver -> device)
//   +------+-----+-------+------+   +-------+-----+---------------------+
//   | addr | len | flags | next |   | flags | idx | ring[num] of u16    |
//   +------+-----+-------+------+   +-------+-----+---------------------+
//                                   used ring (device -> driver)
//                                   +-------+-----+---------------------+
//                                   | flags | idx | ring[num] of {id,len}|
//                                   +-------+-----+---------------------+
// idx fields are free-running 16-bit counters; ring[idx % num] is the next
// slot to fill.
#define VIRTQ_DESC_F_NEXT      1   // next is valid: the chain continues
#define VIRTQ_DESC_F_WRITE     2   // device writes this buffer (else reads it)
#define VIRTQ_DESC_F_INDIRECT  4   // buffer is a table of descriptors

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

struct virtq_desc {
  u64 addr;
  u32 len;
  u16 flags;
  u16 next;
};

struct virtq_avail {
  u16 flags;
  u16 idx;
  u16 ring[];          // num entries, then u16 used_event (EVENT_IDX only)
};

struct virtq_used_elem {
  u32 id;              // head index of the chain
  u32 len;             // bytes written into the chain's device-writable buffers
};

struct virtq_used {
  u16 flags;
  u16 idx;
  struct virtq_used_elem ring[];   // num entries, then u16 avail_event
};

// Sizes in bytes of the three parts of a queue of num entries (§2.7),
// and their required alignments.
#define VIRTQ_DESC_SIZE(num)   (16UL * (num))
#define VIRTQ_AVAIL_SIZE(num)  (6UL + 2UL * (num))
#define VIRTQ_USED_SIZE(num)   (6UL + 8UL * (num))
#define VIRTQ_DESC_ALIGN  16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4

// ---- virtio-blk, §5.2 ----
#define VIRTIO_BLK_T_IN     0    // read sectors
#define VIRTIO_BLK_T_OUT    1    // write sectors
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8    // 20-byte device id string

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR   512  // "sector" in requests and capacity is always 512 bytes

// A request is a descriptor chain: this 16-byte header (device-readable),
// the data buffers, and one status byte (device-writable) at the very end.
struct virtio_blk_req_hdr {
  u32 type;
  u32 reserved;
  u64 sector;
};

// The first fields of the block device's configuration space (§5.2.4).
#define VIRTIO_BLK_CFG_CAPACITY 0x00   // u64, in 512-byte sectors
#define VIRTIO_BLK_CFG_SIZE_MAX 0x08   // u32
#define VIRTIO_BLK_CFG_SEG_MAX  0x0c   // u32
#define VIRTIO_BLK_CFG_GEOMETRY 0x10   // u16 cylinders, u8 heads, u8 sectors
#define VIRTIO_BLK_CFG_BLK_SIZE 0x14   // u32
#define VIRTIO_BLK_CFG_SIZE     0x18   // what hv6 implements; the rest reads 0
