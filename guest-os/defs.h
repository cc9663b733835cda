// defs.h: the guest OS's internal interfaces, one section per file.
#pragma once
#include "kernel/riscv.h"
#include "lib/lib.h"
#include "guest-os/param.h"

struct trapframe;

// console.c
void consinit(void);
void consputc(int c);
int  consgetc(void);
void conswrite(const char *s, int n);

// printf.c
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintf(const char *fmt, va_list ap);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

// sbi/calls.c: the SBI calls of normal operation
#include "sbi/calls.h"

// main.c: the machine as its device tree describes it (lib/fdt.c)
extern struct fdt_info plat;

// trap.c
struct trapinfo {
  u64 scause, stval, sepc, sstatus;
};
void trapinit(void);
void kerneltrap(struct trapframe *tf);
void trap_set_irq_handler(int irq, void (*fn)(void));
void expect_begin(void);
int  expect_end(struct trapinfo *first);
int  insn_length(u64 pc);

// vm.c
void kvminit(void);
void *kalloc_page(void);
u64 ram_top(void);                 // end of RAM below the device tree
u64 *walk(u64 va, int level, int alloc);
void vm_map(u64 va, u64 pa, u64 size, u64 perm);
void vm_map_page(u64 va, u64 pa, int level, u64 perm);
void vm_unmap_page(u64 va, int level);

// umode.c
struct uresult {
  u64 sstatus;  // sstatus as the trap from U-mode left it
  u64 stval;
  u64 a0;       // the program's a0 at the trap
};
void uvminit(void);
u64  run_user(u64 entry, int spie, struct uresult *r);
u64  user_fn(void (*fn)(void));

// jit.c
struct jitresult {
  int ntraps;            // traps taken while the stub ran
  struct trapinfo first; // the first of them
  u64 a0;                // a0 after the stub
};
void jit_run(const u32 *insns, int n, struct jitresult *r);

// uart.c
int  uart_present(void);
u8   uart_read(int reg);
void uart_write(int reg, u8 v);

// selftest.c
void t_begin(const char *name);
void t_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void t_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void t_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int  t_done(void);
u64  fnv1a(u64 h, u64 v);
#define FNV_INIT 0xcbf29ce484222325UL

// shell.c
void shell(const char *bootargs) __attribute__((noreturn));

// self-tests (one file each)
int csrtest(int argc, char **argv);
int pgtest(int argc, char **argv);
int csrsweep(int argc, char **argv);
int csr_native_quirk(u32 csr);   // csrsweep.c: QEMU-vs-spec CSRs left out
int syssweep(int argc, char **argv);
int hostile_main(int argc, char **argv);   // hostile.c (SECURITY.md)
int disktest(int argc, char **argv);
int diskbench(int argc, char **argv);  // diskbench.c (make bench's io.* figures)
int bench(int argc, char **argv);      // bench.c
#if LAB >= 5
int snaptest(int argc, char **argv);   // snaptest.c (lab 5)
#endif

#if LAB >= 3
// timer.c: the periodic tick (lab 3)
enum { TIMER_NONE, TIMER_SBI, TIMER_SSTC };
extern volatile u64 ticks;
void timerinit(void);
int  timer_source(void);
u64  timer_now(void);
void timer_set(u64 t);
int  timer_start(int hz, void (*hook)(void));
void timer_stop(void);
u64  timer_interval(void);
u64  timer_next(void);
void timer_intr(void);
void wait_until(int (*cond)(void));

// plic.c: the PLIC driver and interrupt-driven console input (lab 3)
void plicinit(void);
int  plic_present(void);
void plic_set_priority(u32 irq, u32 prio);
void plic_enable(u32 irq, int on);
void plic_set_threshold(u32 t);
int  plic_pending(u32 irq);
u32  plic_claim(void);
void plic_complete(u32 irq);
int  plic_attach(u32 irq, void (*fn)(void));
int  uartcons_active(void);
int  uartcons_getc(void);
void considle(void);

// lab-3 self-tests (inttest.c, sched.c)
int inttest(int argc, char **argv);
int idle(int argc, char **argv);
int threadstest(int argc, char **argv);
int rxstat(int argc, char **argv);
#endif

