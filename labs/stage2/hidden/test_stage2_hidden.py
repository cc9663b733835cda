# labs/stage2/hidden/test_stage2_hidden.py: hidden tests of lab 2 (never in a
# handout; run by `make grade` on the reference tree and by the autograder).
# The visible tests boot pgtest with the default 128 MiB; these check that
# GUEST_MEM reaches the G-stage limit and the device tree, under the other
# trap policy and timer configuration.
import re

from grader import points


@points(5)
def test_pgtest_small_guest_trap_all_sstc(m):
    """A 32 MiB guest (TRAP=all, SSTC=1): pgtest gives the native results, and
    hv6 counts 8192 guest pages of which only the touched ones are backed."""
    _, hv = m.compare("pgtest", trap="all", sstc=1, mem="32M", timeout=60)
    hv.expect(r"^hv6: booting guest \(32 MiB RAM")
    mo = hv.expect(r"^hv6: guest memory: (\d+) of (\d+) pages backed")
    used, total = int(mo[1]), int(mo[2])
    assert total == 8192, f"a 32 MiB guest has 8192 pages, hv6 says {total}"
    assert 2048 <= used < total, f"{used} of {total} pages backed after pgtest touched 2048"
    faults = re.search(r"^hv6: exits: .*\bramfault=(\d+)", hv.text, re.M)
    assert faults and int(faults[1]) >= 2048, "each fresh page should be one ramfault exit"
