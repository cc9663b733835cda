// defs.h: prototypes of the host kernel's interfaces (kernel/*.c), the
// ones hyp/ is allowed to use. One header, as in xv6.
#pragma once
#include "kernel/riscv.h"
#include "lib/lib.h"

// printf.c (formatting: lib/format.c)
int  printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int  vprintf(const char *fmt, va_list ap);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// uart.c: the host console
void uart_init(u64 base);
void uart_putc(int c);
int  uart_getc(void);            // -1 if nothing received
void uart_enable_rx_intr(void);

// console.c: host console input, buffered for hyp/ and the monitor
void console_intr(void);
void console_intr_on(void);      // input by interrupt from now on
int  console_check(void);        // input or the escape key waiting?
int  console_getc(void);         // -1 if nothing buffered
int  console_escape(void);       // 1 if CONSOLE_ESCAPE was typed since last asked
#define CONSOLE_ESCAPE 0x1d      // Ctrl-]: opens the hypervisor monitor
extern int console_waiting;

// console_check, but one load when there is plainly nothing (the usual
// answer, asked on every guest UART status read).
static inline int console_ready(void)
{
  return console_waiting && console_check();
}

// kalloc.c: the physical page allocator
void  kinit(u64 start, u64 end);
void *kalloc(void);                          // one zeroed 4 KiB page
void *kalloc_contig(u64 npages, u64 align);  // zeroed, aligned run of pages
void  kfree(void *pa);
void  kfree_contig(void *pa, u64 npages);
u64   kalloc_free_pages(void);
int   kalloc_owns(u64 pa);                   // pa is allocator-managed RAM
void  kalloc_reserve(u64 pa, u64 len);       // never hand out [pa, pa+len)

// trap.c: traps taken by host code itself (always a bug: panic)
void trap_init(void);

// timer.c: the host's one timer, multiplexed by hyp/vtimer.c
void timer_init(void);
u64  timer_now(void);
void timer_set(u64 deadline);
u64  timer_freq(void);
extern int host_has_sstc;

// plic.c: the host's interrupt controller (S-mode context of hart 0)
void plic_init(u64 base);
void plic_enable(u32 irq, u32 priority);
int  plic_pending(u32 irq);
u32  plic_claim(void);
void plic_complete(u32 irq);

// platform.c: the host board as its device tree (lib/fdt.c) describes it
extern struct fdt_info platform;
void platform_init(void *fdt);
void platform_poweroff(int failure) __attribute__((noreturn));

// virtio_blk.c: the host's real virtio-blk devices (backing stores), by
// virtio-mmio bus number: bus 0 = guest disk, bus 1 = snapshot store.
struct vblk;
struct vblk_seg {
  u64 pa;                        // host physical address
  u64 len;                       // bytes
};
struct vblk *vblk_get(int bus);  // 0 if no working virtio-blk there
u64  vblk_capacity(struct vblk *d);              // 512-byte sectors
u32  vblk_max_segs(struct vblk *d);              // segments per request
u32  vblk_seg_size_max(struct vblk *d);          // bytes per segment
int  vblk_rw(struct vblk *d, int write, u64 sector, const struct vblk_seg *seg, int nseg);
#define VBLK_FULL (-2)                           // vblk_start: collect the batch first
int  vblk_start(struct vblk *d, int write, u64 sector, const struct vblk_seg *seg, int nseg);
int  vblk_finish(struct vblk *d, u8 *status);    // wait for the batch; -1 if it failed
int  vblk_rw_buf(struct vblk *d, int write, u64 sector, void *buf, u64 len);
int  vblk_flush(struct vblk *d);                 // VIRTIO_BLK_S_* or -1
void vblk_intr(u32 irq);                         // host PLIC source irq was claimed
