# grader: hv6's pytest-based grader.  Lab tests (labs/<lab>/test_*.py and
# labs/<lab>/hidden/test_*.py) use this API:
#
#   from grader import points
#   @points(10)
#   def test_boot(m):                       # m: a Machine, one per test
#       out = m.run_hv6("run=csrtest", trap="min", timeout=30)
#       out.selftest("csrtest")             # `csrtest: done, N checks, 0 failed`
#       out.expect(r"^hv6: exits: ")
#
#   out.stop_report()             hv6's `vm stopped:` line + decoded exit + hint
#   m.run_native(bootargs, ...)   boot the guest in S-mode on QEMU (no hv6)
#   m.compare("csrtest")          native vs hv6 result lines, diff on mismatch
#   with m.session("hv6") as s:   interactive: s.cmd("help"), s.expect(regex)
#
# Run with `make grade [LAB=name] [GRADEFLAGS=filter]` or `python3 -m grader`.
from .machine import GradeFailure, Machine, Output, QemuTimeout, Session, build  # noqa: F401

__all__ = ["points", "timeout", "visibility", "Machine", "Output", "Session",
           "GradeFailure", "QemuTimeout", "build"]


def points(n):
    """Worth n points (default for tests without it: 1)."""
    def deco(fn):
        fn.grade_points = n
        return fn
    return deco


def timeout(seconds):
    """Hard limit for the whole test (default 300 s), on top of per-run timeouts."""
    def deco(fn):
        fn.grade_timeout = seconds
        return fn
    return deco


# Gradescope's per-test visibility values, from shown first to shown last.
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")


def visibility(v):
    """Gradescope visibility: visible, hidden, after_due_date, after_published.
    Tests under labs/<lab>/hidden/ default to after_due_date, others to visible."""
    if v not in VISIBILITIES:
        raise ValueError(f"visibility {v!r}: Gradescope knows {', '.join(VISIBILITIES)}")

    def deco(fn):
        fn.grade_visibility = v
        return fn
    return deco
