# labs/snapshot/hidden/test_snapshot_hidden.py: hidden tests of lab 5 (never
# in a handout; run by `make grade` on the reference tree and by the
# autograder). The visible tests restore a snapshot once and only with the
# default GUEST_MEM; here one snapshot is restored twice in a run (a restore
# must not consume or alter it), and a 64 MiB guest's snapshot resumes only
# with 64 MiB.
import os
import sys

from grader import GradeFailure, points

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from test_snapshot import monitor, resumed, saved_pages, shell_snapshot  # noqa: E402


def verify_at(s, iteration):
    out = s.cmd("snaptest verify", until=r"snaptest: done, \d+ checks, \d+ failed")
    if f"snaptest: state at iteration {iteration}" not in out or "verdict continuity ok" not in out:
        raise GradeFailure(f"after the restore the guest is not the state of iteration {iteration}:\n" + out)


@points(5)
def test_restore_twice(m):
    """Save once, restore, run on, restore the same snapshot again: both
    restores give back the saved state."""
    with m.session("hv6", timeout=120) as s:
        s.cmd("snaptest start nodisk")
        s.cmd("snaptest step 30000", until=r"stepped to iteration 30000")
        saved_pages(monitor(s, "snapshot save s1"), "s1")
        for k in range(2):
            s.cmd("snaptest step 15000", until=r"stepped to iteration 45000")
            text = monitor(s, "snapshot restore s1")
            if "hv6: snapshot: error" in text:
                raise GradeFailure(f"restore {k + 1} refused:\n{text}")
            resumed(s, "s1")
            verify_at(s, 30000)


@points(5)
def test_guest_mem_64m(m):
    """A 64 MiB guest's snapshot resumes in a new run with GUEST_MEM=64M and
    is refused with the default 128M."""
    shell_snapshot(m, mem="64M")
    out = m.run_hv6("", restore="s1", timeout=60)
    out.expect(r"^hv6: snapshot: error: .*GUEST_MEM", "a 64 MiB snapshot must not restore into 128 MiB")
    out.expect_not(r"^hv6: snapshot restored")
    with m.session("hv6", timeout=90, restore="s1", mem="64M") as s:
        resumed(s, "s1")
        verify_at(s, 20000)
