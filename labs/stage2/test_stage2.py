# labs/stage2/test_stage2.py: visible tests of lab 2 (stage2): G-stage page
# tables, demand paging, MMIO emulation, the emulated UART. Most checks use
# the guest's pgtest, natively and under hv6; the memory tests boot a tiny
# raw guest (encoded below) that stores to every page of a range.
import re
import struct

from grader import points

RAM = 0x80000000
MIB = 1 << 20


# ---- a tiny guest, hand-assembled (RV64I) ----------------------------------
def _u(op, rd, imm20):
    return (imm20 & 0xfffff) << 12 | rd << 7 | op


def _i(op, f3, rd, rs1, imm):
    return (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def _r(f7, rs2, rs1, f3, rd):
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x33


def _s(f3, rs2, rs1, imm):
    return (imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | 0x23


def _b(f3, rs1, rs2, imm):
    return ((imm >> 12 & 1) << 31 | (imm >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 |
            f3 << 12 | (imm >> 1 & 0xf) << 8 | (imm >> 11 & 1) << 7 | 0x63)


T0, T1, T2, T3, A0, A7 = 5, 6, 7, 28, 10, 17
ECALL = 0x73


def toucher(start_off, length, past_end=False):
    """Raw guest (loaded at GPA 0x80200000): store to one word of every page
    in [RAM + start_off, RAM + start_off + length), print "touched", then
    either store to the byte right after that range (past_end) or shut
    down through SBI v0.1.  start_off must be page aligned and >= 4 MiB."""
    assert start_off % 4096 == 0 and length % 4096 == 0
    words = [
        _u(0x17, T0, (start_off - 0x200000) >> 12),   # auipc t0: pc + (start - 2 MiB)
        _u(0x37, T2, length >> 12),                   # lui t2, length
        _r(0, T2, T0, 0, T1),                         # add t1, t0, t2   (end)
        _u(0x37, T3, 1),                              # lui t3, 1        (4096)
        _s(3, T0, T0, 0),                             # loop: sd t0, 0(t0)
        _r(0, T3, T0, 0, T0),                         # add t0, t0, t3
        _b(6, T0, T1, -8),                            # bltu t0, t1, loop
    ]
    for ch in b"touched\n":                           # SBI legacy putchar
        words += [_i(0x13, 0, A7, 0, 1), _i(0x13, 0, A0, 0, ch), ECALL]
    if past_end:
        words += [_s(0, T1, T1, 0)]                   # sb t1, 0(t1)
    words += [_i(0x13, 0, A7, 0, 8), ECALL]           # SBI legacy shutdown
    return struct.pack(f"<{len(words)}I", *words)


def guest_file(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def exits(out, reason):
    mo = re.search(rf"^hv6: exits: .*\b{reason}=(\d+)", out.text, re.M)
    return int(mo[1]) if mo else 0


def backed(out):
    mo = out.expect(r"^hv6: guest memory: (\d+) of (\d+) pages backed")
    return int(mo[1]), int(mo[2])


# ---- pgtest: equivalence with the real board ----------------------------------

@points(15)
def test_pgtest_trap_min(m):
    """pgtest (aliases, page faults, 8 MiB of fresh pages, holes, UART) prints
    the same result lines under hv6 (TRAP=min) as natively, all checks pass."""
    m.compare("pgtest", trap="min", timeout=60)


@points(10)
def test_pgtest_trap_all(m):
    """The same with TRAP=all: the guest's satp writes and SFENCE.VMAs trap
    too, and two-stage translation still gives the native results."""
    m.compare("pgtest", trap="all", timeout=60)


# ---- the pieces, one test each ---------------------------------------------------

@points(10)
def test_demand_paging(m):
    """Guest RAM starts unmapped: the first touch of each page is a
    guest-page fault (exit `ramfault`), and a guest that touched 8 MiB of its
    128 MiB has only those pages backed by host memory. (One fault backs a
    4 KiB page, or a whole 2 MiB region if hv6 maps it with one 2 MiB leaf,
    as the reference solution does: so at least 4 faults for the 8 MiB.)"""
    out = m.run_hv6("run=pgtest", timeout=60)
    out.expect(r"^pgtest: touched 2048 pages \(8 MiB\), checksum ")
    faults = exits(out, "ramfault")
    assert faults >= 2048 // 512, (f"expected >= 4 ramfault exits (one per 4 KiB page "
                                   f"or 2 MiB region touched), got {faults}")
    used, total = backed(out)
    assert total == 32768, f"128 MiB guest should have 32768 pages, hv6 says {total}"
    assert 2048 <= used < total // 2, (f"{used} of {total} pages backed: guest RAM should be "
                                       "populated on demand, not mapped up front")


@points(10)
def test_superpage_aliases(m):
    """One guest page seen through the guest's 4 KiB, 2 MiB and 1 GiB leaves
    (and the identity map) is one host page: writes through any alias are
    read through all the others."""
    out = m.run_hv6("run=pgtest", timeout=60)
    for pat in (r"write via 4K, read via 2M/1G/identity: (0x1111222233334444 ?){3}$",
                r"write via 1G, read via 4K/2M: (0x5555666677778888 ?){2}$",
                r"write via 2M at offset 0xff8, read via 4K/1G: 0x99 0x99$"):
        out.expect(r"^pgtest: " + pat)
    out.expect_not(r"^pgtest: (write via|load|store|fetch).* FAIL")
    assert exits(out, "ramfault") > 0, "the aliased page should have been demand-paged"


@points(10)
def test_unmapped_gpa_access_fault(m):
    """Loads, stores and fetches at guest physical addresses with nothing
    behind them give the guest the access fault the board gives (cause
    5/7/1 with stval = the virtual address), not a hang or a VM stop."""
    nat = m.run_native("run=pgtest", timeout=60)
    hv = m.run_hv6("run=pgtest", timeout=60)
    holes = lambda out: [l for l in out.results("pgtest") if re.match(r"pgtest: (hole |  )", l)]
    assert len(holes(nat)) == 16, f"native run: expected 16 hole lines, got {len(holes(nat))}"
    assert holes(hv) == holes(nat), ("hole accesses differ from native:\n  " +
                                     "\n  ".join(f"{a!r} vs {b!r}" for a, b in zip(holes(nat), holes(hv)) if a != b)
                                     if len(holes(hv)) == 16 else f"got {len(holes(hv))} of 16 hole lines")
    for cause in ("cause 5 \\(load access fault\\)", "cause 7 \\(store/AMO access fault\\)",
                  "cause 1 \\(instruction access fault\\)"):
        hv.expect(r"^pgtest:   \w+ 0x2000004000: " + cause + "$")
    assert exits(hv, "accessfault") >= 12, "each hole access should be an `accessfault` exit"


@points(10)
def test_uart_registers(m):
    """The emulated ns16550a: SCR and LCR read back, the divisor latch behind
    DLAB, IER keeps its four bits, IIR says no interrupt, LSR says THR empty;
    every access is an emulated MMIO exit."""
    out = m.run_hv6("run=pgtest", timeout=60)
    for pat in (r"uart SCR write/read: 0x5a 0xa5", r"uart LCR write/read: 0x1b",
                r"uart divisor latch write/read: DLL 0x34 DLM 0x12", r"uart IER write 0xff reads 0xf",
                r"uart IIR with IER=0: no interrupt pending \(0x1\)", r"uart LSR THRE set: yes"):
        out.expect(r"^pgtest: " + pat + "$")
    out.selftest("pgtest")
    assert exits(out, "mmio") >= 20, f"UART accesses should be mmio exits, got {exits(out, 'mmio')}"


@points(10)
def test_guest_mem_limit(m, tmp_path):
    """GUEST_MEM=8M: the guest gets 8 MiB (0x80000000-0x807fffff); storing to
    pages inside works and backs only the pages touched (or their 2 MiB
    regions, with 2 MiB leaves); the first byte
    past the end is a store access fault for the guest (this guest has no
    trap vector, so hv6 stops it with a diagnostic)."""
    g = guest_file(tmp_path, "touch.bin", toucher(4 * MIB, 2 * MIB, past_end=False))
    out = m.run_hv6("", guest=g, mem="8M", disk=False, timeout=30)
    out.expect(r"^hv6: booting guest \(8 MiB RAM")
    out.expect(r"^touched$")
    out.expect(r"^hv6: guest shutdown")
    used, total = backed(out)
    assert total == 2048, f"an 8 MiB guest has 2048 pages, hv6 says {total}"
    # Touched: 512 pages, the image and the device tree. Backed by 4 KiB
    # pages that is under 600; by 2 MiB leaves, their three 2 MiB regions.
    # Never touched either way: the first 2 MiB of RAM, below the image.
    assert 512 <= used <= 1536, (f"the guest touched 512 pages (+ its image and device tree), "
                                 f"nothing below 0x80200000; {used} backed")
    g = guest_file(tmp_path, "past.bin", toucher(4 * MIB, 4 * MIB, past_end=True))
    out = m.run_hv6("", guest=g, mem="8M", disk=False, timeout=30)
    out.expect(r"^touched$")
    out.expect(r"^hv6: vm stopped: .*store/AMO access fault", "a store past GUEST_MEM must be a "
               "store access fault for the guest")
    out.expect_not(r"^hv6: panic")


@points(10)
def test_host_out_of_memory(m, tmp_path):
    """A 512 MiB guest on a host with 160 MiB: RAM is demand-paged, so it
    boots; when it has touched more than the host can back, the VM stops
    with an out-of-memory diagnostic, and the host itself stays up."""
    g = guest_file(tmp_path, "hog.bin", toucher(4 * MIB, 500 * MIB))
    out = m.run_hv6("", guest=g, mem="512M", disk=False, extra="-m 160M", timeout=60)
    out.expect(r"^hv6: booting guest \(512 MiB RAM")
    out.expect(r"^hv6: vm stopped: out of memory")
    out.expect(r"^hv6: exits: .*ramfault=\d+")
    out.expect_not(r"^hv6: panic")
    out.expect_not(r"^touched$", "the host cannot have backed 500 MiB")


# ---- the monitor's view of the G-stage tables ---------------------------------

@points(10)
def test_monitor_info_stage2(m):
    """Ctrl-] opens the monitor: `info stage2` lists the G-stage mappings as
    coalesced runs of 4 KiB (or 2 MiB) leaves inside guest RAM, and not all
    of it (RAM is demand-paged), `info stage2 <gpa>` walks one address level
    by level down to its leaf (4K at level 0, or 2M at level 1), the UART is
    never mapped."""
    with m.session("hv6", bootargs="", timeout=30) as s:
        s.expect(r"\$ $")
        s.send(b"\x1d")
        s.expect(r"hv6> ")
        mark = len(s.log)
        s.send(b"info stage2\r")
        s.expect(r"leaves in \d+ runs.*\n")
        text = bytes(s.log[mark:]).decode("utf-8", "replace")
        runs = re.findall(r"0x([0-9a-f]+)-0x([0-9a-f]+) -> 0x([0-9a-f]+) +(\d+) x (4K|2M|1G)", text)
        assert runs, f"no mappings listed:\n{text}"
        assert all(r[4] in ("4K", "2M") for r in runs), f"guest RAM should be mapped with 4K (or 2M) leaves:\n{text}"
        for lo, hi, _, n, size in runs:
            lo, hi = int(lo, 16), int(hi, 16)
            leaf = 4096 if size == "4K" else 2 * MIB
            assert RAM <= lo and hi < RAM + 128 * MIB, f"mapping outside guest RAM: {lo:#x}-{hi:#x}"
            assert lo % leaf == 0 and hi - lo + 1 == int(n) * leaf, f"run {lo:#x}-{hi:#x} is not {n} x {size}"
        mo = re.search(r"(\d+) of (\d+) RAM pages backed", text)
        assert mo and int(mo[1]) < int(mo[2]) // 4, f"RAM should not be mapped up front:\n{text}"
        s.expect(r"hv6> ")
        mark = len(s.log)
        s.send(b"info stage2 0x80200000\r")
        s.expect(r"hv6> ")
        text = bytes(s.log[mark:]).decode("utf-8", "replace")
        for pat in (r"L2 root\[2\]", r"L1 table\[1\]", r"(L0 table\[0\].*leaf 4K|L1 table\[1\].*leaf 2M)",
                    r"-> HPA 0x"):
            assert re.search(pat, text), f"walk of 0x80200000 should show /{pat}/:\n{text}"
        mark = len(s.log)
        s.send(b"info stage2 0x10000000\r")
        s.expect(r"hv6> ")
        text = bytes(s.log[mark:]).decode("utf-8", "replace")
        assert "device uart" in text and "not mapped" in text, f"the UART must not be mapped:\n{text}"
        s.send(b"continue\r")
        s.send(b"echo back in the guest\r")
        s.expect(r"^back in the guest")
        s.send(b"\x1d")
        s.expect(r"hv6> ")
        s.send(b"quit\r")
        s.expect(r"hv6: vm stopped: quit from the monitor")
