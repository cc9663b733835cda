# labs/csr/test_csr.py: visible tests of lab 1 (csr).  Placeholder set that
# proves the framework end to end; the csr lab issue extends it.
from grader import points


@points(5)
def test_boot_under_hv6(m):
    """The guest boots in VS-mode, prints through the SBI console and powers off."""
    out = m.run_hv6("run=echo,hello", timeout=20)
    out.expect(r"^hv6-guest: booting on hart 0")
    out.expect(r"^hello$")
    out.expect(r"^hv6: exits: .*sbi=\d+")
    out.expect_not(r"^hv6: panic")


@points(10)
def test_csrtest_equivalence(m):
    """csrtest prints the same result lines natively and under hv6, all checks pass."""
    m.compare("csrtest", timeout=30)
