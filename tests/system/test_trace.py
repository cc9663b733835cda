# tests/system/test_trace.py: exit tracing (make qemu TRACE=1, monitor
# `trace on`): one line per exit with its reason, the guest pc, the
# instruction when the guest caused it, and where the guest goes on.
import re

from grader import points


@points(5)
def test_trace_one_line_per_exit(m):
    """With tracing on from boot, every exit prints exactly one trace line:
    their number equals the exit counters' total, and SBI calls and demand
    faults show their instruction and guest physical address."""
    # pgtest touches 8 MiB of fresh memory: demand faults even where hv6
    # backs whole 2 MiB regions at a time (a short `echo` may need none)
    out = m.run_hv6("run=pgtest", trace=True, disk=False, timeout=30)
    # (a trace line may follow guest output that did not end its line)
    ntrace = out.text.count("hv6: trace: ")
    total = int(out.expect(r"^hv6: exits: .*total=(\d+)")[1])
    assert ntrace == total, f"{ntrace} trace lines for {total} exits"
    out.expect(r"^hv6: trace: sbi +pc 0x[0-9a-f]+ +environment call from VS-mode, "
               r"insn 0x00000073 \(ecall\), a7 0x[0-9a-f]+ a6 \d+ -> a0 -?\d+ -> pc 0x[0-9a-f]+ \(VS\)$")
    out.expect(r"^hv6: trace: ramfault +pc 0x[0-9a-f]+ .*guest-page fault.*, gpa 0x8[0-9a-f]+ -> pc ")


@points(5)
def test_trace_off_by_default(m):
    """Without TRACE=1 nothing is traced."""
    out = m.run_hv6("run=echo,hi", disk=False, timeout=30)
    out.expect(r"^hi$")
    out.expect_not(r"^hv6: trace: ")
