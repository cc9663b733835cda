# grader/plugin.py: pytest hooks that turn lab tests into a grade.
# Loaded by labs/conftest.py.  Per test: points, a hard time limit, hv6's own
# failure reports (VM stop / panic, decoded, with a hint) + the last console
# lines on failure, TIMEOUT as its own status.
# At the end (controller process only, also under pytest-xdist) it prints the
# human summary and writes $GRADE_OUT (default build/grade)/results.json
# (Gradescope) and summary.txt; JUnit XML comes from pytest's --junitxml.
import json
import os
import signal
import time

import pytest

from . import VISIBILITIES
from .machine import ROOT, Machine, QemuTimeout
from .reports import headlines

DEFAULT_TIMEOUT = 300
_results = {}
_start = time.time()


def _lab_of(path):
    rel = os.path.relpath(str(path), os.path.join(ROOT, "labs"))
    if rel.startswith(".."):                 # a suite outside labs/, e.g. tests/system
        return os.path.basename(os.path.dirname(str(path))), 0
    lab = rel.split(os.sep)[0]
    try:
        with open(os.path.join(ROOT, "labs", lab, "LAB")) as f:
            return lab, int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return lab, 99


@pytest.fixture
def m(request, tmp_path):
    """A Machine with private images in the test's temp dir."""
    mach = Machine(tmp_path, request.node.name)
    request.node._grade_machine = mach
    yield mach


def pytest_collection_modifyitems(session, config, items):
    for it in items:
        fn = getattr(it, "function", None)
        lab, num = _lab_of(it.fspath)
        hidden = f"{os.sep}hidden{os.sep}" in str(it.fspath)
        vis = getattr(fn, "grade_visibility", "after_due_date" if hidden else "visible")
        it.user_properties += [("points", getattr(fn, "grade_points", 1)), ("lab", lab),
                               ("labnum", num), ("visibility", vis)]


def _alarm(signum, frame):
    raise QemuTimeout("TIMEOUT: the test ran past its time limit")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    limit = getattr(getattr(item, "function", None), "grade_timeout", DEFAULT_TIMEOUT)
    limit = int(limit * float(os.environ.get("GRADE_TIMEOUT_SCALE", "1")))
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        if call.excinfo is not None and call.excinfo.errisinstance(QemuTimeout):
            rep.user_properties.append(("status", "timeout"))
        mach = getattr(item, "_grade_machine", None)
        if mach is not None and mach.runs:
            rep.sections.append(("hv6 console", mach.report()))


def _short_failure(rep):
    cr = getattr(rep.longrepr, "reprcrash", None)
    msg = cr.message if cr is not None else str(rep.longrepr).strip().splitlines()[-1:]
    if isinstance(msg, list):
        msg = msg[0] if msg else ""
    for pre in ("grader.machine.GradeFailure: ", "grader.machine.QemuTimeout: ", "AssertionError: "):
        msg = msg.replace(pre, "")
    return msg


def pytest_runtest_logreport(report):
    props = dict(report.user_properties)
    if "points" not in props:
        return
    nodeid = report.nodeid
    r = _results.setdefault(nodeid, {"status": "passed", "time": 0.0, "output": "", **props})
    r["time"] += report.duration
    if report.when == "call" and report.passed:
        return
    if report.skipped and r["status"] == "passed":
        r["status"] = "skipped"
        r["output"] = "SKIPPED: " + (report.longrepr[2] if isinstance(report.longrepr, tuple) else "")
    elif report.failed and r["status"] in ("passed", "skipped"):
        r["status"] = "timeout" if props.get("status") == "timeout" else (
            "failed" if report.when == "call" else "error")
        console = "\n".join(c for t, c in report.sections if t == "hv6 console")
        msg = _short_failure(report)
        if r["status"] == "timeout" and not msg.startswith("TIMEOUT"):
            msg = "TIMEOUT: " + msg
        r["output"] = (msg
                       + ("\n" + console if console else ""))
        r["detail"] = str(report.longrepr)


def _name(nodeid, lab):
    base = nodeid.split("::", 1)[-1]
    return f"{lab}: {base}" + (" (hidden)" if "/hidden/" in nodeid else "")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or not _results:
        return
    out = os.environ.get("GRADE_OUT", os.path.join(ROOT, "build", "grade"))
    os.makedirs(out, exist_ok=True)
    rows = sorted(_results.items(), key=lambda kv: (kv[1]["labnum"], "/hidden/" in kv[0], kv[0]))
    tests, lines, score, total = [], [], 0, 0
    word = {"passed": "PASS", "failed": "FAIL", "timeout": "TIMEOUT", "error": "ERROR", "skipped": "SKIP"}
    for nodeid, r in rows:
        pts = r["points"]
        got = pts if r["status"] == "passed" else 0
        score, total = score + got, total + pts
        name = _name(nodeid, r["lab"])
        lines.append(f"  {name:<56} {word[r['status']]:<8} {got:>3}/{pts:<3} ({r['time']:.1f}s)")
        if r["status"] != "passed":
            # The failed check, then hv6's stop/panic line and hint if it printed one.
            first = r["output"].splitlines()[:1]
            lines += ["      " + l for l in dict.fromkeys(first + headlines(r["output"]))]
        tests.append({"name": name, "score": got, "max_score": pts,
                      "status": "passed" if r["status"] == "passed" else "failed",
                      "output": r["output"] or "ok", "visibility": r["visibility"],
                      "tags": [r["lab"]], "number": str(len(tests) + 1)})
    summary = ["", "hv6 grade:"] + lines + [f"  score: {score}/{total}"]
    # The autograder's stdout is this summary, which names the hidden tests and
    # their failures: Gradescope shows it no earlier than the latest-shown test.
    stdout_vis = max((t["visibility"] for t in tests), key=VISIBILITIES.index, default="visible")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"score": score, "max_score": total, "execution_time": round(time.time() - _start, 1),
                   "visibility": "visible", "stdout_visibility": stdout_vis, "tests": tests}, f, indent=1)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write("\n".join(summary[1:]) + "\n")
    for l in summary:
        terminalreporter.write_line(l)
    terminalreporter.write_line(f"  (results: {os.path.relpath(out)}/results.json, summary.txt, junit.xml)")
