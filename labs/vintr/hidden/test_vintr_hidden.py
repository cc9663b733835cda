# labs/vintr/hidden/test_vintr_hidden.py: hidden tests of lab 3 (never in a
# handout; run by `make grade` on the reference tree and by the autograder).
# The visible tests run threads and the idle loop without Sstc; here the
# guest's tick comes from vstimecmp, and with TRAP=all its WFIs still trap.
# threads runs in virtual time (icount="virtual"), as in ../test_vintr.py.
import re

from grader import points


def exits(out):
    mo = out.expect(r"^hv6: exits: (.*)$")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", mo[1])}


@points(5)
def test_threads_sstc(m):
    """Two guest threads are preempted by the Sstc tick (vstimecmp), under
    both trap policies: the same lines as natively with Sstc."""
    m.compare("threads", trap="min", sstc=1, icount="virtual", timeout=40)
    m.compare("threads", trap="all", sstc=1, icount="virtual", timeout=40)


@points(5)
def test_idle_sstc_trap_all(m):
    """TRAP=all with SSTC=1: the idle loop's WFIs trap and block until the
    guest's own stimecmp fires (no busy loop, no host timer exit per tick)."""
    out = m.run_hv6("run=idle,2", trap="all", sstc=1, timeout=40)
    out.selftest("idle")
    e = exits(out)
    assert 100 <= e.get("wfi", 0) <= 600, f"{e.get('wfi')} WFI exits in 2 s of a 100 Hz idle loop"
    assert e.get("timer", 0) < 20, f"SSTC=1: the guest's tick should not take host timer exits: {e}"
    assert e["total"] <= 4000, f"{e['total']} exits for 2 s of idling: WFI must block"
