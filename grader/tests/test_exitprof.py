# grader/tests/test_exitprof.py: `make exitprof` (tools/exitprof.py) counts
# an exit's instructions from QEMU's exec log; the guest's own instret
# measures the same round trip. The two must agree, and the profile must
# name the functions of the path.
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def conf(name):
    with open(os.path.join(ROOT, "conf", "lab.mk")) as f:
        return int(re.search(rf"^{name}\s*\??=\s*(\d+)", f.read(), re.M)[1])


# In a handout the hypervisor is the student's, unfinished: nothing to profile yet.
@pytest.mark.skipif(conf("SOL") < conf("LAB") or conf("LAB") < 2,
                    reason="a handout tree: the exits to profile are the student's to write")
def test_exitprof_agrees_with_instret():
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LAB", "SOL", "TRAP", "SSTC")}
    p = subprocess.run(["make", "-s", "exitprof"], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=240)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    guest = float(re.search(r"^bench: sbi-null ([0-9.]+) insn", p.stdout, re.M)[1])
    # the bench loop's 100 calls (one may differ: a host interrupt, the first call)
    prof = [(int(m[1]), m[3]) for m in re.finditer(r"^sbi\s+(\d+) insn x(\d+): (.*)$",
                                                    p.stdout, re.M) if int(m[2]) >= 90]
    assert prof, f"no SBI exit in the profile:\n{p.stdout}"
    total, funcs = min(prof, key=lambda x: abs(x[0] - guest))
    assert abs(total - guest) < 1, f"profile {total} vs guest instret {guest}:\n{p.stdout}"
    for f in ("trap_vector", "exit_handle", "sbi_handle_ecall", "vcpu_resume"):
        assert f in funcs, f"{f} missing from the SBI exit's profile: {funcs}"
    assert re.search(r"^mmio\s+\d+ insn x\d+: .*vuart_read", p.stdout, re.M), p.stdout
