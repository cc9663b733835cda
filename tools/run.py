#!/usr/bin/python3
# tools/run.py: the single source of truth for hv6's QEMU command lines.
# `make qemu`, `make qemu-native`, `make qemu-gdb` and the grader all use it.
#
#   run.py hv6    [options]   boot hv6 (HS-mode) with a guest in VS-mode
#   run.py native [options]   boot the guest directly in S-mode (-cpu rv64,h=false)
#
# Images (created when missing):
#   build/disk.img       16 MiB guest disk with a known pattern: sector n (512
#                        bytes) holds the 8-byte little-endian value n repeated
#                        64 times, so a test can tell which sector it read.
#   build/snapstore.img  64 MiB, zero-filled: hv6's snapshot store (the host's
#                        second virtio-blk, on virtio-mmio-bus.1). hv6 mode only.
# The bootcfg image (tools/mkbootcfg.py) goes to build/bootcfg.img unless
# --bootcfg says otherwise.  Guest disk identity (bootcfg disk_id) is
# "<file name>:<size>", so snapshots survive copying the disk elsewhere.
#
# From Python:  import run; argv = run.command("hv6", run.Options(bootargs=...))
import argparse
import os
import re
import shlex
import shutil
import subprocess
import struct
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import mkbootcfg  # noqa: E402

QEMU = os.environ.get("QEMU", "qemu-system-riscv64")
QEMU_MIN = (7, 2)
DISK_SIZE = 16 << 20
SNAPSTORE_SIZE = 64 << 20
BOOTCFG_PA = 0x84000000


class RunError(Exception):
    pass


class Options:
    """Everything that shapes a QEMU command line; all paths relative to ROOT."""
    def __init__(self, **kw):
        self.trap = "min"
        self.sstc = 0
        self.guest = None            # default build/guest/guest.elf
        self.disk = None             # default build/disk.img; "" = no disk
        self.snapstore = None        # default build/snapstore.img; "" = none
        self.mem = "128M"
        self.bootargs = ""
        self.restore = ""
        self.monitor = False
        self.trace = False
        self.no_htval = False        # hv6 acts as on a hart that writes htval = 0
        self.icount = False          # True: -icount shift=0; "virtual": see command()
        self.gdb = None
        self.extra = ""
        self.log = False
        self.bootcfg = None          # default build/bootcfg.img
        self.hv6 = None              # default build/hv6-<trap>[-sstc]/hv6.elf
        self.root = ROOT
        for k, v in kw.items():
            if not hasattr(self, k):
                raise TypeError(f"unknown run option {k}")
            setattr(self, k, v)


_qemu_ok = None


def check_qemu():
    """Raise RunError unless QEMU exists and is >= 7.2."""
    global _qemu_ok
    if _qemu_ok:
        return
    exe = shutil.which(QEMU)
    fix = "install it with: sudo apt-get install qemu-system-misc (or run tools/install-deps)"
    if not exe:
        raise RunError(f"{QEMU} not found; {fix}")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version (\d+)\.(\d+)", out)
    if not m or (int(m[1]), int(m[2])) < QEMU_MIN:
        raise RunError(f"{QEMU} is too old ({m[0] if m else 'unknown version'}); hv6 needs QEMU >= "
                       f"{QEMU_MIN[0]}.{QEMU_MIN[1]}; {fix}")
    _qemu_ok = True


def make_disk(path, size=DISK_SIZE):
    """Write the pattern disk: sector n = <u64 n little-endian> * 64."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        for n in range(size // 512):
            f.write(struct.pack("<Q", n) * 64)
    os.replace(tmp, path)


def make_zero(path, size=SNAPSTORE_SIZE):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def hv6_elf(o):
    return o.hv6 or f"build/hv6-{o.trap}{'-sstc' if int(o.sstc) else ''}/hv6.elf"


def _p(o, path):
    return path if os.path.isabs(path) else os.path.join(o.root, path)


def _image(o, given, default, make, what):
    """A disk image option: "" means none; None (not given) means the
    default, made if missing; a path given by the user must exist."""
    if given == "":
        return None
    path = _p(o, given or default)
    if not os.path.exists(path):
        if given:
            raise RunError(f"{what} {path} not found")
        make(path)
    return path


def _drive(path, idx, bus):
    return ["-drive", f"file={path},if=none,format=raw,id=disk{idx}",
            "-device", f"virtio-blk-device,drive=disk{idx},bus=virtio-mmio-bus.{bus}"]


def command(mode, o=None):
    """Return the QEMU argv for mode 'hv6' or 'native' (creating images as needed)."""
    o = o or Options()
    if mode not in ("hv6", "native"):
        raise RunError(f"unknown mode {mode} (hv6 or native)")
    if o.trap not in ("min", "all"):
        raise RunError(f"--trap must be min or all, not {o.trap}")
    check_qemu()
    guest = _p(o, o.guest or "build/guest/guest.elf")
    if not os.path.exists(guest):
        raise RunError(f"guest image {guest} not found (run `make guest`, or pass GUEST=path)")
    try:
        mem = mkbootcfg.parse_size(o.mem)
    except mkbootcfg.BadImage as e:
        raise RunError(str(e))
    disk = _image(o, o.disk, "build/disk.img", make_disk, "disk image")
    argv = [QEMU, "-machine", "virt", "-smp", "1", "-nographic", "-bios", "default",
            "-global", "virtio-mmio.force-legacy=false"]
    if mode == "native":
        # The native board matches the virtual platform hv6 builds: no H,
        # and Sstc only when hv6 gives the guest Sstc too (SSTC=1).
        cpu = "rv64,h=false" + ("" if int(o.sstc) else ",sstc=false")
        argv += ["-cpu", cpu, "-m", f"{mem >> 20}M", "-kernel", guest]
        if o.bootargs:
            argv += ["-append", o.bootargs]
        if disk:
            argv += _drive(disk, 0, 0)
    else:
        elf = _p(o, hv6_elf(o))
        if not os.path.exists(elf):
            raise RunError(f"{elf} not found (run `make hv6 TRAP={o.trap} SSTC={int(o.sstc)}`)")
        cfg = _p(o, o.bootcfg or "build/bootcfg.img")
        os.makedirs(os.path.dirname(cfg), exist_ok=True)
        disk_id = f"{os.path.basename(disk)}:{os.path.getsize(disk)}"[-63:] if disk else ""
        flags = mkbootcfg.flags(o.monitor, o.trace, o.no_htval)
        try:
            data = mkbootcfg.build(guest, mem, o.bootargs, o.restore or "", disk_id, flags)
        except mkbootcfg.BadImage as e:
            raise RunError(f"refusing guest image: {e}")
        with open(cfg, "wb") as f:
            f.write(data)
        host_mib = max(1024, (mem >> 20) + 512)   # hv6 itself + the guest's RAM
        argv += ["-cpu", "rv64", "-m", f"{host_mib}M", "-kernel", elf,
                 "-device", f"loader,file={cfg},addr={BOOTCFG_PA:#x},force-raw=on"]
        # the host's virtio-blk #0 backs the guest disk, #1 is the snapshot store;
        # an empty slot 0 would renumber the store, so it is always bus 1.
        if disk:
            argv += _drive(disk, 0, 0)
        store = _image(o, o.snapstore, "build/snapstore.img", make_zero, "snapshot store")
        if store:
            argv += _drive(store, 1, 1)
    if o.icount == "virtual":
        # Guest time counts instructions alone and a sleeping hart's clock
        # jumps to its next timer event (sleep=off): the guest sees the same
        # times on an idle host and on a loaded one. 16 ns an instruction
        # is a slower hart than QEMU's, so the guest's timed loops cost no
        # more host time than without icount.
        argv += ["-icount", "shift=4,sleep=off"]
    elif o.icount:
        argv += ["-icount", "shift=0"]
    if o.log:
        argv += ["-d", "int,guest_errors", "-D", _p(o, "build/qemu.log")]
    if o.gdb:
        argv += ["-S", "-gdb", f"tcp::{int(o.gdb)}"]
    if o.extra:
        argv += shlex.split(o.extra)
    return argv


def main(argv=None):
    ap = argparse.ArgumentParser(description="boot hv6 or the guest under QEMU")
    ap.add_argument("mode", choices=["hv6", "native"])
    ap.add_argument("--trap", default="min", choices=["min", "all"])
    ap.add_argument("--sstc", default="0", choices=["0", "1"])
    ap.add_argument("--guest", help="guest kernel (default build/guest/guest.elf)")
    ap.add_argument("--disk", help="guest disk image (default build/disk.img); '' for none")
    ap.add_argument("--snapstore", help="snapshot store image (default build/snapstore.img)")
    ap.add_argument("--mem", default="128M", help="GUEST_MEM (128M, 1G, bytes)")
    ap.add_argument("--bootargs", default="")
    ap.add_argument("--restore", default="", help="restore snapshot NAME instead of booting")
    ap.add_argument("--monitor", action="store_true", help="start in the hv6 monitor")
    ap.add_argument("--trace", action="store_true", help="start with exit tracing on")
    ap.add_argument("--no-htval", action="store_true",
                    help="hv6 ignores htval, as on a hart that writes 0 there (tests hyp/vswalk.c)")
    ap.add_argument("--icount", action="store_true", help="deterministic -icount shift=0")
    ap.add_argument("--gdb", metavar="PORT", help="wait for gdb on tcp::PORT")
    ap.add_argument("--extra", default="", help="extra QEMU flags (QEMUEXTRA)")
    ap.add_argument("--log", action="store_true", help="-d int,guest_errors -D build/qemu.log")
    ap.add_argument("--bootcfg", help="where to write the bootcfg image")
    ap.add_argument("--print", action="store_true", help="print the command, do not run it")
    a = ap.parse_args(argv)
    o = Options(trap=a.trap, sstc=int(a.sstc), guest=a.guest, disk=a.disk, snapstore=a.snapstore,
                mem=a.mem, bootargs=a.bootargs, restore=a.restore, monitor=a.monitor,
                trace=a.trace, no_htval=a.no_htval, icount=a.icount, gdb=a.gdb, extra=a.extra, log=a.log,
                bootcfg=a.bootcfg)
    try:
        cmd = command(a.mode, o)
    except RunError as e:
        print(f"run.py: {e}", file=sys.stderr)
        return 1
    print(" ".join(shlex.quote(x) for x in cmd), flush=True)
    if a.print:
        return 0
    print("*** QEMU: Ctrl-a x quits, Ctrl-a c switches to the QEMU monitor", flush=True)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    sys.exit(main())
