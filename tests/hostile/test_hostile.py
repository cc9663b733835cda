# tests/hostile/test_hostile.py: resource control (DESIGN.md §5, SECURITY.md).
# Each test runs one of the guest OS's hostile programs (guest-os/hostile.c)
# under hv6. Pass = the host stays alive (no `hv6: panic`), the guest gets
# the architectural answer (compared with the native run where the two
# machines are comparable), and a VM that has to stop stops with one
# clean `hv6: vm stopped: ...` line.
import os
import re
import subprocess

from grader import points
import mkbootcfg  # noqa: E402 (tools/, on the path through grader.machine)

NO_PANIC = r"^hv6: panic"


def alive(out):
    out.expect_not(NO_PANIC, "the host panicked")
    out.expect(r"^hv6: exits: .*total=\d+", "hv6 did not report the VM's end")


def done(out, name):
    mo = out.expect(rf"^hostile: {name} done, (\d+) attempts, (\d+) faults, (\d+) mismatches")
    assert int(mo[3]) == 0, f"hostile {name}: {mo[3]} mismatches"
    out.selftest("hostile")
    return int(mo[1])


@points(10)
def test_wild_min(m):
    """Loads, stores and fetches all over guest physical space (beyond RAM,
    where hv6's own memory is on the host; holes; above 2^41) fault exactly
    as natively; device windows answer or fault; the host survives."""
    _, hv = m.compare("hostile", bootargs="run=hostile,wild,1500", timeout=60)
    alive(hv)
    done(hv, "wild")


@points(10)
def test_no_htval(m):
    """A hart may write htval = 0 on a guest-page fault (priv spec 8.6.3);
    hv6 then finds the GPA by walking the guest's page tables itself
    (hyp/vswalk.c). With hv6 told to ignore htval, the paging self-test and
    the wild accesses (page tables pointing anywhere) still match native."""
    _, hv = m.compare("pgtest", no_htval=True, timeout=60)
    alive(hv)
    _, hv = m.compare("hostile", bootargs="run=hostile,wild,1000,3", no_htval=True, timeout=60)
    alive(hv)
    done(hv, "wild")


@points(5)
def test_wild_all(m):
    """The same under TRAP=all."""
    _, hv = m.compare("hostile", bootargs="run=hostile,wild,500,7", trap="all", timeout=60)
    alive(hv)


@points(10)
def test_csr(m):
    """Hypervisor and machine CSRs, HLV/HSV/HFENCE from VS and VU: illegal
    instruction with stval = the bits, as natively; then csrsweep and the
    seeded SYSTEM-opcode sweep."""
    for trap in ("min", "all"):
        _, hv = m.compare("hostile", bootargs="run=hostile,csr", trap=trap, timeout=90)
        alive(hv)
        done(hv, "csr")


@points(10)
def test_sbi(m):
    """Random EIDs/FIDs/arguments, DBCN buffers in host RAM, MMIO, wrapping
    and huge, bad SRST: hv6 answers as DESIGN.md §1 says and survives."""
    out = m.run_hv6("run=hostile,sbi,3000", timeout=60)
    alive(out)
    done(out, "sbi")
    out.expect_not(r"^hv6: vm stopped")


@points(10)
def test_mmio(m):
    """Random widths, offsets and values on every device window in the
    device tree: the models answer or fault; the host survives."""
    for trap in ("min", "all"):
        out = m.run_hv6("run=hostile,mmio,3000", trap=trap, timeout=60)
        alive(out)
        done(out, "mmio")
        out.expect_not(r"^hv6: vm stopped")


@points(10)
def test_storm(m):
    """200k ecalls, 200k G-stage faults and 200k virtual-instruction exits:
    every one answered correctly, counts equal to the native run's."""
    _, hv = m.compare("hostile", bootargs="run=hostile,storm", timeout=120)
    alive(hv)
    assert done(hv, "storm") >= 600000
    hv.expect(r"^hv6: exits: .*sbi=2\d{5}")


@points(5)
def test_mem_small(m):
    """A 16 MiB guest writes all of its free RAM and reads it back, then
    probes 64 MiB past the end: access faults, as natively."""
    _, hv = m.compare("hostile", bootargs="run=hostile,mem", mem="16M", timeout=60)
    alive(hv)
    hv.expect(r"^hv6: guest memory: \d+ of 4096 pages backed")


@points(10)
def test_mem_exhaustion(m):
    """A 1 GiB guest on a 512 MiB host touches all of its RAM: the host runs
    out of pages and stops the VM with one clean line, never panics."""
    out = m.run_hv6("run=hostile,mem", mem="1024M", extra="-m 512M", timeout=90)
    out.expect_not(NO_PANIC, "the host panicked")
    out.expect(r"^hv6: vm stopped: out of memory")
    # The exit that needed the page, and why it is not hv6's bug.
    out.expect(r"^hv6:   last exit: (load|store/AMO) guest-page fault \(scause 2[13]\)")
    out.expect(r"^hv6:     stage 2: GPA 0x[0-9a-f]+ is guest RAM, not mapped$")
    out.expect(r"^hv6:   hint: the guest touched more RAM than the host can back")
    out.expect(r"^hv6: exits: ")


@points(10)
def test_noreturn(m):
    """A trap handler that never returns: the VM spins, and the host still
    answers: Ctrl-] opens the monitor, which reports and quits."""
    with m.session("hv6", bootargs="run=hostile,noreturn", timeout=30) as s:
        s.expect(r"hostile: noreturn: the trap handler spins")
        s.expect(r"\n")
        import time
        time.sleep(1)
        s.send(b"\x1d")
        s.expect(r"hv6> ")
        s.send(b"info exits\r")
        s.expect(r"hv6> ")
        s.send(b"quit\r")
        s.expect(r"hv6: exits: .*total=\d+")
    s.output.expect_not(NO_PANIC, "the host panicked")
    # A stop from the monitor is no exit's doing: no stale last-exit report.
    assert s.output.stop_report() == "hv6: vm stopped: quit from the monitor", s.output.stop_report()


@points(5)
def test_vstvec0(m):
    """A trap with stvec = 0 (paging off): hv6 stops the VM with one line,
    then the exit that led there in words (issue 11: readable failures):
    the guest jumped to vstvec = 0, a fetch from GPA 0 where nothing is."""
    out = m.run_hv6("run=hostile,vstvec0", timeout=30)
    out.expect_not(NO_PANIC, "the host panicked")
    mo = out.expect(r"^hv6: vm stopped: (.*)$")
    assert "vstvec" in mo[1], f"the diagnostic should name vstvec: {mo[1]}"
    report = out.stop_report()
    assert report.startswith(mo[0]), report
    for want in (r"^hv6:   last exit: instruction guest-page fault \(scause 20\) at pc 0x0 in VS-mode$",
                 r"^hv6:     stval 0x0 \(guest virtual address\), htval 0x0 \(GPA 0x0\)$",
                 r"^hv6:     hstatus\.SPV=1 \(from the guest\) GVA=1 ",
                 r"^hv6:     stage 2: GPA 0x0 is neither guest RAM nor a device$",
                 r"^hv6:   hint: the guest has no trap handler \(vstvec = 0\)"):
        assert re.search(want, report, re.M), f"the stop report lacks /{want}/:\n{report}"
    out.expect(r"^hv6: exits: ")


@points(5)
def test_fetch_fault_recovers(m):
    """An instruction fetch by hv6 that faults is the guest's business, not
    a host crash: with exit tracing on, the trace of the last exit re-reads
    the instruction at pc 0, where the guest jumped and where nothing is
    mapped. That HLVX faults in the host; kernel/vmentry.S's host_trap must
    resume hv6 (insn_fetch fails) instead of panicking or hanging."""
    out = m.run_hv6("run=hostile,vstvec0", trace=True, timeout=30)
    out.expect_not(NO_PANIC, "the host panicked")
    out.expect(r"^hv6: vm stopped: .*vstvec")
    out.expect(r"^hv6: trace: accessfault +pc 0x0  instruction guest-page fault, gpa 0x0 -> vm ends$")
    out.expect(r"^hv6: exits: .*accessfault=1 ")


def _boot_with(m, patch):
    """Boot hv6 from a bootcfg image that patch(data) corrupted after
    tools/mkbootcfg.py wrote it (mkbootcfg itself refuses bad input, so
    this is the only way to reach hv6's own checks in hyp/vm.c)."""
    argv = m.argv("hv6", disk=False, snapstore=False)
    cfg = os.path.join(m.dir, "bootcfg.img")
    with open(cfg, "rb") as f:
        data = bytearray(f.read())
    patch(data)
    with open(cfg, "wb") as f:
        f.write(data)
    p = subprocess.run(argv, cwd=m.dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30 * m.scale)
    return p.stdout.decode("latin-1")


def _set_field(data, name, value):
    """Set one struct bootcfg field and re-seal the header, as a forger would."""
    f = dict(zip(mkbootcfg.HDR_FIELDS, mkbootcfg.HDR.unpack_from(data)))
    f[name] = value
    data[:mkbootcfg.HDR.size] = mkbootcfg.HDR.pack(*f.values())
    mkbootcfg.seal(data)


@points(5)
def test_bad_bootcfg(m):
    """A corrupt boot configuration (bad input on hv6's command line) gets
    one clear line from hyp/vm.c and a clean power-off: a flipped header
    byte, a flipped image byte, a GUEST_MEM out of range, a bootargs string
    without its NUL (hv6 hands it to the guest's DT as a C string)."""
    def header_byte(d):
        d[20] ^= 1                      # in image_size; hdr_crc32 no longer matches
    def image_byte(d):
        d[mkbootcfg.BOOTCFG_HDR_SIZE + 100] ^= 1
    def small_mem(d):
        _set_field(d, "guest_mem", 3 << 20)
    def no_nul(d):
        _set_field(d, "bootargs", b"x" * 256)
    cases = [(header_byte, "boot configuration is corrupt"),
             (image_byte, "guest image is missing or corrupt"),
             (small_mem, "GUEST_MEM must be a multiple of 2 MiB"),
             (no_nul, "boot configuration string without its NUL")]
    for patch, want in cases:
        out = _boot_with(m, patch)
        assert "hv6: panic" not in out, out[-2000:]
        assert "hv6: " + want in out, f"{patch.__name__}: expected `hv6: {want}`:\n{out[-2000:]}"
        assert "hv6-guest" not in out, f"{patch.__name__}: the guest booted:\n{out[-2000:]}"
