# labs/virtio/hidden/test_virtio_hidden.py: hidden tests of lab 4 (never in a
# handout; run by `make grade` on the reference tree and by the autograder).
# The visible tests use the 16 MiB pattern disk; here the disk has an odd
# number of sectors, so a capacity or an end-of-disk check hard-coded to it
# (or rounded to a power of two) shows; and the hostile rings run in a
# 64 MiB guest, so "the end of RAM" is not the default one.
import os
import re
import sys

from grader import GradeFailure, points

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import run as qemu_run  # noqa: E402

SECTORS = 6007           # disktest writes up to sector 4096 + 1024


@points(5)
def test_odd_capacity_disk(m):
    """A 6007-sector disk (TRAP=all, SSTC=1): the capacity, the last sector,
    reads at and across the end, all as natively."""
    nat_disk, hv_disk = os.path.join(m.dir, "odd-native.img"), os.path.join(m.dir, "odd-hv6.img")
    for p in (nat_disk, hv_disk):
        qemu_run.make_disk(p, SECTORS * 512)
    nat = m.run_native("run=disktest", disk=nat_disk, timeout=90)
    hv = m.run_hv6("run=disktest", disk=hv_disk, trap="all", sstc=1, timeout=90)
    for out in (nat, hv):
        out.expect(rf"^disktest: capacity {SECTORS} sectors$")
        out.selftest("disktest")
    if nat.results("disktest") != hv.results("disktest"):
        raise GradeFailure("disktest on a 6007-sector disk differs from native:\n" +
                           "\n".join(f"  {a!r} vs {b!r}" for a, b in
                                     zip(nat.results("disktest"), hv.results("disktest")) if a != b))


@points(5)
def test_hostile_rings_small_guest(m):
    """A 64 MiB guest under TRAP=all: a descriptor across the end of its RAM
    (0x84000000) and the other malicious rings set DEVICE_NEEDS_RESET; the
    host survives and a reset brings the disk back."""
    out = m.run_hv6("run=disktest,hostile;disktest", mem="64M", trap="all", timeout=120)
    out.expect(r"^hv6: booting guest \(64 MiB RAM")
    out.expect_not(r"^hv6: (panic|vm stopped)", "a guest must never crash the host or its own VM")
    for case in ("data across the end of RAM", "data outside RAM", "length 2^32-1", "descriptor loop"):
        out.expect(rf"^disktest: info hostile {re.escape(case)}: needs_reset$",
                   f"{case}: the device should set DEVICE_NEEDS_RESET")
    done = re.findall(r"^disktest: done, (\d+) checks, (\d+) failed", out.text, re.M)
    assert len(done) == 2 and all(f == "0" for _, f in done), f"disktest results (checks, failed): {done}"
