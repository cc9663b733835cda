# grader/tests/test_grader.py: small tests of the grader and tools themselves
# (no hv6 build needed; QEMU runs are faked with sh).
import os
import struct
import sys
import zlib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mkbootcfg  # noqa: E402
import run  # noqa: E402
from grader import machine  # noqa: E402
from grader.reports import headlines, reports  # noqa: E402

M = 128 << 20


def elf(tmp_path, cls=2, data=1, machine_=243, etype=2, paddr=0x80200000, memsz=0x1000, entry=None):
    eh = bytearray(64)
    eh[0:4] = b"\x7fELF"
    eh[4], eh[5], eh[6] = cls, data, 1
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, etype, machine_, 1, entry or paddr, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0x1000, paddr, paddr, 0x10, memsz, 0x1000)
    body = bytes(eh) + ph + bytes(0x1000 - 64 - 56) + b"\x13" * 0x10
    p = tmp_path / "g.elf"
    p.write_bytes(body)
    return str(p)


def bad(path, **kw):
    with pytest.raises(mkbootcfg.BadImage) as e:
        mkbootcfg.build(path, kw.pop("mem", M), **kw)
    return str(e.value)


def test_bootcfg_header(tmp_path):
    img = mkbootcfg.build(elf(tmp_path), M, bootargs="run=csrtest", restore="s1")
    hdr = img[:4096]
    assert hdr[:8] == b"HV6BOOT\0" and len(img) == 4096 + 0x1010
    f = mkbootcfg.HDR.unpack_from(hdr)
    assert f[1:5] == (1, 4096, 0x1010, mkbootcfg.IMAGE_ELF) and f[6] == M
    z = bytearray(hdr[:mkbootcfg.HDR.size])
    z[44:48] = bytes(4)
    assert zlib.crc32(z) == f[8] and zlib.crc32(img[4096:]) == f[5]
    assert f[9].rstrip(b"\0") == b"run=csrtest" and f[10].rstrip(b"\0") == b"s1"
    assert not any(hdr[mkbootcfg.HDR.size:])


def test_bootcfg_refuses_bad_images(tmp_path):
    assert "cannot read" in bad(str(tmp_path / "nope"))
    (tmp_path / "empty").write_bytes(b"")
    assert "empty" in bad(str(tmp_path / "empty"))
    assert "64-bit" in bad(elf(tmp_path, cls=1))
    assert "little-endian" in bad(elf(tmp_path, data=2))
    assert "not RISC-V" in bad(elf(tmp_path, machine_=62))
    assert "ET_EXEC" in bad(elf(tmp_path, etype=3))
    assert "outside guest RAM" in bad(elf(tmp_path, paddr=0x1000))
    assert "FDT" in bad(elf(tmp_path, paddr=0x80000000 + M - 0x100000))
    (tmp_path / "raw").write_bytes(b"\x13" * (8 << 20))
    assert "too big" in bad(str(tmp_path / "raw"), mem=8 << 20)
    mkbootcfg.build(str(tmp_path / "raw"), M)          # fine with 128M
    assert "GUEST_MEM" in bad(str(tmp_path / "raw"), mem=3 << 20)


def test_parse_size():
    assert mkbootcfg.parse_size("128M") == M and mkbootcfg.parse_size("1G") == 1 << 30
    assert mkbootcfg.parse_size("4096") == 4096 and mkbootcfg.parse_size("64MiB") == 64 << 20


STOP = """hv6-guest: booting on hart 0
pgtest: hole 0x0:
hv6: vm stopped: guest load at GPA 0x0 (no device) not handled (lab 2: hyp/mmio.c)
hv6:   last exit: load guest-page fault (scause 21) at pc 0x8020567e in VS-mode
hv6:     stval 0x2000004000 (guest virtual address), htval 0x0 (GPA 0x0)
hv6:   hint: no device at this GPA: the guest must get an access fault
hv6: exits: sbi=48 total=48
hv6:   not part of any report
"""


def test_reports():
    r = reports(STOP)
    assert len(r) == 1 and r[0][0].startswith("hv6: vm stopped: guest load")
    assert r[0][-1].startswith("hv6:   hint:") and len(r[0]) == 4
    assert headlines(STOP) == [r[0][0], r[0][-1]]
    p = reports("x\nhv6: panic: host trap: load access fault (scause 0x5) in hv6\nhv6:   hint: a null pointer\n")
    assert p == [["hv6: panic: host trap: load access fault (scause 0x5) in hv6", "hv6:   hint: a null pointer"]]
    assert reports("hv6: exits: total=3\n") == []


def test_failure_shows_the_stop_first(monkeypatch, tmp_path):
    """A failed check names hv6's stop and hint in its message, and the
    console report puts the whole stop report before the last lines."""
    monkeypatch.setattr(machine.Machine, "disk", lambda self, *a, **k: "")
    fake(monkeypatch, "printf '%s'; for i in $(seq 100); do echo noise $i; done" % STOP.replace("'", ""))
    m = machine.Machine(tmp_path)
    out = m.run_hv6("", timeout=5)
    with pytest.raises(machine.GradeFailure) as e:
        out.expect(r"^pgtest: done")
    assert out.stop_report().splitlines()[-1].startswith("hv6:   hint: no device")
    msg = str(e.value).splitlines()
    assert msg[1].strip().startswith("hv6: vm stopped: guest load") and "hint:" in msg[2]
    rep = m.report().splitlines()
    assert rep[1].startswith("hv6: vm stopped:") and rep[2].startswith("hv6:   last exit:")
    assert rep[4].startswith("hv6:   hint:") and rep[-1] == "noise 100"


def test_output_helpers():
    o = machine.Output("hv6", [], b"t: a ok\r\nt: info 0x1234\nt: done, 2 checks, 0 failed\n", 0, False, 0.1, 5)
    assert o.results("t") == ["t: a ok", "t: done, 2 checks, 0 failed"]
    assert o.selftest("t") == 2
    with pytest.raises(machine.GradeFailure):
        o.expect(r"^missing")
    t = machine.Output("hv6", [], b"x\n", None, True, 5, 5)
    with pytest.raises(machine.QemuTimeout):
        t.expect(r"^missing")


def fake(monkeypatch, script):
    monkeypatch.setattr(machine, "build", lambda *a, **k: None)
    monkeypatch.setattr(machine.qemu_run, "command", lambda mode, o: ["sh", "-c", script])


def test_run_timeout_and_until(monkeypatch, tmp_path):
    monkeypatch.setattr(machine.Machine, "disk", lambda self, *a, **k: "")
    fake(monkeypatch, "echo 'hv6: vm stopped: boom'; echo 'hv6:   hint: why'; sleep 10")
    m = machine.Machine(tmp_path)
    with pytest.raises(machine.QemuTimeout):
        m.run_hv6("", timeout=0.5)
    assert "TIMEOUT" in m.report() and "hv6:   hint: why" in m.report()
    out = m.run_hv6("", timeout=5, until=r"vm stopped")
    assert not out.timed_out and out.elapsed < 5


def test_compare_shows_diff(monkeypatch, tmp_path):
    monkeypatch.setattr(machine.Machine, "disk", lambda self, *a, **k: "")
    calls = iter(["printf 't: a\\nt: b\\n'", "printf 't: a\\nt: c\\n'"])
    monkeypatch.setattr(machine, "build", lambda *a, **k: None)
    monkeypatch.setattr(machine.qemu_run, "command", lambda mode, o: ["sh", "-c", next(calls)])
    with pytest.raises(machine.GradeFailure) as e:
        machine.Machine(tmp_path).compare("t", selftest=False)
    assert "-t: b" in str(e.value) and "+t: c" in str(e.value)


def test_pattern_disk(tmp_path):
    p = tmp_path / "d.img"
    run.make_disk(str(p), 4096)
    d = p.read_bytes()
    assert len(d) == 4096 and d[512 * 3:512 * 3 + 8] == struct.pack("<Q", 3) and d[-8:] == struct.pack("<Q", 7)
