// monitor.c: the hypervisor monitor. Type Ctrl-] (CONSOLE_ESCAPE) on the
// console and the guest pauses at its next exit; hv6 prints a `hv6> `
// prompt and answers questions about the VM: its registers, its exit
// counters, its G-stage page tables. `continue` resumes the guest, `quit`
// stops it. (QEMU -nographic keeps Ctrl-a for itself; Ctrl-] passes
// through to the board's UART.) A bootcfg flag (BOOTCFG_F_MONITOR,
// `run.py --monitor`) opens the monitor before the guest's first
// instruction.
//
// The monitor runs between two exits, so the guest's registers are in
// vm->vcpu.ctx and its VS CSRs are still in the hart. It reads the
// console by polling, and waits with WFI in between.
#include "hyp/hyp.h"
#if LAB >= 5
#include "hyp/snapstore.h"
#endif

#define LINE_MAX 80
#define ARGS_MAX 6

struct cmd {
  const char *name;        // "info vcpu": matched word by word
  const char *help;
  int (*fn)(struct vm *vm, int argc, char **argv);   // 1: leave the monitor
};

// ---- input ----

static int monitor_getc(struct vm *vm)
{
  int c;
  (void)vm;
  while ((c = console_getc()) < 0) {
    asm volatile("wfi");
    // Claim and complete the host's interrupts here, not through
    // hostirq_handle: that would hand the typed line to the guest's UART.
    // (A host disk's interrupt only needs acknowledging.)
    u32 irq;
    while ((irq = plic_claim()) != 0) {
      if (irq == platform.uart.irq)
        console_intr();
      else
        vblk_intr(irq);
      plic_complete(irq);
    }
  }
  return c;
}

// Read one line with echo and backspace; returns its length.
static int read_line(struct vm *vm, char *buf, int cap)
{
  int n = 0;
  for (;;) {
    int c = monitor_getc(vm);
    if (c == '\r' || c == '\n') {
      printf("\n");
      buf[n] = 0;
      return n;
    }
    if (c == 0x7f || c == '\b') {
      if (n > 0) {
        n--;
        printf("\b \b");
      }
    } else if (c == 0x15) {             // Ctrl-U: erase the line
      while (n > 0) {
        n--;
        printf("\b \b");
      }
    } else if (c >= ' ' && c < 0x7f && n < cap - 1) {
      buf[n++] = c;
      printf("%c", c);
    }
  }
}

static int split(char *s, char **argv)
{
  int argc = 0;
  while (*s && argc < ARGS_MAX) {
    while (*s == ' ')
      *s++ = 0;
    if (*s == 0)
      break;
    argv[argc++] = s;
    while (*s && *s != ' ')
      s++;
  }
  return argc;
}

// A number in hex (with or without 0x) -- addresses are hex everywhere.
static int parse_hex(const char *s, u64 *out)
{
  u64 v = 0;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  if (*s == 0)
    return -1;
  for (; *s; s++) {
    int d = *s >= '0' && *s <= '9' ? *s - '0' :
            *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
            *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
    if (d < 0 || v >> 60)
      return -1;
    v = v << 4 | d;
  }
  *out = v;
  return 0;
}

// ---- info vcpu ----

static const char *regnames[32] = {
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
  "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
  "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static void pad(const char *s, int width)
{
  printf("%s", s);
  for (int n = strlen(s); n < width; n++)
    printf(" ");
}

static int cmd_vcpu(struct vm *vm, int argc, char **argv)
{
  (void)argc, (void)argv;
  struct vcpu *v = &vm->vcpu;
  int vu = !(v->ctx.sstatus & SSTATUS_SPP);
  printf("pc   0x%016lx  (%s-mode)\n", v->ctx.sepc, vu ? "VU" : "VS");
  for (int r = 1; r < 32; r++) {
    pad(regnames[r], 4);
    printf(" 0x%016lx%s", vcpu_reg(v, r), r % 3 == 0 ? "\n" : "   ");
  }
  printf("\n");
  u64 s = csr_read(CSR_VSSTATUS);
  printf("vsstatus  0x%016lx  SIE=%ld SPIE=%ld SPP=%s SUM=%ld MXR=%ld FS=%ld\n", s,
         (s >> 1) & 1, (s >> 5) & 1, (s & SSTATUS_SPP) ? "S" : "U", (s >> 18) & 1,
         (s >> 19) & 1, (s >> 13) & 3);
  u64 tvec = csr_read(CSR_VSTVEC);
  printf("vstvec    0x%016lx  %s\n", tvec, (tvec & 3) == 1 ? "vectored" : "direct");
  printf("vsepc     0x%016lx\n", csr_read(CSR_VSEPC));
  u64 cause = csr_read(CSR_VSCAUSE);
  printf("vscause   0x%016lx  %s\n", cause, scause_name(cause));
  printf("vstval    0x%016lx\n", csr_read(CSR_VSTVAL));
  u64 atp = csr_read(CSR_VSATP);
  if ((atp >> 60) == 8)
    printf("vsatp     0x%016lx  Sv39 asid=%ld root=0x%lx\n", atp, (atp >> 44) & 0xffff,
           (atp & ((1UL << 44) - 1)) << PGSHIFT);
  else
    printf("vsatp     0x%016lx  %s\n", atp, atp >> 60 ? "?" : "bare (no paging)");
  printf("vsie      0x%016lx  (SSIE=%ld STIE=%ld SEIE=%ld)\n", csr_read(CSR_VSIE),
         (csr_read(CSR_VSIE) >> 1) & 1, (csr_read(CSR_VSIE) >> 5) & 1,
         (csr_read(CSR_VSIE) >> 9) & 1);
  printf("vsip      0x%016lx\n", csr_read(CSR_VSIP));
  printf("vsscratch 0x%016lx\n", csr_read(CSR_VSSCRATCH));
  printf("hvip      0x%016lx\n", csr_read(CSR_HVIP));
  u64 exits = 0;
  for (int r = 0; r < EXIT_NR; r++)
    exits += vm->exits[r];
  if (exits)
    diag_exit(v, "");
  else
    printf("last exit: none yet\n");
  return 0;
}

// ---- info exits ----

static int cmd_exits(struct vm *vm, int argc, char **argv)
{
  (void)argc, (void)argv;
  u64 total = 0;
  for (int r = 0; r < EXIT_NR; r++) {
    total += vm->exits[r];
    pad(exit_reason_name(r), 12);
    printf(" %ld\n", vm->exits[r]);
  }
  pad("total", 12);
  printf(" %ld\n", total);
  printf("guest RAM pages backed: %ld of %ld\n", vm->pages, vm->ram_size / PGSIZE);
  return 0;
}

// ---- info stage2 ----
// The G-stage tables as the hardware walks them (priv spec §8.5): a 2048-
// entry root (GPA bits 40:30), then 512-entry tables (29:21, 20:12). The
// one-address walk follows only tables in memory the host allocator owns,
// so a broken table cannot send the monitor into the weeds.

static const char *s2_size(int level)
{
  return level == 2 ? "1G" : level == 1 ? "2M" : "4K";
}

struct run {
  u64 gpa, hpa, size, pte_flags;
  int level;
  u64 leaves, runs, bytes;
};

static void run_flush(struct run *r)
{
  if (r->size == 0)
    return;
  char perm[8];
  pte_perm(r->pte_flags, perm);
  u64 n = r->size >> (PGSHIFT + 9 * r->level);
  printf("  0x%010lx-0x%010lx -> 0x%010lx  %4ld x %s  %s\n", r->gpa,
         r->gpa + r->size - 1, r->hpa, n, s2_size(r->level), perm);
  r->runs++;
  r->size = 0;
}

static void run_add(struct run *r, u64 gpa, u64 pte, int level)
{
  u64 size = stage2_level_size(level), hpa = PTE2PA(pte), flags = pte & 0x3ff;
  r->leaves++;
  r->bytes += size;
  if (r->size && r->level == level && r->pte_flags == flags &&
      gpa == r->gpa + r->size && hpa == r->hpa + r->size) {
    r->size += size;
    return;
  }
  run_flush(r);
  *r = (struct run){ gpa, hpa, size, flags, level, r->leaves, r->runs, r->bytes };
}

static void s2_visit(struct vm *vm, u64 gpa, u64 *pte, int level, void *arg)
{
  (void)vm;
  run_add(arg, gpa, *pte, level);
}

static void s2_walk_one(struct vm *vm, u64 gpa)
{
  printf("GPA 0x%lx: ", gpa);
  if (gmem_is_ram(vm, gpa, 1))
    printf("guest RAM\n");
  else {
#if LAB >= 2
    const struct mmio_dev *d = mmio_find(vm, gpa);
#else
    const struct mmio_dev *d = 0;
#endif
    if (d)
      printf("device %s, offset 0x%lx (emulated, never mapped)\n", d->name, gpa - d->base);
    else
      printf("neither RAM nor a device: the guest gets an access fault\n");
  }
  if (gpa >> 41) {
    printf("  beyond Sv39x4's 41-bit guest physical address space\n");
    return;
  }
  u64 *table = vm->s2root;
  for (int level = 2; level >= 0; level--) {
    u64 idx = stage2_index(gpa, level);
    u64 pte = table[idx];
    printf("  L%d %s[%ld] at 0x%lx: pte 0x%016lx ", level, level == 2 ? "root" : "table",
           idx, (u64)&table[idx], pte);
    if (!(pte & PTE_V)) {
      printf("invalid: not mapped%s\n", gmem_is_ram(vm, gpa, 1) ?
             " (first touch will demand-page it)" : "");
      return;
    }
    if (pte & (PTE_R | PTE_W | PTE_X)) {
      char perm[8];
      pte_perm(pte, perm);
      u64 off = gpa & (stage2_level_size(level) - 1);
      printf("leaf %s %s\n  -> HPA 0x%lx\n", s2_size(level), perm, PTE2PA(pte) + off);
      return;
    }
    u64 next = PTE2PA(pte);
    printf("table at 0x%lx\n", next);
    if (level == 0 || !kalloc_owns(next)) {
      printf("  bad: %s\n", level == 0 ? "a pointer in a last-level table" :
             "points outside the host's page allocator");
      return;
    }
    table = (u64 *)next;
  }
}

static int cmd_stage2(struct vm *vm, int argc, char **argv)
{
  if (vm->s2root == 0) {
    printf("no G-stage tables\n");
    return 0;
  }
  if (argc > 0) {
    u64 gpa;
    if (parse_hex(argv[0], &gpa) < 0)
      printf("usage: info stage2 [gpa in hex]\n");
    else
      s2_walk_one(vm, gpa);
    return 0;
  }
  u64 hgatp = stage2_hgatp(vm);
  printf("hgatp 0x%lx: Sv39x4, vmid %ld, root 0x%lx\n", hgatp,
         (hgatp >> HGATP_VMID_SHIFT) & 0x3fff, (u64)vm->s2root);
  printf("  GPA range                    -> HPA         leaves     perm\n");
  struct run r = { 0 };
  stage2_each_leaf(vm, s2_visit, &r);
  run_flush(&r);
  printf("%ld leaves in %ld runs, %ld KiB mapped; %ld of %ld RAM pages backed\n",
         r.leaves, r.runs, r.bytes >> 10, vm->pages, vm->ram_size / PGSIZE);
  return 0;
}

static int cmd_devices(struct vm *vm, int argc, char **argv)
{
  (void)argc, (void)argv;
  printf("  RAM     0x%010lx-0x%010lx  %ld MiB\n", GUEST_RAM_BASE,
         GUEST_RAM_BASE + vm->ram_size - 1, vm->ram_size >> 20);
  for (int i = 0; i < vm->nmmio; i++) {
    const struct mmio_dev *d = vm->mmio[i];
    printf("  ");
    pad(d->name, 7);
    printf(" 0x%010lx-0x%010lx  mmio\n", d->base, d->base + d->size - 1);
  }
  return 0;
}

// ---- control ----

static int cmd_continue(struct vm *vm, int argc, char **argv)
{
  (void)vm, (void)argc, (void)argv;
  return 1;
}

static int cmd_quit(struct vm *vm, int argc, char **argv)
{
  (void)argc, (void)argv;
  vm_halt(vm, "quit from the monitor");
  return 1;
}

#if LAB >= 5
// snapshot save|list|restore|delete: hyp/snapshot.c does the work.
static int snap_cmd(struct vm *vm, const char *sub, int argc, char **argv)
{
  char *args[ARGS_MAX + 1];
  args[0] = (char *)sub;
  for (int i = 0; i < argc && i < ARGS_MAX; i++)
    args[i + 1] = argv[i];
  snapshot_command(vm, argc + 1, args);
  return 0;
}
static int cmd_snap_save(struct vm *vm, int argc, char **argv)
{
  return snap_cmd(vm, "save", argc, argv);
}
static int cmd_snap_list(struct vm *vm, int argc, char **argv)
{
  return snap_cmd(vm, "list", argc, argv);
}
static int cmd_snap_restore(struct vm *vm, int argc, char **argv)
{
  return snap_cmd(vm, "restore", argc, argv);
}
static int cmd_snap_delete(struct vm *vm, int argc, char **argv)
{
  return snap_cmd(vm, "delete", argc, argv);
}
#endif

// trace on|off: one line per exit from now on (trace.c).
static int cmd_trace(struct vm *vm, int argc, char **argv)
{
  if (argc == 1 && (strcmp(argv[0], "on") == 0 || strcmp(argv[0], "off") == 0))
    vm->trace = strcmp(argv[0], "on") == 0;
  else
    printf("usage: trace on|off\n");
  printf("exit tracing is %s\n", vm->trace ? "on" : "off");
  return 0;
}

static int cmd_help(struct vm *vm, int argc, char **argv);

static const struct cmd cmds[] = {
  { "help", "this list", cmd_help },
  { "info vcpu", "guest registers and VS CSRs", cmd_vcpu },
  { "info exits", "exit counters by reason", cmd_exits },
  { "info stage2", "G-stage mappings; `info stage2 <gpa>` walks one address", cmd_stage2 },
  { "info devices", "guest RAM and the devices on the MMIO bus", cmd_devices },
  { "trace", "`trace on|off`: one line per exit (reason, pc, instruction, outcome)",
    cmd_trace },
#if LAB >= 5
  { "snapshot save", "`snapshot save [-f] NAME`: save the VM (incremental after the "
    "first; -f: full)", cmd_snap_save },
  { "snapshot list", "the snapshots in the store", cmd_snap_list },
  { "snapshot restore", "`snapshot restore NAME`: validate, then resume it on `continue`",
    cmd_snap_restore },
  { "snapshot delete", "`snapshot delete NAME`", cmd_snap_delete },
#endif
  { "continue", "resume the guest (also: c)", cmd_continue },
  { "quit", "stop the VM and power off (also: q)", cmd_quit },
};

static int cmd_help(struct vm *vm, int argc, char **argv)
{
  (void)vm, (void)argc, (void)argv;
  for (u64 i = 0; i < NELEM(cmds); i++) {
    printf("  ");
    pad(cmds[i].name, 14);
    printf(" %s\n", cmds[i].help);
  }
  return 0;
}

// Match "info stage2 0x80000000" against "info stage2": the command's
// words must be the first words of the line; the rest are its arguments.
static int match(const char *name, int argc, char **argv)
{
  int w = 0;
  while (*name) {
    if (w >= argc)
      return -1;
    int n = strlen(argv[w]);
    if (strncmp(name, argv[w], n) != 0 || (name[n] != ' ' && name[n] != 0))
      return -1;
    name += n;
    while (*name == ' ')
      name++;
    w++;
  }
  return w;
}

static int run_line(struct vm *vm, char *line)
{
  char *argv[ARGS_MAX];
  int argc = split(line, argv);
  if (argc == 0)
    return 0;
  if (argc == 1 && strcmp(argv[0], "c") == 0)
    return cmd_continue(vm, 0, argv);
  if (argc == 1 && strcmp(argv[0], "q") == 0)
    return cmd_quit(vm, 0, argv);
  for (u64 i = 0; i < NELEM(cmds); i++) {
    int w = match(cmds[i].name, argc, argv);
    if (w >= 0)
      return cmds[i].fn(vm, argc - w, argv + w);
  }
  printf("unknown command '%s' (try help)\n", argv[0]);
  return 0;
}

void monitor_run(struct vm *vm, const char *why)
{
  static int booted;
  if (strcmp(why, "boot") == 0 && booted++)
    return;                     // only before the first boot, not reboots
  printf("\nhv6: monitor (%s): guest paused at pc 0x%lx; `help` lists commands, "
         "`continue` resumes\n", why, vm->vcpu.ctx.sepc);
  char line[LINE_MAX];
  for (;;) {
    printf("hv6> ");
    read_line(vm, line, sizeof(line));
    if (run_line(vm, line))
      break;
  }
  console_escape();             // a Ctrl-] typed at the prompt means nothing
}

int vm_getc(struct vm *vm)
{
  if (console_escape() && vm->state == VM_RUNNING) {
    monitor_run(vm, "escape");
    return -1;
  }
  return console_getc();
}
