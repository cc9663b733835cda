// shell.c: the guest's command shell and its command table.
//
// Interactive: prompt "$ ", read a line, run it. With bootargs
// "run=cmd1;cmd2;..." the commands run one after another (each echoed
// after a prompt, as if typed) and the guest then powers off. To add a
// command, add a line to `cmds` below (see README.md).
#include "guest-os/defs.h"

struct cmd {
  const char *name;
  const char *help;
  int (*fn)(int argc, char **argv);
};

static int help(int argc, char **argv);

static int
echo(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    printf("%s%s", argv[i], i + 1 < argc ? " " : "");
  printf("\n");
  return 0;
}

static int
poweroff(int argc, char **argv)
{
  (void)argc, (void)argv;
  sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
}

static int
reboot(int argc, char **argv)
{
  (void)argc, (void)argv;
  sbi_system_reset(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
}

static const struct cmd cmds[] = {
  { "help",     "list commands",                            help },
  { "echo",     "print the arguments",                      echo },
#if LAB >= 1
  { "csrtest",  "lab 1: supervisor CSRs, SRET, traps, SBI", csrtest },
  { "csrsweep", "read all 4096 CSR numbers, summarise traps", csrsweep },
  { "syssweep", "random SYSTEM-opcode words, summarise traps", syssweep },
  { "hostile",  "hostile guest programs (SECURITY.md) [name]", hostile_main },
#endif
#if LAB >= 2
  { "pgtest",   "lab 2: Sv39 paging, faults, MMIO, UART",   pgtest },
#endif
#if LAB >= 3
  { "inttest",  "lab 3: timer, IPIs, PLIC, masking, storms", inttest },
  { "threads",  "lab 3: two threads preempted by the timer tick", threadstest },
  { "idle",     "lab 3: idle N seconds in WFI with a 100 Hz tick", idle },
  { "rxstat",   "lab 3: did console input come by interrupt?", rxstat },
#endif
#if LAB >= 4
  { "disktest", "lab 4: virtio-blk disk [basic|reboot|persist|hostile]", disktest },
  { "diskbench", "make bench: disk throughput, 1 MiB and 4 KiB requests [quick]", diskbench },
#endif
#if LAB >= 5
  { "snaptest", "lab 5: state in memory, disk, time that survives snapshots", snaptest },
#endif
  { "bench",    "make bench: exit costs and a workload [quick]", bench },
  { "poweroff", "shut the machine down (SBI SRST)",         poweroff },
  { "reboot",   "cold reboot (SBI SRST)",                   reboot },
};

static int
help(int argc, char **argv)
{
  (void)argc, (void)argv;
  for (size_t i = 0; i < NELEM(cmds); i++)
    printf("  %s%s%s\n", cmds[i].name, &"          "[strlen(cmds[i].name)], cmds[i].help);
  return 0;
}

// Split line in place at spaces and run the command. Returns its status.
static int
runcmd(char *line)
{
  char *argv[MAXARGS + 1];
  int argc = 0;
  for (char *p = line; *p;) {
    while (*p == ' ' || *p == '\t')
      *p++ = 0;
    if (*p == 0)
      break;
    if (argc == MAXARGS) {
      printf("too many arguments\n");
      return 1;
    }
    argv[argc++] = p;
    while (*p && *p != ' ' && *p != '\t')
      p++;
  }
  argv[argc] = NULL;
  if (argc == 0)
    return 0;
  for (size_t i = 0; i < NELEM(cmds); i++)
    if (strcmp(argv[0], cmds[i].name) == 0)
      return cmds[i].fn(argc, argv);
  printf("%s: unknown command (try help)\n", argv[0]);
  return 1;
}

// Read a line with echo and backspace; polls the console.
static void
readline(char *buf, int size)
{
  int n = 0;
  for (;;) {
    int c = consgetc();
    if (c < 0) {
#if LAB >= 3
      considle();   // interrupt-driven input: sleep in WFI until a key
#endif
      continue;
    }
    if (c == '\r' || c == '\n') {
      printf("\n");
      break;
    } else if ((c == 0x7f || c == '\b') && n > 0) {
      n--;
      printf("\b \b");
    } else if (c >= ' ' && c < 0x7f && n < size - 1) {
      buf[n++] = c;
      consputc(c);
    }
  }
  buf[n] = 0;
}

// The value of "run=" in the bootargs, copied to buf; 0 if there is none.
static int
runarg(const char *bootargs, char *buf, int size)
{
  const char *p = bootargs;
  while (*p) {
    if (strncmp(p, "run=", 4) == 0 && (p == bootargs || p[-1] == ' ')) {
      p += 4;
      int n = 0;
      while (p[n] && p[n] != ' ' && n < size - 1) {
        buf[n] = p[n];
        n++;
      }
      buf[n] = 0;
      return 1;
    }
    p++;
  }
  return 0;
}

void
shell(const char *bootargs)
{
  static char line[MAXLINE], script[512];
  if (runarg(bootargs, script, sizeof(script))) {
    char *p = script;
    while (*p) {
      char *cmd = p;
      while (*p && *p != ';')
        p++;
      if (*p)
        *p++ = 0;
      // Commands are words: inside run= a ',' stands for a space.
      for (char *q = cmd; *q; q++)
        if (*q == ',')
          *q = ' ';
      printf("$ %s\n", cmd);
      runcmd(cmd);
    }
    sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
  }
  for (;;) {
    printf("$ ");
    readline(line, sizeof(line));
    runcmd(line);
  }
}
