#!/usr/bin/python3
# tools/bench.py: `make bench` / `make bench-smoke` (see bench/README.md).
#
# Builds the guest and the hv6 variants it needs, boots the guest's `bench`
# command natively and under hv6 (TRAP=min, TRAP=all, TRAP=min SSTC=1) side
# by side in one run, prints ONE table (figure, value, target, pass/miss) and
# writes build/bench/results.json and build/bench/bench.svg.
#
#   bench.py           the full run (< 5 minutes on 2 cores)
#   bench.py --smoke   one quick iteration; fails only if the harness is broken
#   BENCH_FULL=1       also time a full `make grade`
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import run  # noqa: E402

OUT = os.path.join(ROOT, "build", "bench")
PY = sys.executable or "/usr/bin/python3"

# configuration name -> (mode, trap, sstc)
CONFIGS = {
    "native":  ("native", "min", 0),
    "hv6-min": ("hv6", "min", 0),
    "hv6-all": ("hv6", "all", 0),
    "hv6-sstc": ("hv6", "min", 1),
}
EXIT_FIGS = ["sbi-null", "sbi-base", "csr-read", "uart-read", "stage2-fault"]

# Every key results.json must hold (bench-smoke checks them all).
KEYS = [
    "exit.sbi-null", "exit.sbi-base", "exit.csr-read.trap-min", "exit.csr-read.trap-all",
    "exit.uart-read", "exit.stage2-fault", "exit.timer-inject",
    "policy.exits.trap-min", "policy.exits.trap-all", "policy.exits.sstc",
    "policy.time-ratio.trap-all", "policy.time-ratio.sstc",
    "workload.instret.native", "workload.instret.hv6",
    "workload.ratio", "idle.cost",
    "io.read-1m", "io.write-1m", "io.read-4k", "io.write-4k",
    "snapshot.save-16m", "snapshot.restore-16m", "snapshot.save-64m", "snapshot.restore-64m",
    "snapshot.incremental-1m",
    "dev.clean-build", "dev.boot-to-banner", "dev.make-grade", "bench.total",
]


class HarnessError(Exception):
    pass


def sh(argv, **kw):
    p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise HarnessError(f"{' '.join(argv)} failed:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return p


def build():
    sh(["make", "-s", "-j2", "guest"])
    for _, (mode, trap, sstc) in CONFIGS.items():
        if mode == "hv6":
            sh(["make", "-s", "-j2", "hv6", f"TRAP={trap}", f"SSTC={sstc}"])


def qemu_argv(cfg, bootargs, icount):
    mode, trap, sstc = CONFIGS[cfg]
    o = run.Options(trap=trap, sstc=sstc, bootargs=bootargs, icount=icount, disk="", snapstore="",
                    bootcfg=os.path.join(OUT, f"bootcfg-{cfg}.img"))
    return run.command(mode, o)


def boot(cfg, bootargs, icount, timeout=120):
    """Run the guest to power-off; return (stdout text, wall seconds)."""
    argv = qemu_argv(cfg, bootargs, icount)
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{cfg}: QEMU timed out after {timeout}s ({bootargs})")
    out = p.stdout.decode("latin-1")
    return out, time.monotonic() - t0


def parse(out, cfg):
    r = {}
    for m in re.finditer(r"^bench: (\S+) (-?[0-9.]+) (\S+)\s*$", out, re.M):
        r[m[1]] = (float(m[2]), m[3])
    if "bench: done" not in out or not r:
        raise HarnessError(f"{cfg}: the guest's bench did not finish; output tail:\n{out[-1500:]}")
    m = re.search(r"^hv6: exits: .*\btotal=(\d+)", out, re.M)
    r["exits"] = (int(m[1]), "exits") if m else None
    return r


def boot_to_banner(cfg, timeout=60):
    argv = qemu_argv(cfg, "run=poweroff", False)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    buf, t = b"", None
    try:
        while time.monotonic() - t0 < timeout:
            c = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
            if not c:
                break
            buf += c
            if b"hv6-guest: booting" in buf:
                t = time.monotonic() - t0
                break
    finally:
        p.kill()
        p.wait()
    return t


IO_FIGS = ["read-1m", "write-1m", "read-4k", "write-4k"]
IO_CONFIGS = ["native", "hv6-min"]


def io_boot(cfg, bootargs, disk, timeout=120):
    """Boot the guest's diskbench with the bench's own disk image; return
    {figure: MB/s} (MB = 10^6 bytes)."""
    mode, trap, sstc = CONFIGS[cfg]
    o = run.Options(trap=trap, sstc=sstc, bootargs=bootargs, disk=disk, snapstore="",
                    bootcfg=os.path.join(OUT, f"bootcfg-io-{cfg}.img"))
    try:
        p = subprocess.run(run.command(mode, o), cwd=ROOT, capture_output=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{cfg}: diskbench timed out after {timeout}s")
    out = p.stdout.decode("latin-1")
    r = {m[1]: int(m[2]) / max(int(m[3]), 1)
         for m in re.finditer(r"^diskbench: (\S+) (\d+) bytes (\d+) us\s*$", out, re.M)}
    if "diskbench: done" not in out or sorted(r) != sorted(IO_FIGS):
        raise HarnessError(f"{cfg}: the guest's diskbench did not finish; output tail:\n"
                           f"{out[-1500:]}")
    return r


def io_bench(smoke):
    """io.*: guest disk throughput under hv6 TRAP=min as a percentage of the
    same guest driver on QEMU's own virtio-blk natively (bench/README.md).
    Both boot on a fresh private image, build/bench/disk.img; rounds
    interleave the two configurations; median MB/s per figure."""
    disk = os.path.join(OUT, "disk.img")
    run.make_disk(disk)                      # the guest writes over it
    cmd = "run=diskbench,quick" if smoke else "run=diskbench"
    rounds = 1 if smoke else 5
    raw = {cfg: {k: [] for k in IO_FIGS} for cfg in IO_CONFIGS}
    try:
        for _ in range(rounds):
            for cfg in IO_CONFIGS:
                for k, v in io_boot(cfg, cmd, disk).items():
                    raw[cfg][k].append(round(v, 1))
    except HarnessError as e:                # e.g. a handout tree without lab 4
        why = str(e).splitlines()[0]
        return {f"io.{k}": na(f"diskbench failed: {why}", ">= 80%") for k in IO_FIGS}, raw
    figs = {}
    for k in IO_FIGS:
        nat, hv = (statistics.median(raw[c][k]) for c in IO_CONFIGS)
        pct = 100 * hv / nat if nat else None
        figs[f"io.{k}"] = fig(round(pct, 1) if pct is not None else None, "%", ">= 80%",
                              pct is not None and pct >= 80,
                              f"hv6-min {hv:.0f} MB/s / native {nat:.0f} MB/s, "
                              f"median of {rounds}")
    return figs, raw


def guest_has(word):
    try:
        src = open(os.path.join(ROOT, "guest-os", "shell.c")).read()
    except OSError:
        return False
    return re.search(r'\{\s*"%s"' % re.escape(word), src) is not None


def fig(value, unit, target=None, ok=None, note=""):
    """One figure: status pass/miss if it has a target, info, or n/a."""
    if value is None:
        status = "n/a"
    elif ok is None:
        status = "info"
    else:
        status = "pass" if ok else "miss"
    return {"value": value, "unit": unit, "target": target, "status": status, "note": note}


def na(note, target=None):
    return fig(None, "", target, None, note)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="one quick iteration (harness check)")
    args = ap.parse_args()
    smoke = args.smoke
    full = os.environ.get("BENCH_FULL") == "1"
    os.makedirs(OUT, exist_ok=True)
    t_start = time.monotonic()
    res = {}
    cmd = "run=bench,quick" if smoke else "run=bench"

    # ---- developer loop: clean build (in a private build dir) ----
    if smoke:
        res["dev.clean-build"] = na("skipped in smoke run")
    else:
        cb = os.path.join("build", "bench", "cleanbuild")
        subprocess.run(["rm", "-rf", os.path.join(ROOT, cb)])
        t0 = time.monotonic()
        sh(["make", "-s", "-j2", f"B={cb}", "hv6", "guest"])
        res["dev.clean-build"] = fig(round(time.monotonic() - t0, 2), "s", None, None,
                                     "make -j2 hv6 guest, TRAP=min, from nothing")
        subprocess.run(["rm", "-rf", os.path.join(ROOT, cb)])
    build()

    # ---- exit costs: -icount shift=0, deterministic ----
    ic = {}
    for cfg in CONFIGS:
        out, _ = boot(cfg, cmd, True)
        ic[cfg] = parse(out, cfg)

    def v(cfg, name):
        x = ic[cfg].get(name)
        return x[0] if x else None

    def exitfig(name, cfg, target, note=""):
        val = v(cfg, name)
        if val is None:
            return na(f"not reported by the guest ({cfg})", target)
        nat = v("native", name)
        return fig(val, "insn", f"<= {target}", val <= target,
                   (note + "; " if note else "") + f"native {nat}")

    res["exit.sbi-null"] = exitfig("sbi-null", "hv6-min", 150)
    res["exit.sbi-base"] = exitfig("sbi-base", "hv6-min", 150)
    res["exit.csr-read.trap-min"] = fig(v("hv6-min", "csr-read"), "insn", None, None,
                                        "csrr time does not trap with TRAP=min")
    res["exit.csr-read.trap-all"] = exitfig("csr-read", "hv6-all", 200)
    res["exit.uart-read"] = exitfig("uart-read", "hv6-min", 300)
    res["exit.stage2-fault"] = exitfig("stage2-fault", "hv6-min", 600,
                                       "includes the hypervisor's zeroing of the page")
    res["exit.timer-inject"] = na("not built (needs a guest timer-latency probe)", "<= 400")
    for key, cfg in (("trap-min", "hv6-min"), ("trap-all", "hv6-all"), ("sstc", "hv6-sstc")):
        e = ic[cfg].get("exits")
        res[f"policy.exits.{key}"] = fig(e[0] if e else None, "exits", None, None,
                                         "whole bench run (icount)")
    res["workload.instret.native"] = fig(v("native", "workload-instret"), "insn")
    res["workload.instret.hv6"] = fig(v("hv6-min", "workload-instret"), "insn", None, None,
                                      "TRAP=min; includes hypervisor instructions")

    # ---- wall time: median of interleaved runs (no icount) ----
    rounds = 1 if smoke else 3
    wall = {cfg: [] for cfg in CONFIGS}
    for _ in range(rounds):
        for cfg in CONFIGS:
            out, _ = boot(cfg, cmd, False)
            wall[cfg].append(parse(out, cfg)["workload-time"][0])
    med = {cfg: statistics.median(x) for cfg, x in wall.items()}
    ratio = med["hv6-min"] / med["native"] if med["native"] else None
    res["workload.ratio"] = fig(round(ratio, 3) if ratio else None, "x", "<= 1.10",
                                ratio is not None and ratio <= 1.10,
                                f"hv6-min/native, median of {rounds}: "
                                f"{med['hv6-min']:.0f} us / {med['native']:.0f} us")
    for key, cfg in (("trap-all", "hv6-all"), ("sstc", "hv6-sstc")):
        r = med[cfg] / med["hv6-min"] if med["hv6-min"] else None
        res[f"policy.time-ratio.{key}"] = fig(round(r, 3) if r else None, "x", None, None,
                                              f"{cfg}/hv6-min workload wall time")

    # ---- idle cost ----
    idle = next((w for w in ("idle", "sleep") if guest_has(w)), None)
    if idle is None:
        res["idle.cost"] = na("n/a: the guest has no idle/sleep command yet", "<= 1% of busy")
    else:
        try:
            secs = 1
            o1, _ = boot("hv6-min", f"run={idle} {secs}", True)
            o0, _ = boot("hv6-min", "run=echo", True)
            ins = [int(m[1]) for m in (re.search(r"hv6: .*instret[= ](\d+)", o) for o in (o1, o0))
                   if m]
            res["idle.cost"] = na(f"guest has `{idle}`, but no instret report to read yet",
                                  "<= 1% of busy") if len(ins) < 2 else \
                fig(ins[0] - ins[1], "insn/s", "<= 1% of busy", (ins[0] - ins[1]) <= 0.01e9)
        except HarnessError as e:
            res["idle.cost"] = na(f"idle run failed: {str(e).splitlines()[0]}", "<= 1% of busy")

    # ---- I/O: the guest's diskbench, native vs hv6 ----
    io, io_raw = io_bench(smoke)
    res.update(io)

    # ---- snapshots: only when the hyp grows the support ----
    for k in ("snapshot.save-16m", "snapshot.restore-16m", "snapshot.save-64m",
              "snapshot.restore-64m"):
        res[k] = na("n/a (not built): no scripted snapshot save/restore timing")
    res["snapshot.incremental-1m"] = na("n/a (not built)", "<= 1.1 MiB")

    # ---- developer loop ----
    t = boot_to_banner("hv6-min")
    res["dev.boot-to-banner"] = fig(round(t, 3) if t else None, "s", None, None,
                                    "QEMU start to `hv6-guest: booting`, hv6 TRAP=min")
    if full and not smoke:
        t0 = time.monotonic()
        p = subprocess.run(["make", "-s", "grade"], cwd=ROOT, capture_output=True)
        res["dev.make-grade"] = fig(round(time.monotonic() - t0, 1), "s", None, None,
                                    f"exit status {p.returncode}")
    else:
        res["dev.make-grade"] = na("skipped (set BENCH_FULL=1)")
    total = time.monotonic() - t_start
    res["bench.total"] = fig(round(total, 1), "s", "< 300" if not smoke else None,
                             total < 300 if not smoke else None)

    missing = [k for k in KEYS if k not in res]
    if missing:
        raise HarnessError(f"results lack keys: {missing}")
    doc = {"smoke": smoke, "figures": res,
           "raw": {"icount": {c: {k: x[0] for k, x in r.items() if x} for c, r in ic.items()},
                   "wall_us": wall, "io_mbs": io_raw}}
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    write_svg(ic, med, os.path.join(OUT, "bench.svg"))
    table(res)
    print(f"bench: wrote {os.path.relpath(OUT, ROOT)}/results.json and bench.svg")
    if smoke:
        check_smoke(res)


def check_smoke(res):
    with open(os.path.join(OUT, "results.json")) as f:
        doc = json.load(f)
    lack = [k for k in KEYS if k not in doc["figures"]]
    bad = [k for k in ("exit.sbi-null", "exit.sbi-base", "exit.csr-read.trap-all",
                       "exit.stage2-fault", "workload.ratio", "io.read-1m")
           if not isinstance(doc["figures"][k]["value"], (int, float))]
    if lack or bad:
        raise HarnessError(f"smoke: missing keys {lack}, non-numeric {bad}")
    print("bench-smoke: ok (harness works; targets are not checked)")


def table(res):
    rows = [("figure", "value", "target", "status")]
    for k in KEYS:
        r = res[k]
        val = "n/a" if r["value"] is None else f"{r['value']:g} {r['unit']}"
        rows.append((k, val, r["target"] or "-", r["status"]))
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * x for x in w))
    notes = [(k, res[k]["note"]) for k in KEYS if res[k]["note"]]
    if notes:
        print("notes:")
        for k, n in notes:
            print(f"  {k}: {n}")


def write_svg(ic, med, path):
    """Grouped horizontal bars by hand: exit costs per config, and workload time."""
    colors = {"native": "#888888", "hv6-min": "#2a7ab9", "hv6-all": "#d9534f",
              "hv6-sstc": "#5cb85c"}
    groups = []
    for name in EXIT_FIGS:
        groups.append((f"{name} (insn per op, icount)",
                       [(c, ic[c].get(name, (0,))[0]) for c in CONFIGS]))
    groups.append(("workload wall time (us, median)", [(c, med[c]) for c in CONFIGS]))
    bar, gap, left, width = 14, 26, 90, 460
    h = 40 + sum(gap + bar * len(g[1]) for g in groups) + 20
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{h}" '
         f'font-family="sans-serif" font-size="11">',
         '<text x="10" y="20" font-size="14" font-weight="bold">hv6 make bench</text>']
    y = 40
    for title, bars in groups:
        s.append(f'<text x="10" y="{y + 12}" font-weight="bold">{title}</text>')
        y += 18
        top = max([b for _, b in bars] + [1e-9])
        for c, b in bars:
            wpx = max(1, int(width * b / top)) if b > 0 else 0
            s.append(f'<text x="10" y="{y + 11}">{c}</text>')
            s.append(f'<rect x="{left}" y="{y}" width="{wpx}" height="{bar - 2}" '
                     f'fill="{colors[c]}"/>')
            s.append(f'<text x="{left + wpx + 4}" y="{y + 11}">{b:g}</text>')
            y += bar
        y += gap - 18
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")


if __name__ == "__main__":
    try:
        main()
    except (HarnessError, run.RunError) as e:
        print(f"bench: harness error: {e}", file=sys.stderr)
        sys.exit(1)
