# labs/csr/hidden/test_csr_hidden.py: hidden tests of lab 1 (never in a handout).
from grader import points


@points(5)
def test_boot_trap_all(m):
    """The guest also boots when every supervisor CSR access traps (TRAP=all)."""
    out = m.run_hv6("run=echo,hello", trap="all", timeout=20)
    out.expect(r"^hello$")
    out.expect_not(r"^hv6: panic")
