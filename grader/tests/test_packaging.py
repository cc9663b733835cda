# grader/tests/test_packaging.py: the course packaging, end to end.
#   - `make autograder LAB=csr`: what the Gradescope zip holds (setup.sh,
#     run_autograder, the handout without the solution, the hidden tests in
#     the trusted tree only), then run_autograder itself on a model
#     submission, with /autograder moved into a temp dir (AUTOGRADER_ROOT)
#     and the grading cut to one visible and one hidden test (GRADEFLAGS).
#   - `make zipball` (tools/zipball): refuses a tree that is not a git
#     repository or has uncommitted changes, packs HEAD otherwise.
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import handout  # noqa: E402

sys.path.insert(0, ROOT)
from grader import VISIBILITIES  # noqa: E402

STUDENT_DIRS = ("kernel", "hyp", "sbi", "guest-os")


def clean_env(**extra):
    """The environment of a nested make: no LAB/SOL/make flags of an outer make."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LAB", "SOL", "GRADEFLAGS", "GRADE_OUT")}
    env.update(extra)
    return env


def tree_files(top):
    return {os.path.relpath(os.path.join(d, f), top) for d, _, fs in os.walk(top) for f in fs}


@pytest.mark.skipif(not os.path.isdir(os.path.join(ROOT, "labs", "csr", "hidden")),
                    reason="a handout tree: no hidden tests or solution to package")
def test_autograder_zip(tmp_path):
    r = subprocess.run(["make", "-s", "-C", ROOT, "autograder", "LAB=csr"], env=clean_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    zpath = os.path.join(ROOT, "build", "autograder", "csr.zip")
    ag = tmp_path / "ag"
    src = ag / "source"
    src.mkdir(parents=True)
    subprocess.run(["unzip", "-q", zpath, "-d", str(src)], check=True)   # as Gradescope does

    # setup.sh installs the packages of tools/install-deps; both scripts run
    pkgs = subprocess.run([os.path.join(ROOT, "tools", "install-deps"), "--list"],
                          capture_output=True, text=True, check=True).stdout.split()
    setup = (src / "setup.sh").read_text()
    assert "apt-get install" in setup and all(p in setup.split() for p in pkgs), setup
    for f in ("setup.sh", "run_autograder"):
        assert os.access(src / f, os.X_OK), f"{f} is not executable in the zip"

    # tree/ = the csr handout + the hidden tests; nothing else, no solution
    tree = src / "tree"
    student = handout.make("csr", str(tmp_path / "handout"))
    hidden = {"labs/csr/hidden/test_csr_hidden.py"}
    assert not any("/hidden/" in f"/{f}" for f in tree_files(student)), "hidden tests in the handout"
    assert tree_files(tree) - tree_files(student) == hidden
    assert tree_files(student) - tree_files(tree) == set()
    assert not (tree / "labs" / "stage2").exists() and not (tree / "labs" / "README.md").exists()
    assert "SOL ?= 0" in (tree / "conf" / "lab.mk").read_text()
    csr_c = (tree / "hyp" / "csr.c").read_text()
    assert "SOL" not in csr_c and "still the lab-1 stub" in csr_c, "hyp/csr.c is not the stub"

    # no submission worth the name: score 0 and a message, no crash
    (ag / "submission").mkdir()
    (ag / "submission" / "notes.txt").write_text("forgot the code\n")
    run = lambda: subprocess.run(["bash", str(src / "run_autograder")], capture_output=True, text=True,
                                 timeout=240, env=clean_env(AUTOGRADER_ROOT=str(ag),
                                                            GRADEFLAGS="boot_and_shutdown or boot_trap_all"))
    r = run()
    res = json.loads((ag / "results" / "results.json").read_text())
    assert res["score"] == 0 and "No kernel/" in res["output"], res

    # a model submission (the handout with lab 1 solved), one folder down as
    # an unzipped `make zipball` may be: both tests pass, visibility per test
    model = handout.make("csr", str(tmp_path / "model"), sol=1)
    shutil.rmtree(ag / "submission")
    for d in STUDENT_DIRS:
        shutil.copytree(os.path.join(model, d), ag / "submission" / "lab-csr" / d)
    r = run()
    res = json.loads((ag / "results" / "results.json").read_text())
    log = (ag / "results" / "grade.log").read_text()
    tests = {t["name"]: t for t in res["tests"]}
    assert set(tests) == {"csr: test_boot_and_shutdown", "csr: test_boot_trap_all (hidden)"}, log[-3000:]
    assert all(t["visibility"] in VISIBILITIES for t in tests.values()), tests
    assert tests["csr: test_boot_and_shutdown"]["visibility"] == "visible"
    assert tests["csr: test_boot_trap_all (hidden)"]["visibility"] not in ("visible", "after_published")
    assert res["score"] == 10 and res["max_score"] == 10, log[-3000:]
    # the log names the hidden test: students see it only when they see that test
    assert "test_boot_trap_all" in log and res["stdout_visibility"] == "after_due_date", res
    # the student's code was graded on the trusted tree, in work/
    assert (ag / "work" / "labs" / "csr" / "hidden" / "test_csr_hidden.py").exists()
    with open(ag / "work" / "hyp" / "csr.c") as f:
        assert "still the lab-1 stub" not in f.read(), "the submission did not replace the stub"


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          capture_output=True, text=True, check=True)


def test_zipball(tmp_path):
    """A student tree in miniature: conf/lab.mk, labs/<name>/LAB, tools/zipball."""
    t = tmp_path / "lab"
    (t / "conf").mkdir(parents=True)
    (t / "conf" / "lab.mk").write_text("LAB ?= 2\nSOL ?= 1\n")
    for name, num in (("csr", 1), ("stage2", 2)):
        (t / "labs" / name).mkdir(parents=True)
        (t / "labs" / name / "LAB").write_text(f"{num}\n")
    (t / "tools").mkdir()
    shutil.copy2(os.path.join(ROOT, "tools", "zipball"), t / "tools" / "zipball")
    (t / "hyp").mkdir()
    (t / "hyp" / "stage2.c").write_text("int stage2;\n")
    zipball = lambda: subprocess.run([str(t / "tools" / "zipball")], cwd=t, capture_output=True, text=True)
    out = t / "lab-stage2-handin.zip"

    r = zipball()
    assert r.returncode != 0 and "not a git repository" in r.stderr, r.stderr
    git(t, "init", "-q")
    git(t, "add", "-A")
    git(t, "commit", "-qm", "start")

    (t / "hyp" / "stage2.c").write_text("int stage2 = 1;\n")       # unstaged
    r = zipball()
    assert r.returncode != 0 and "uncommitted changes" in r.stderr and "hyp/stage2.c" in r.stderr, r.stderr
    git(t, "add", "hyp/stage2.c")                                   # staged
    r = zipball()
    assert r.returncode != 0 and "uncommitted changes" in r.stderr, r.stderr
    assert not out.exists()

    git(t, "commit", "-qm", "lab stage2")
    (t / "hyp" / "new.c").write_text("int forgotten;\n")            # untracked: a warning
    r = zipball()
    assert r.returncode == 0, r.stderr
    assert "not committed" in r.stderr and "hyp/new.c" in r.stderr, r.stderr
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert "hyp/stage2.c" in names and "hyp/new.c" not in names, names
        assert z.read("hyp/stage2.c") == b"int stage2 = 1;\n"
