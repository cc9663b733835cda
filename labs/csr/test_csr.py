# labs/csr/test_csr.py: visible tests of lab 1 (csr): trap-and-emulate of
# privileged instructions, SBI, exception injection. Each task has a test;
# csrtest is also compared line by line with the same guest run natively.
import os

from grader import points


@points(5)
def test_boot_and_shutdown(m):
    """The guest boots in VS-mode, prints through SBI, and SRST ends the VM."""
    out = m.run_hv6("run=echo,hello", timeout=20)
    out.expect(r"^hv6-guest: booting on hart 0")
    out.expect(r"^hello$")
    out.expect(r"^hv6: guest shutdown")
    out.expect(r"^hv6: exits: .*sbi=\d+")
    out.expect_not(r"^hv6: (panic|vm stopped)")


@points(15)
def test_csrtest_trap_min(m):
    """TRAP=min: csrtest prints the same result lines as natively, all checks pass."""
    m.compare("csrtest", trap="min", timeout=30)


@points(15)
def test_csrtest_trap_all(m):
    """TRAP=all: SRET, satp, SFENCE.VMA, WFI and counters trap and are emulated
    exactly: csrtest still matches the native run."""
    _, hv = m.compare("csrtest", trap="all", timeout=30)
    for reason in ("csr", "sret", "sfence"):
        hv.expect(rf"^hv6: exits: .*\b{reason}=[1-9]",
                  f"TRAP=all must emulate {reason} (see the exit counters)")


@points(10)
def test_trap_policies_differ(m):
    """The exit counters show what each policy traps: TRAP=min never exits for
    SRET or SFENCE.VMA, TRAP=all does, and both run the guest to the end."""
    lo = m.run_hv6("run=csrtest", trap="min", timeout=30)
    hi = m.run_hv6("run=csrtest", trap="all", timeout=30)
    lo.selftest("csrtest")
    hi.selftest("csrtest")
    lo.expect_not(r"^hv6: exits: .*\b(sret|sfence)=", "TRAP=min should not trap SRET/SFENCE")
    total = lambda o: int(o.expect(r"^hv6: exits: .*total=(\d+)")[1])
    assert total(hi) > total(lo), f"TRAP=all ({total(hi)} exits) should exit more than TRAP=min ({total(lo)})"


@points(10)
def test_illegal_instruction_injection(m):
    """Hypervisor and machine CSRs reach the guest as illegal instructions with
    stval = the instruction bits, exactly as on a hart without H."""
    out = m.run_hv6("run=csrtest", timeout=30)
    for insn, bits in (("hstatus", "0x60002573"), ("hgatp", "0x68002573"),
                       ("vsstatus", "0x20002573"), ("mstatus", "0x30002573")):
        out.expect(rf"^csrtest: csrr a0, {insn}: traps 1 cause 2 stval {bits}$",
                   f"csrr {insn} should give cause 2 with stval {bits}")
    out.expect(r"^csrtest: hlv\.d a0, \(a0\): traps 1 cause 2 stval 0x6c054573$")


@points(10)
def test_sbi_calls(m):
    """BASE reports spec 2.0 and probes; DBCN writes and rejects buffers outside
    RAM; unknown extensions and functions answer SBI_ERR_NOT_SUPPORTED."""
    out = m.run_hv6("run=csrtest", timeout=30)
    out.expect(r"^csrtest: info sbi spec version 2\.0$")
    out.expect(r"^csrtest: info probe DBCN: error 0 value 1$")
    out.expect(r"^csrtest: info probe SRST: error 0 value 1$")
    out.expect(r"^csrtest: unknown extension: error -2$")
    out.expect(r"^csrtest: unknown BASE function: error -2$")
    out.expect(r"write outside RAM: error -3$", "DBCN with a buffer outside guest RAM: SBI_ERR_INVALID_PARAM")
    out.selftest("csrtest")


@points(10)
def test_csr_sweep_equivalence(m):
    """All 4096 CSR numbers trap (or not) exactly as natively, under both policies."""
    m.compare("csrsweep", trap="min", timeout=60)
    m.compare("csrsweep", trap="all", timeout=60)


@points(10)
def test_system_opcode_sweep(m):
    """2000 seeded SYSTEM-opcode words trap with the native cause and stval."""
    m.compare("syssweep", trap="all", timeout=60)


@points(5)
def test_vm_stops_cleanly(m, tmp_path):
    """A guest whose first instruction is illegal, with no trap vector, is stopped
    with a one-line diagnostic naming the cause and pc; the host does not panic."""
    image = tmp_path / "zero.bin"
    image.write_bytes(bytes(16))
    out = m.run_hv6("", guest=str(image), disk=False, timeout=20)
    out.expect(r"^hv6: vm stopped: .*vstvec unset")
    out.expect(r"^hv6: exits:")
    out.expect_not(r"^hv6: panic")
