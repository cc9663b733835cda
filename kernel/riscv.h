// riscv.h: CSR numbers, bit fields and CSR accessors, named after the
// RISC-V privileged spec (v1.12: §3 machine, §4 supervisor, §8 hypervisor).
// This is the one place such numbers live; the host kernel, the hypervisor
// and the guest OS all include it.
#pragma once

#ifndef __ASSEMBLER__
#include <stdint.h>
typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t  i64;
typedef int32_t  i32;
#endif

// ---- Supervisor CSRs (priv spec §4.1) ----
#define CSR_SSTATUS     0x100
#define CSR_SIE         0x104
#define CSR_STVEC       0x105
#define CSR_SCOUNTEREN  0x106
#define CSR_SENVCFG     0x10a
#define CSR_SSCRATCH    0x140
#define CSR_SEPC        0x141
#define CSR_SCAUSE      0x142
#define CSR_STVAL       0x143
#define CSR_SIP         0x144
#define CSR_STIMECMP    0x14d   // Sstc
#define CSR_SATP        0x180

// ---- Hypervisor CSRs (priv spec §8.2) ----
#define CSR_HSTATUS     0x600
#define CSR_HEDELEG     0x602
#define CSR_HIDELEG     0x603
#define CSR_HIE         0x604
#define CSR_HTIMEDELTA  0x605
#define CSR_HCOUNTEREN  0x606
#define CSR_HGEIE       0x607
#define CSR_HENVCFG     0x60a
#define CSR_HTVAL       0x643
#define CSR_HIP         0x644
#define CSR_HVIP        0x645
#define CSR_HTINST      0x64a
#define CSR_HGATP       0x680
#define CSR_HGEIP       0xe12

// ---- Virtual supervisor CSRs (priv spec §8.2.11-) ----
#define CSR_VSSTATUS    0x200
#define CSR_VSIE        0x204
#define CSR_VSTVEC      0x205
#define CSR_VSSCRATCH   0x240
#define CSR_VSEPC       0x241
#define CSR_VSCAUSE     0x242
#define CSR_VSTVAL      0x243
#define CSR_VSIP        0x244
#define CSR_VSTIMECMP   0x24d   // Sstc
#define CSR_VSATP       0x280

// ---- Machine CSRs the guest may poke at (they must fault) ----
#define CSR_MSTATUS     0x300
#define CSR_MISA        0x301
#define CSR_MHARTID     0xf14

// ---- Unprivileged counters (Zicntr) ----
#define CSR_CYCLE       0xc00
#define CSR_TIME        0xc01
#define CSR_INSTRET     0xc02

// ---- sstatus fields (§4.1.1) ----
#define SSTATUS_SIE     (1UL << 1)
#define SSTATUS_SPIE    (1UL << 5)
#define SSTATUS_UBE     (1UL << 6)
#define SSTATUS_SPP     (1UL << 8)
#define SSTATUS_VS      (3UL << 9)
#define SSTATUS_FS      (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_XS      (3UL << 15)
#define SSTATUS_SUM     (1UL << 18)
#define SSTATUS_MXR     (1UL << 19)
#define SSTATUS_UXL     (3UL << 32)
#define SSTATUS_SD      (1UL << 63)

// ---- hstatus fields (§8.2.1) ----
#define HSTATUS_GVA     (1UL << 6)
#define HSTATUS_SPV     (1UL << 7)
#define HSTATUS_SPVP    (1UL << 8)
#define HSTATUS_HU      (1UL << 9)
#define HSTATUS_VTVM    (1UL << 20)
#define HSTATUS_VTW     (1UL << 21)
#define HSTATUS_VTSR    (1UL << 22)
#define HSTATUS_VSXL    (3UL << 32)
#define HSTATUS_VSXL_64 (2UL << 32)

// ---- interrupt numbers (§3.1.9, §8.2.3) and sip/hip bits ----
#define IRQ_S_SOFT      1
#define IRQ_VS_SOFT     2
#define IRQ_S_TIMER     5
#define IRQ_VS_TIMER    6
#define IRQ_S_EXT       9
#define IRQ_VS_EXT      10
#define IRQ_SG_EXT      12
#define SIP_SSIP        (1UL << IRQ_S_SOFT)
#define SIP_STIP        (1UL << IRQ_S_TIMER)
#define SIP_SEIP        (1UL << IRQ_S_EXT)
#define HIP_VSSIP       (1UL << IRQ_VS_SOFT)
#define HIP_VSTIP       (1UL << IRQ_VS_TIMER)
#define HIP_VSEIP       (1UL << IRQ_VS_EXT)
#define HIP_SGEIP       (1UL << IRQ_SG_EXT)

// ---- exception codes (scause, §4.1.9 and §8.6.1) ----
#define EXC_INST_MISALIGNED     0
#define EXC_INST_ACCESS         1
#define EXC_ILLEGAL_INST        2
#define EXC_BREAKPOINT          3
#define EXC_LOAD_MISALIGNED     4
#define EXC_LOAD_ACCESS         5
#define EXC_STORE_MISALIGNED    6
#define EXC_STORE_ACCESS        7
#define EXC_ECALL_U             8
#define EXC_ECALL_S             9   // from HS-mode
#define EXC_ECALL_VS            10
#define EXC_ECALL_M             11
#define EXC_INST_PAGE_FAULT     12
#define EXC_LOAD_PAGE_FAULT     13
#define EXC_STORE_PAGE_FAULT    15
#define EXC_INST_GUEST_PAGE_FAULT  20
#define EXC_LOAD_GUEST_PAGE_FAULT  21
#define EXC_VIRTUAL_INST        22
#define EXC_STORE_GUEST_PAGE_FAULT 23
#define SCAUSE_INTR     (1UL << 63)

// ---- satp / hgatp (§4.1.11, §8.2.10) ----
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0UL
#define SATP_MODE_SV39  (8UL << 60)
#define SATP_PPN_MASK   ((1UL << 44) - 1)
#define HGATP_MODE_SV39X4 (8UL << 60)
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffUL << HGATP_VMID_SHIFT)
#define HGATP_PPN_MASK  ((1UL << 44) - 1)

// ---- page table entries (§4.3.1, §4.4) ----
#define PGSIZE          4096UL
#define PGSHIFT         12
#define PTE_V           (1UL << 0)
#define PTE_R           (1UL << 1)
#define PTE_W           (1UL << 2)
#define PTE_X           (1UL << 3)
#define PTE_U           (1UL << 4)
#define PTE_G           (1UL << 5)
#define PTE_A           (1UL << 6)
#define PTE_D           (1UL << 7)
#define PTE_PPN_SHIFT   10
#define PTE2PA(pte)     ((((pte) >> PTE_PPN_SHIFT) & ((1UL << 44) - 1)) << PGSHIFT)
#define PA2PTE(pa)      ((((u64)(pa)) >> PGSHIFT) << PTE_PPN_SHIFT)

// ---- henvcfg / menvcfg (§8.2.7) ----
#define ENVCFG_STCE     (1UL << 63)

// ---- hcounteren / scounteren bits ----
#define COUNTEREN_CY    (1UL << 0)
#define COUNTEREN_TM    (1UL << 1)
#define COUNTEREN_IR    (1UL << 2)

#if !defined(__ASSEMBLER__) && defined(HOST_TEST)
// Host-native builds (tests/, -DHOST_TEST): CSR accesses and fences go to
// a fake CSR file in tests/fake_host.c, keyed by the CSR's name as written
// ("sstatus" or, for CSR_* numbers, "0x100").
u64  fake_csr_read(const char *csr);
void fake_csr_write(const char *csr, u64 val);
u64  fake_csr_rmw(const char *csr, u64 set, u64 clear, int swap, u64 val);
#define csr_read(csr)        __csr_read(csr)
#define csr_write(csr, val)  __csr_write(csr, val)
#define csr_set(csr, val)    __csr_set(csr, val)
#define csr_clear(csr, val)  __csr_clear(csr, val)
#define csr_swap(csr, val)   __csr_swap(csr, val)
#define __csr_read(csr)       fake_csr_read(#csr)
#define __csr_write(csr, val) fake_csr_write(#csr, (u64)(val))
#define __csr_set(csr, val)   ((void)fake_csr_rmw(#csr, (u64)(val), 0, 0, 0))
#define __csr_clear(csr, val) ((void)fake_csr_rmw(#csr, 0, (u64)(val), 0, 0))
#define __csr_swap(csr, val)  fake_csr_rmw(#csr, 0, 0, 1, (u64)(val))
static inline void wfi(void) {}
static inline void fence(void) {}
static inline void hfence_gvma_all(void) {}
static inline void hfence_gvma_gpa(u64 gpa) { (void)gpa; }
#elif !defined(__ASSEMBLER__)
// csr may be a name (sstatus) or a CSR_* number; the extra level of macro
// expands CSR_* before it is turned into the assembler operand.
#define csr_read(csr)        __csr_read(csr)
#define csr_write(csr, val)  __csr_write(csr, val)
#define csr_set(csr, val)    __csr_set(csr, val)
#define csr_clear(csr, val)  __csr_clear(csr, val)
#define csr_swap(csr, val)   __csr_swap(csr, val)
#define __csr_read(csr) ({ u64 __v; \
  asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define __csr_write(csr, val) ({ u64 __v = (u64)(val); \
  asm volatile("csrw " #csr ", %0" :: "rK"(__v) : "memory"); })
#define __csr_set(csr, val) ({ u64 __v = (u64)(val); \
  asm volatile("csrs " #csr ", %0" :: "rK"(__v) : "memory"); })
#define __csr_clear(csr, val) ({ u64 __v = (u64)(val); \
  asm volatile("csrc " #csr ", %0" :: "rK"(__v) : "memory"); })
#define __csr_swap(csr, val) ({ u64 __v = (u64)(val); \
  asm volatile("csrrw %0, " #csr ", %0" : "+r"(__v) :: "memory"); __v; })

static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }
static inline void fence(void) { asm volatile("fence rw, rw" ::: "memory"); }
// G-stage TLB flushes (priv spec §8.3.2): all VMIDs and addresses, or the
// one guest physical address gpa (the instruction takes it shifted right by 2).
static inline void hfence_gvma_all(void) { asm volatile("hfence.gvma zero, zero" ::: "memory"); }
static inline void hfence_gvma_gpa(u64 gpa)
{
  asm volatile("hfence.gvma %0, zero" :: "r"(gpa >> 2) : "memory");
}
#endif
