# labs/snapshot/test_snapshot.py: visible tests of lab 5 (snapshot).
# The guest's snaptest (guest-os/snaptest.c) keeps state in memory, on disk
# and in time; the hypervisor monitor (Ctrl-], `hv6> `) saves and restores
# the VM; a second QEMU run resumes a snapshot with RESTORE= (bootcfg).
import os
import re
import struct
import time

from grader import GradeFailure, points, timeout

ESC = b"\x1d"          # Ctrl-]: the monitor's escape key
MON = r"hv6> $"


def monitor(s, *cmds, leave="continue"):
    """Open the monitor, run cmds, return what they printed; then `leave`."""
    s.send(ESC)
    s.expect(MON, timeout=20)
    text = ""
    for c in cmds:
        mark = len(s.log)
        s.send(c.encode() + b"\r")
        s.expect(MON, timeout=60)
        text += bytes(s.log[mark:]).decode("utf-8", "replace").replace("\r", "")
    if leave:
        s.send(leave.encode() + b"\r")
    # the guest goes on where it was (usually waiting for a shell command):
    # no new `$ ` prompt comes
    s.at_prompt = leave == "continue"
    return text


def resumed(s, name):
    """Wait for the restore of `name`; the guest is then waiting where it was."""
    s.expect(rf"hv6: snapshot restored: {name}", 60)
    s.at_prompt = True


def saved_pages(text, name):
    m = re.search(rf"hv6: snapshot saved: {name} \((full|incremental of (\S+)), (\d+) pages, (\d+) KiB\)", text)
    if not m:
        raise GradeFailure(f"no `hv6: snapshot saved: {name}` line in:\n{text[-1500:]}")
    return m.group(1), int(m.group(3)), int(m.group(4))


def shell_snapshot(m, name="s1", steps=20000, **kw):
    """Boot the shell, set up snaptest (no disk writes), save `name`, quit."""
    with m.session("hv6", timeout=60, **kw) as s:
        s.cmd("snaptest start nodisk")
        s.cmd(f"snaptest step {steps}", until=r"stepped to iteration \d+")
        text = monitor(s, f"snapshot save {name}", leave="quit")
        saved_pages(text, name)
        s.expect(r"hv6: vm stopped: quit")
    return s


def store_dir(path):
    """Parse the current directory of a snapshot store image: {name: (start, len)}."""
    with open(path, "rb") as f:
        blocks = [f.read(4096), f.read(4096)]
    best = None
    for b in blocks:
        if b[:7] != b"HV6SDIR":
            continue
        version, nent, gen = struct.unpack_from("<IIQ", b, 8)
        if best is None or gen > best[0]:
            best = (gen, nent, b)
    if best is None:
        return {}
    gen, nent, b = best
    ents = {}
    for i in range(nent):
        off = 48 + 72 * i
        name = b[off:off + 32].split(b"\0")[0].decode()
        _id, _parent, start, length = struct.unpack_from("<QQQQ", b, off + 32)
        ents[name] = (start, length)
    return ents


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        c = f.read(1)
        f.seek(offset)
        f.write(bytes([c[0] ^ 0x40]))


@points(15)
def test_save_restore_same_run(m):
    """Save, let the guest move on, restore from the monitor: the guest is
    back exactly where it was saved (memory state, counters, shell)."""
    with m.session("hv6", timeout=90) as s:
        s.cmd("snaptest start nodisk")
        s.cmd("snaptest step 30000", until=r"stepped to iteration 30000")
        text = monitor(s, "snapshot save s1")
        kind, pages, _ = saved_pages(text, "s1")
        assert kind == "full", text
        s.cmd("snaptest step 20000", until=r"stepped to iteration 50000")
        text = monitor(s, "snapshot restore s1")
        if "hv6: snapshot: error" in text:
            raise GradeFailure(f"restore refused:\n{text}")
        resumed(s, "s1")
        out = s.cmd("snaptest verify", until=r"snaptest: done, \d+ checks, \d+ failed")
        if "snaptest: state at iteration 30000" not in out:
            raise GradeFailure("after the restore the guest is not back at iteration 30000:\n" + out)
        if "snaptest: verdict continuity ok" not in out:
            raise GradeFailure("snaptest verdict after restore:\n" + out)


def continuity(m, trap):
    with m.session("hv6", trap=trap, timeout=90, bootargs="run=snaptest,run,8") as s:
        s.expect(r"snaptest: running")
        time.sleep(2)
        text = monitor(s, "snapshot save s1", leave="quit")
        saved_pages(text, "s1")
        s.expect(r"hv6: vm stopped: quit")
    if "snaptest: verdict" in s.output.text:
        raise GradeFailure("the first run finished before the snapshot")
    out = m.run_hv6("run=snaptest,run,8", trap=trap, restore="s1", timeout=90)
    out.expect(r"^hv6: snapshot restored: s1", "RESTORE=s1 did not resume the snapshot")
    out.expect_not(r"^hv6-guest: booting", "the guest booted afresh instead of resuming")
    out.expect(r"^snaptest: verdict continuity ok$",
               "the resumed workload found memory, disk or time discontinuous")
    out.selftest("snaptest")


@points(15)
def test_restore_in_new_run(m):
    """A snapshot taken in one QEMU run resumes in a new one (make qemu
    RESTORE=s1): memory, disk records and time continue exactly."""
    continuity(m, "min")


@points(5)
def test_restore_in_new_run_trap_all(m):
    """The same under the classic trap-and-emulate policy (TRAP=all)."""
    continuity(m, "all")


@points(15)
@timeout(240)
def test_incremental_size(m):
    """After a full snapshot, the next one stores only the pages written
    since (dirty tracking), chained to its parent; the chain restores."""
    with m.session("hv6", timeout=120) as s:
        s.cmd("snaptest start nodisk")
        s.cmd("snaptest touch 8192", until=r"snaptest: touched 2048 pages")
        full = saved_pages(monitor(s, "snapshot save base"), "base")
        s.cmd("snaptest touch 1024", until=r"snaptest: touched 256 pages")
        inc1 = saved_pages(monitor(s, "snapshot save inc1"), "inc1")
        s.cmd("snaptest touch 4096", until=r"snaptest: touched 1024 pages")
        inc2 = saved_pages(monitor(s, "snapshot save inc2", "snapshot list"), "inc2")
        s.cmd("snaptest step 1000", until=r"stepped to iteration 1000")
        monitor(s, "snapshot save inc3", leave="quit")
    assert full[0] == "full" and full[1] >= 2048, full
    for (kind, pages, kib), want in ((inc1, 256), (inc2, 1024)):
        if not kind.startswith("incremental"):
            raise GradeFailure(f"the second save was not incremental: {kind}")
        if not (want <= pages <= want + 64):
            raise GradeFailure(f"an incremental snapshot after writing {want} pages stored "
                               f"{pages} pages (expected {want}..{want + 64})")
        if kib > (want + 64) * 4.1 + 16:
            raise GradeFailure(f"incremental snapshot of {pages} pages takes {kib} KiB")
    # the chain base <- inc1 <- inc2 <- inc3 restores in a new run
    with m.session("hv6", timeout=120, restore="inc3") as s:
        s.expect(r"hv6: snapshot restored: inc3 \(4 links")
        s.at_prompt = True
        out = s.cmd("snaptest verify", until=r"snaptest: done, \d+ checks, \d+ failed")
        if "snaptest: verdict continuity ok" not in out or "iteration 1000" not in out:
            raise GradeFailure("the restored chain is not the saved state:\n" + out)


@points(15)
@timeout(300)
def test_corruption_refused(m):
    """Bytes flipped in the store between runs: restore refuses with one
    clear line and never runs a damaged guest; the intact store restores."""
    shell_snapshot(m)
    store = m.snapstore()
    start, length = store_dir(store)["s1"]
    base = start * 4096
    offsets = [base + 20, base + 300, base + length // 2, base + length - 1, 100]
    for off in offsets:
        flip(store, off)
        out = m.run_hv6("", restore="s1", timeout=60)
        out.expect(r"^hv6: snapshot: error: .*(corrupt|CRC|truncated|malformed|not an hv6)",
                   f"a flipped byte at store offset {off} was not detected")
        out.expect_not(r"^hv6: snapshot restored", "a corrupt snapshot was restored")
        out.expect_not(r"^\$ ", "the guest ran after a refused restore")
        flip(store, off)
    out = m.run_hv6("", restore="s1", timeout=60, allow_timeout=True,
                    until=r"^hv6: snapshot restored")
    out.expect(r"^hv6: snapshot restored: s1", "the repaired store no longer restores")


@points(15)
@timeout(400)
def test_crash_during_save(m):
    """QEMU killed at several points during a save: the previous snapshot
    still restores and the store stays usable."""
    with m.session("hv6", timeout=120) as s:
        s.cmd("snaptest start nodisk")
        s.cmd("snaptest step 5000", until=r"stepped to iteration 5000")
        s.cmd("snaptest touch 16384", until=r"snaptest: touched 4096 pages")
        monitor(s, "snapshot save s1", leave="quit")
    for k, delay in enumerate([0.0, 0.05, 0.2, 0.5, 1.0]):
        with m.session("hv6", timeout=120, restore="s1") as s:
            resumed(s, "s1")
            s.send(ESC)
            s.expect(MON, 20)
            s.send(f"snapshot save x{k}\r".encode())
            s.expect(r"hv6: snapshot: writing x\d", 60)
            time.sleep(delay)
            s.p.kill(9)               # the power cut
    with m.session("hv6", timeout=120, restore="s1") as s:
        resumed(s, "s1")
        out = s.cmd("snaptest verify", until=r"snaptest: done, \d+ checks, \d+ failed")
        if "verdict continuity ok" not in out or "iteration 5000" not in out:
            raise GradeFailure("after the crashes s1 is not the saved state:\n" + out)
        text = monitor(s, "snapshot list", "snapshot save after", leave="quit")
        if "hv6: snapshot store:" not in text:
            raise GradeFailure("the store is unusable after the crashes:\n" + text)
        saved_pages(text, "after")


@points(5)
def test_store_full(m):
    """A snapshot that does not fit is refused; nothing is lost and the
    guest keeps running."""
    small = os.path.join(m.dir, "small.img")
    with open(small, "wb") as f:
        f.truncate(1 << 20)
    with m.session("hv6", timeout=60, snapstore=small) as s:
        s.cmd("snaptest start nodisk")
        # 2 MiB of pages that are not zero: the snapshot holds them all
        s.cmd("snaptest touch 2048", until=r"snaptest: touched 512 pages")
        text = monitor(s, "snapshot save big", "snapshot list")
        if not re.search(r"hv6: snapshot: error: snapshot store is full", text):
            raise GradeFailure("a snapshot of over 2 MiB in a 1 MiB store was not refused "
                               "clearly:\n" + text)
        if "0 snapshots" not in text:
            raise GradeFailure("the refused snapshot appears in the store:\n" + text)
        out = s.cmd("echo still running")
        assert "still running" in out, out


@points(5)
def test_bad_names_and_misuse(m):
    """Bad or duplicate names, unknown snapshots, deleting a parent: one
    clear error line each, and the VM continues."""
    with m.session("hv6", timeout=60) as s:
        s.cmd("snaptest start nodisk")
        text = monitor(s, "snapshot save bad/name", "snapshot save " + "x" * 40,
                       "snapshot save s1", "snapshot save s1", "snapshot restore nosuch",
                       "snapshot delete nosuch", "snapshot save s2", "snapshot delete s1",
                       "snapshot delete s2", "snapshot delete s1", "snapshot list")
        errors = re.findall(r"^hv6: snapshot: error: .*$", text, re.M)
        if len(errors) != 6:
            raise GradeFailure(f"expected 6 error lines, got {len(errors)}:\n{text}")
        for want in ("bad snapshot name", "bad snapshot name", "already exists", "no snapshot named",
                     "no snapshot named", "parent of incremental"):
            if not any(want in e for e in errors):
                raise GradeFailure(f"no error mentions `{want}`:\n{text}")
        if "hv6: snapshot deleted: s2" not in text or "hv6: snapshot deleted: s1" not in text:
            raise GradeFailure("deleting s2, then s1, did not work:\n" + text)
        out = s.cmd("echo alive")
        assert "alive" in out


@points(10)
def test_disk_changed_refused(m):
    """A snapshot belongs to one disk in one state: after the disk image
    changes, restoring is refused with a clear error."""
    shell_snapshot(m)
    disk = m.disk()
    with open(disk, "r+b") as f:
        f.seek(512 * 12345)
        f.write(b"changed behind hv6's back")
    out = m.run_hv6("", restore="s1", timeout=60)
    out.expect(r"^hv6: snapshot: error: .*disk.*changed", "a changed disk was not detected")
    out.expect_not(r"^hv6: snapshot restored")


@points(5)
def test_wrong_configuration_refused(m):
    """A snapshot is only restored into the configuration it came from."""
    shell_snapshot(m)
    out = m.run_hv6("", restore="s1", trap="all", timeout=60)
    out.expect(r"^hv6: snapshot: error: .*(configuration|trap policy)")
    out = m.run_hv6("", restore="s1", mem="256M", timeout=60)
    out.expect(r"^hv6: snapshot: error: .*GUEST_MEM")
