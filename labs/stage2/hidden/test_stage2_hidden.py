# labs/stage2/hidden/test_stage2_hidden.py: hidden tests of lab 2 (never in a
# handout; run by `make grade` on the reference tree and by the autograder).
# The visible tests boot pgtest with the default 128 MiB; these check that
# GUEST_MEM reaches the G-stage limit and the device tree, under the other
# trap policy and timer configuration, and a guest whose RAM crosses a
# 1 GiB boundary of guest-physical space (a second root entry of the Sv39x4
# table) and ends 2 MiB past it.
import os
import sys

from grader import points

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from test_stage2 import MIB, backed, exits, guest_file, toucher  # noqa: E402


@points(5)
def test_pgtest_small_guest_trap_all_sstc(m):
    """A 32 MiB guest (TRAP=all, SSTC=1): pgtest gives the native results, and
    hv6 counts 8192 guest pages of which only the touched ones are backed."""
    _, hv = m.compare("pgtest", trap="all", sstc=1, mem="32M", timeout=60)
    hv.expect(r"^hv6: booting guest \(32 MiB RAM")
    used, total = backed(hv)
    assert total == 8192, f"a 32 MiB guest has 8192 pages, hv6 says {total}"
    assert 2048 <= used < total, f"{used} of {total} pages backed after pgtest touched 2048"
    # One fault backs a 4 KiB page, or a whole 2 MiB region with a 2 MiB
    # leaf (the reference solution): at least 4 for the 8 MiB pgtest touches.
    assert exits(hv, "ramfault") >= 2048 // 512, ("each fresh 4 KiB page (or 2 MiB region) "
                                                  "should take a ramfault exit")


@points(5)
def test_ram_across_1g_boundary(m, tmp_path):
    """GUEST_MEM=1026M: guest RAM runs past GPA 0xc0000000, where the G-stage
    root index changes; stores on both sides of it work, the last page is
    usable, and the first byte past it is a store access fault."""
    g = guest_file(tmp_path, "cross.bin", toucher(1023 * MIB, 3 * MIB))
    out = m.run_hv6("", guest=g, mem="1026M", disk=False, timeout=30)
    out.expect(r"^hv6: booting guest \(1026 MiB RAM")
    out.expect(r"^touched$")
    out.expect(r"^hv6: guest shutdown")
    used, total = backed(out)
    assert total == 1026 * 256, f"a 1026 MiB guest has {1026 * 256} pages, hv6 says {total}"
    # Backed by 4 KiB pages: the 768 touched, the image and the device tree
    # (under 900). By 2 MiB leaves: the image's region and the two regions
    # the 3 MiB straddle (the device tree is inside the last), 1536 pages.
    assert 768 <= used <= 1536, (f"the guest touched 768 pages (+ its image and device tree); "
                                 f"{used} backed")
    g = guest_file(tmp_path, "past.bin", toucher(1025 * MIB, 1 * MIB, past_end=True))
    out = m.run_hv6("", guest=g, mem="1026M", disk=False, timeout=30)
    out.expect(r"^touched$")
    out.expect(r"^hv6: vm stopped: .*store/AMO access fault", "a store past GUEST_MEM must be a "
               "store access fault for the guest")
    out.expect_not(r"^hv6: panic")
