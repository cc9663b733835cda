// hyp.h: the hypervisor's data structures (one VM with one vCPU) and the
// prototypes of hyp/*.c. Data flow per exit: kernel/vmentry.S saves the
// vCPU -> exit.c reads the cause -> sbi.c / csr.c / stage2.c / mmio.c /
// vtimer.c ... emulate, inject (inject.c), block or stop -> vcpu.c enters
// the guest again.
#pragma once
#include "kernel/defs.h"
#include "kernel/context.h"
#include "hyp/bootcfg.h"
#include "hyp/decode.h"
#include "hyp/virtio_blk.h"

#define GUEST_RAM_BASE   0x80000000UL
#define GUEST_KERNEL_GPA 0x80200000UL
#define GUEST_FDT_SIZE   (2UL << 20)     // the FDT lives in the top 2 MiB of RAM

// The virtual platform's devices (DESIGN.md §1), where QEMU virt has them.
#define VUART_BASE   0x10000000UL
#define VUART_SIZE   0x100UL
#define VUART_IRQ    10
#define VUART_CLOCK  3686400
#define VUART_REGS   8           // registers one byte apart; the rest of the window faults
#define VUART_FIFO   16
#define VPLIC_BASE   0x0c000000UL
#define VPLIC_SIZE   0x600000UL
#define VPLIC_NDEV   96
#define VIRTIO_BASE  0x10001000UL
#define VIRTIO_SIZE  0x1000UL
#define VIRTIO_IRQ   1

// Why the vCPU left the guest; counted per VM, printed when it stops.
enum exit_reason {
  EXIT_SBI,        // ecall from VS-mode
  EXIT_CSR,        // CSR access that trapped (virtual instruction)
  EXIT_SRET,       // SRET with hstatus.VTSR
  EXIT_WFI,        // WFI with hstatus.VTW
  EXIT_SFENCE,     // SFENCE.VMA / satp with hstatus.VTVM
  EXIT_ILLEGAL,    // virtual instruction turned into an illegal-instruction fault
  EXIT_RAMFAULT,   // G-stage fault in guest RAM: demand paging
  EXIT_MMIO,       // G-stage fault in a device window: emulated access
  EXIT_ACCESS,     // G-stage fault elsewhere: access fault for the guest
  EXIT_TIMER,      // host timer interrupt
  EXIT_EXTIRQ,     // host external interrupt (console, disks)
  EXIT_SOFTIRQ,    // host software interrupt
  EXIT_OTHER,
  EXIT_NR
};

#define MMIO_MAX 8

// A device model's window on the MMIO bus (mmio.c). off is relative to
// base; width is 1, 2, 4 or 8; values are zero-extended.
struct mmio_dev {
  const char *name;
  u64 base, size;
  u64  (*read)(void *opaque, u64 off, int width);
  void (*write)(void *opaque, u64 off, int width, u64 val);
  void *opaque;
};

#if LAB >= 2
// The emulated ns16550a (vuart.c): only plain bytes, so that a snapshot
// can save and restore it as it is.
struct vuart {
  u8 ier, lcr, mcr, scr, dll, dlm, fcr;
  u8 lsr_err;              // LSR error bits (OE) latched until LSR is read
  u8 thr_ipending;         // THRE interrupt condition (cleared by reading IIR)
  u8 rx_head, rx_count;    // receive FIFO
  u8 rx[VUART_FIFO];
};
#endif

#if LAB >= 3
// The virtual PLIC (vplic.c): two contexts as on QEMU virt's hart 0,
// 0 = M-mode (kept, never drives anything) and 1 = S-mode (drives VSEIP).
// Bit i of a word array is source i; source 0 does not exist.
#define VPLIC_WORDS    (VPLIC_NDEV / 32 + 1)
#define VPLIC_CONTEXTS 2
struct vplic {
  u32 priority[VPLIC_NDEV + 1];
  u32 level[VPLIC_WORDS];              // the device's interrupt line, as last set
  u32 pending[VPLIC_WORDS];            // gateway: waiting for a claim
  u32 claimed[VPLIC_WORDS];            // claimed, not yet completed
  u32 enable[VPLIC_CONTEXTS][VPLIC_WORDS];
  u32 threshold[VPLIC_CONTEXTS];
};
#endif

enum vm_state { VM_RUNNING, VM_SHUTDOWN, VM_REBOOT, VM_STOPPED };

struct vcpu {
  struct context ctx;      // first: vmentry.S saves and loads it
  struct vm *vm;
  // The exit being handled (priv spec §8.6: scause, stval; htval and
  // htinst only for a guest-page fault, the one exit that sets them).
  u64 scause, stval, htval, htinst;
  u64 gpa;                 // a guest-page fault's GPA, as stage2_fault found it
  u64 hvip;                // virtual interrupts we assert (VSSIP/VSTIP/VSEIP)
  u64 timer_deadline;      // guest time of the next VS timer, ~0 if none
  int hsm_state;           // SBI HSM state of this hart
};

struct vm {
  const struct bootcfg *cfg;
  u64 ram_size;            // bytes of guest RAM (GUEST_MEM)
  u64 *s2root;             // Sv39x4 G-stage root table (16 KiB)
  u16 vmid;
  u64 pages;               // guest RAM pages backed by host pages
  u64 flat_hpa;            // until lab 2: host block backing all of RAM
  u64 entry;               // guest entry point (GPA)
  u64 fdt_gpa;             // where the generated device tree is
  enum vm_state state;
  int trace;               // print one line per exit
  int no_htval;            // ignore htval, as if the hart wrote 0 (tests)
  u64 exits[EXIT_NR];
  const struct mmio_dev *mmio[MMIO_MAX + 1];   // null-terminated
  int nmmio;
#if LAB >= 2
  struct vuart vuart;
#endif
#if LAB >= 3
  struct vplic vplic;
#endif
#if LAB >= 4
  struct vblkdev vblk;      // the guest disk (virtio_mmio.c, virtio_blk.c)
#endif
#if LAB >= 5
  int restore_pending;      // a validated snapshot restore waits (snapshot.c)
#endif
  struct vcpu vcpu;
};

extern struct vm the_vm;

// Guest general registers; x0 reads 0 and ignores writes.
static inline u64 vcpu_reg(struct vcpu *v, int r)
{
  return r == 0 ? 0 : v->ctx.x[r];
}

static inline void vcpu_set_reg(struct vcpu *v, int r, u64 val)
{
  if (r != 0)
    v->ctx.x[r] = val;
}

// SBI call arguments a0-a7, and the (error, value) result in a0/a1
// (SBI spec v2.0 §3).
#define SBI_ARG(v, n) ((v)->ctx.x[10 + (n)])

static inline void sbi_ret(struct vcpu *v, long error, long value)
{
  v->ctx.x[10] = error;
  v->ctx.x[11] = value;
}

// vm.c
void vm_main(void);
int  vm_create(struct vm *vm, const struct bootcfg *cfg);
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_halt(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_print_exits(struct vm *vm);

// loader.c: the guest image into guest RAM
int  loader_load(struct vm *vm, const u8 *image, u64 size, u32 kind);

// fdt_gen.c: the device tree the guest sees (DESIGN.md §1)
int  fdt_generate(struct vm *vm, u8 *buf, u64 cap);

// vcpu.c
void vcpu_init(struct vcpu *v, struct vm *vm);
void vcpu_run(struct vcpu *v);

// exit.c
void exit_handle(struct context *ctx) __attribute__((noreturn));   // from vmentry.S
const char *exit_reason_name(enum exit_reason r);

// trace.c: one line per exit, when vm->trace is on
void trace_before(struct vcpu *v);
void trace_after(struct vcpu *v);
void insn_words(u32 insn, char *buf, int n);     // "csrrs csr 0xc01", "load 4 bytes"

// diag.c: readable failures. After a vm_stop line: the exit in words,
// then (from the caller) the likely mistake.
void diag_exit(struct vcpu *v, const char *pre);
void vm_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pte_perm(u64 pte, char buf[8]);              // "rwxu-ad"

// inject.c
void inject_exception(struct vcpu *v, u64 cause, u64 tval);
void inject_illegal(struct vcpu *v, u32 insn);

// insn.c: fetching the trapping instruction
int  insn_fetch_halves(u64 pc, u32 *insn);

// The instruction at guest virtual address pc (normally the vCPU's sepc):
// one 32-bit read when that stays in pc's page (a compressed
// instruction's neighbour comes along, harmlessly), else insn.c's slow
// path. Inline because every CSR and MMIO exit runs it.
static inline int insn_fetch(u64 pc, u32 *insn)
{
  u64 w;
  if ((pc & (PGSIZE - 1)) <= PGSIZE - 4 && (w = hlvx_wu(pc)) != HLVX_FAULT) {
    *insn = insn_length(w) == 2 ? (u16)w : (u32)w;
    return 0;
  }
  return insn_fetch_halves(pc, insn);
}

// csr.c: virtual-instruction exits (CSRs, SRET, WFI, SFENCE.VMA)
void csr_virtual_insn(struct vcpu *v);

// sbi.c
void sbi_handle_ecall(struct vcpu *v);

// stage2.c: G-stage translation (Sv39x4, priv spec §8.5)
int  stage2_init(struct vm *vm);
void stage2_destroy(struct vm *vm);               // free tables and guest RAM
u64  stage2_hgatp(struct vm *vm);
int  stage2_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 perm);
u64  stage2_translate(struct vm *vm, u64 gpa);   // hpa, or 0 if unmapped
u64  stage2_level_size(int level);                // 4K, 2M, 1G for 0, 1, 2
u64  stage2_index(u64 gpa, int level);            // gpa's entry in a level-N table
typedef void (*stage2_leaf_fn)(struct vm *vm, u64 gpa, u64 *pte, int level, void *arg);
void stage2_each_leaf(struct vm *vm, stage2_leaf_fn fn, void *arg);
u64 *stage2_leaf(struct vm *vm, u64 gpa, int *level);   // leaf PTE, or 0
int  stage2_split(struct vm *vm, u64 gpa);   // 2M leaf -> 512 4K leaves; -1 if not
void stage2_fault(struct vcpu *v);

// vswalk.c: a guest-page fault's GPA when the hart left htval 0
u64  vswalk_fault_gpa(struct vcpu *v);

// mmio.c
void mmio_register(struct vm *vm, const struct mmio_dev *dev);
const struct mmio_dev *mmio_find(struct vm *vm, u64 gpa);   // 0 if no device there
void mmio_fault(struct vcpu *v, u64 gpa);

#if LAB >= 2
// vuart.c: the guest's ns16550a. vuart_irq_pending is the level of its
// interrupt line (VUART_IRQ) for the vPLIC (lab 3); vuart_poll moves host
// console input into its receive FIFO.
void vuart_init(struct vm *vm);
int  vuart_irq_pending(struct vuart *u);
void vuart_poll(struct vm *vm);
#endif
#if LAB >= 3
void vuart_update_irq(struct vm *vm);   // the line's level to the vPLIC
void vuart_input(struct vm *vm);        // host console input arrived
#endif

// monitor.c: the hypervisor monitor, opened by CONSOLE_ESCAPE (Ctrl-])
// on the console. vm_getc is how hyp/ reads the host console for the
// guest; it opens the monitor when the escape key was typed.
void monitor_run(struct vm *vm, const char *why);
int  vm_getc(struct vm *vm);     // -1 if nothing typed

// irq.c: host interrupts taken while the guest ran
void hostirq_handle(struct vcpu *v);

#if LAB >= 3
// Virtual interrupts (lab 3): the vCPU's pending VS interrupts are hvip's
// VSSIP/VSTIP/VSEIP bits (priv spec §8.2.4). The guest itself can clear
// VSSIP (its sip.SSIP is an alias), so the CSR is the truth and v->hvip a
// copy of it for the monitor and snapshots.
static inline void vcpu_set_irq(struct vcpu *v, u64 bit, int on)
{
  if (on)
    csr_set(CSR_HVIP, bit);
  else
    csr_clear(CSR_HVIP, bit);
  v->hvip = csr_read(CSR_HVIP);
}

// vtimer.c: the virtual timer (SBI TIME, the host timer multiplexed) and
// WFI that blocks until a virtual interrupt is pending.
void sbi_time(struct vcpu *v, long fid);
void vtimer_set(struct vcpu *v, u64 deadline);   // guest time; ~0 = never
void vtimer_tick(struct vcpu *v);                // host timer interrupt
void vtimer_wfi(struct vcpu *v);                 // block until an interrupt is pending
void vtimer_host_event(u64 host_deadline, void (*fn)(void));

// sbi_ipi.c: SBI IPI, RFNC and HSM for the VM's one hart
void sbi_ipi(struct vcpu *v, long fid);
void sbi_rfnc(struct vcpu *v, long fid);
void sbi_hsm(struct vcpu *v, long fid);

// vplic.c: the virtual PLIC. Device models set their line's level;
// the vPLIC recomputes VSEIP.
void vplic_init(struct vm *vm);
void vplic_set_level(struct vm *vm, u32 irq, int level);
u64  vplic_read(struct vm *vm, u64 off, int width);
void vplic_write(struct vm *vm, u64 off, int width, u64 val);
int  vplic_s_eip(struct vplic *p);               // S-context interrupt line

// The level a device last gave its line (vplic_set_level keeps it). A
// device that sets its line after every access asks first: the access
// nearly always leaves the line as it was, and the call is then not needed.
static inline int vplic_level(struct vplic *p, u32 irq)
{
  return (p->level[irq / 32] >> (irq % 32)) & 1;
}
#endif

// gmem.c: the hypervisor's own accesses to guest RAM. gmem_is_ram: is
// [gpa, gpa+len) inside guest RAM? (written so that no sum overflows;
// inline, as every guest-page fault asks it first)
static inline int gmem_is_ram(struct vm *vm, u64 gpa, u64 len)
{
  if (gpa < GUEST_RAM_BASE)
    return 0;
  u64 off = gpa - GUEST_RAM_BASE;
  return off < vm->ram_size && len <= vm->ram_size - off;
}
void *gmem_page(struct vm *vm, u64 gpa);         // host address, or 0
void *gmem_page_4k(struct vm *vm, u64 gpa);      // the same, never a 2 MiB leaf
void *gmem_span(struct vm *vm, u64 gpa, u64 *n); // host address, *n contiguous bytes
int  gmem_read(struct vm *vm, u64 gpa, void *dst, u64 len);
int  gmem_write(struct vm *vm, u64 gpa, const void *src, u64 len);
