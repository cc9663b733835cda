# grader/check_handouts.py: the handout integrity check of `make check`
# (run by tools/check-handouts).  For every lab N of this reference tree:
# make its handout in a fresh directory outside the repository, build it with
# the documented commands (`make`, `make grade`), and require that
#   - it builds and the tests of every earlier lab pass, and
#   - at least one test of lab N FAILS (the stub must not pass its own lab's
#     tests); lab-N tests that pass anyway are listed as "testing nothing?";
#   - every hidden test of lab N (labs/<N>/hidden/, copied into the tree as
#     the autograder does) FAILS.
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"


def conf(name):
    with open(os.path.join(ROOT, "conf", "lab.mk")) as f:
        return int(re.search(rf"^{name}\s*\??=\s*(\d+)", f.read(), re.M)[1])


def lab_list():
    res = []
    for d in sorted(os.listdir(os.path.join(ROOT, "labs"))):
        p = os.path.join(ROOT, "labs", d, "LAB")
        if os.path.exists(p):
            with open(p) as f:
                res.append((int(f.read().split()[0]), d))
    # a lab beyond the reference tree's LAB/SOL has no solution to hand out yet
    return [(n, d) for n, d in sorted(res) if n <= min(conf("LAB"), conf("SOL"))]


def clean_env():
    return {k: v for k, v in os.environ.items()
            if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LAB", "SOL", "GRADE_OUT")}


@pytest.mark.parametrize("num,name", lab_list(), ids=[d for _, d in lab_list()])
def test_handout(num, name):
    tmp = tempfile.mkdtemp(prefix=f"hv6-handout-{name}-")
    env = clean_env()
    try:
        subprocess.run([PY, os.path.join(ROOT, "tools", "handout.py"), name, "--out", tmp],
                       check=True, capture_output=True, env=env)
        tree = os.path.join(tmp, name)
        assert not os.path.exists(os.path.join(tree, ".git"))
        hidden = [os.path.join(d, x) for d, dirs, _ in os.walk(tree) for x in dirs if x == "hidden"]
        assert not hidden, f"hidden tests leaked into the handout: {hidden}"
        b = subprocess.run(["make", "-s", "all"], cwd=tree, capture_output=True, text=True, env=env)
        assert b.returncode == 0, f"handout of {name} does not build:\n{(b.stdout + b.stderr)[-3000:]}"
        labs = ",".join(d for n, d in lab_list() if n <= num)
        g = subprocess.run(["make", "-s", "grade", f"LAB={labs}"], cwd=tree, capture_output=True,
                           text=True, env=env)
        rpath = os.path.join(tree, "build", "grade", "results.json")
        tests = json.load(open(rpath))["tests"] if os.path.exists(rpath) else []
        assert tests or g.returncode == 0, f"grading the handout failed:\n{(g.stdout + g.stderr)[-3000:]}"
        earlier_bad = [t["name"] for t in tests if t["tags"][0] != name and t["status"] != "passed"]
        own = [t for t in tests if t["tags"][0] == name]
        assert not earlier_bad, (f"handout of {name}: earlier labs' tests fail: {earlier_bad}\n"
                                 + (g.stdout)[-3000:])
        if not own:
            pytest.skip(f"lab {name} has no tests yet (earlier labs pass)")
        passing = [t["name"] for t in own if t["status"] == "passed"]
        assert len(passing) < len(own), (f"handout of {name}: every test of lab {name} passes without "
                                         f"its solution; they test nothing: {passing}")
        if passing:
            print(f"\nhandout of {name}: these lab-{name} tests pass without the solution "
                  f"(testing nothing?): {passing}")
        hidden_src = os.path.join(ROOT, "labs", name, "hidden")
        if os.path.isdir(hidden_src):
            shutil.copytree(hidden_src, os.path.join(tree, "labs", name, "hidden"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            os.remove(rpath)
            g = subprocess.run(["make", "-s", "grade", f"LAB={name}", "GRADEFLAGS=hidden"], cwd=tree,
                               capture_output=True, text=True, env=env)
            tests = json.load(open(rpath))["tests"] if os.path.exists(rpath) else []
            tests = [t for t in tests if t["name"].endswith("(hidden)")]
            assert tests, f"grading the hidden tests failed:\n{(g.stdout + g.stderr)[-3000:]}"
            passing = [t["name"] for t in tests if t["status"] == "passed"]
            assert not passing, (f"handout of {name}: hidden tests pass without the solution; "
                                 f"they test nothing: {passing}")
    finally:
        if os.environ.get("HANDOUT_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
