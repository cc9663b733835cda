#!/usr/bin/env python3
# tools/exitprof.py: where the instructions of one exit go (`make exitprof`).
#
# Boots hv6 with the guest's `bench exits` command (100 SBI calls, CSR
# reads and UART reads, one demand fault, guest-os/bench.c) under QEMU with -singlestep and
# `-d exec,nochain`, so QEMU logs the pc of every instruction it executes.
# The log is read through a FIFO (it would be gigabytes on disk). An exit
# runs from trap_vector to the sret in vcpu_resume (kernel/vmentry.S); its
# instructions are counted per hv6 function (M-mode code, i.e. OpenSBI
# answering hv6's own SBI calls, counts as "opensbi"). Exits are grouped
# by kind (which handler ran) and total; the groups that occur most often
# are the bench loop's, one line each:
#
#   sbi      148 insn x100: trap_vector 42, vcpu_resume 39, sbi_handle_ecall 34, ...
#
# These totals match make bench's exit.* figures minus the trapping
# instruction's own loop (the same -icount run, counted another way).
#
# --diskbench profiles the guest's `diskbench quick` instead (make bench's
# I/O runs, 1 MiB per run, on a scratch disk build/exitprof/disk.img): its
# exits are the QUEUE_NOTIFYs of its batches (kind "notify", the mmio exits
# that ran vblkdev_notify), 16 x 4 KiB or 4 x 1 MiB requests each. The
# host device's own time is not in the counts (it is QEMU's), but the
# driver's polling of the used ring while it waits for it is.
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The Makefile's TOOLPREFIX, or the first RISC-V binutils found (its order).
TOOLS = os.environ.get("TOOLPREFIX") or next(
    (p for p in ("riscv64-unknown-elf-", "riscv64-linux-gnu-", "riscv64-elf-")
     if shutil.which(p + "objdump")), "riscv64-unknown-elf-")

# The handler that tells what kind of exit it was, in order of precedence.
KINDS = [("vblkdev_notify", "notify"), ("mmio_fault", "mmio"), ("stage2_fault", "ramfault"), ("csr_virtual_insn", "csr"),
         ("sbi_handle_ecall", "sbi"), ("hostirq_handle", "extirq"), ("vtimer_tick", "timer")]


def symbols(elf):
    """Sorted (address, name) of the text symbols, and the sret that ends an exit."""
    nm = subprocess.run([TOOLS + "nm", "-n", elf], capture_output=True, text=True, check=True)
    syms = [(int(a, 16), n) for a, t, n in (ln.split() for ln in nm.stdout.splitlines()
                                             if len(ln.split()) == 3) if t in "tTW"]
    names = {n: a for a, n in syms}
    dis = subprocess.run([TOOLS + "objdump", "-d", "--start-address=%#x" % names["vcpu_resume"],
                          elf], capture_output=True, text=True, check=True).stdout
    sret = next(int(ln.split(":")[0], 16) for ln in dis.splitlines()
                if ln.rstrip().endswith("sret"))
    return syms, names, sret


def profile(log, syms, names, sret):
    """Read the exec log; return {(kind, total): [count, Counter of functions]}."""
    addrs = [a for a, _ in syms]
    entry, tv = names["_entry"], names["trap_vector"]
    rx = re.compile(rb"/([0-9a-f]{16})/[0-9a-f]+/")
    groups = collections.defaultdict(lambda: [0, None])
    cur = None
    for line in log:
        m = rx.search(line)
        if not m:
            continue
        pc = int(m[1], 16)
        if pc == tv:
            cur = collections.Counter()
        if cur is None:
            continue
        if pc < entry:
            cur["opensbi"] += 1
        else:
            cur[syms[bisect.bisect_right(addrs, pc) - 1][1]] += 1
        if pc == sret:
            kind = next((k for f, k in KINDS if f in cur), "other")
            g = groups[(kind, sum(cur.values()))]
            g[0] += 1
            g[1] = cur
            cur = None
    return groups


def main():
    ap = argparse.ArgumentParser(description="per-function instruction counts of hv6's exits")
    ap.add_argument("--trap", choices=["min", "all"], default="min")
    ap.add_argument("--sstc", choices=["0", "1"], default="0")
    ap.add_argument("--top", type=int, default=2, help="groups shown per kind")
    ap.add_argument("--diskbench", action="store_true",
                    help="profile the guest's `diskbench quick` (I/O exits) instead")
    args = ap.parse_args()
    out = os.path.join(ROOT, "build", "exitprof")
    os.makedirs(out, exist_ok=True)
    disk, cmd, done = "", "run=bench,exits", "bench: done"
    if args.diskbench:
        disk, cmd, done = os.path.join(out, "disk.img"), "run=diskbench,quick", "diskbench: done"
        run.make_disk(disk)                  # the guest writes over it
    o = run.Options(trap=args.trap, sstc=int(args.sstc), bootargs=cmd,
                    icount=True, disk=disk, snapstore="", bootcfg=os.path.join(out, "bootcfg.img"))
    argv = run.command("hv6", o)
    elf = next(a for a in argv if a.endswith("hv6.elf"))
    syms, names, sret = symbols(elf)
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "exec.log")
        os.mkfifo(fifo)
        q = subprocess.Popen(argv + ["-singlestep", "-d", "exec,nochain", "-D", fifo],
                             cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        res = {}
        reader = threading.Thread(target=lambda: res.update(
            g=profile(open(fifo, "rb", buffering=1 << 20), syms, names, sret)))
        reader.start()
        console = q.communicate()[0].decode("latin-1")
        reader.join()
    if done not in console:
        sys.exit(f"exitprof: the guest's `{cmd[4:]}` did not finish:\n" + console[-1500:])
    for line in console.splitlines():
        if re.match(r"(bench: (sbi|csr|uart|stage2|zero)|diskbench: [rw])", line):
            print(line)
    shown = collections.Counter()
    for (kind, total), (count, funcs) in sorted(res["g"].items(), key=lambda x: -x[1][0]):
        # The bench makes one demand fault (a 2 MiB leaf): show it too.
        if shown[kind] >= args.top or (count < 2 and kind != "ramfault"):
            continue
        shown[kind] += 1
        print(f"{kind:9s}{total:5d} insn x{count}: " +
              ", ".join(f"{f} {n}" for f, n in funcs.most_common()))


if __name__ == "__main__":
    main()
