# grader/machine.py: boot QEMU for a test and capture what it prints.
#   Machine   one per test (the `m` fixture): its own temp dir with private
#             copies of the disk and snapshot store, so parallel tests never share.
#   Output    the console transcript of one finished run, with expect helpers.
#   Session   an interactive run driven through pexpect.
# QEMU command lines come from tools/run.py (the single source of truth).
import difflib
import fcntl
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import run as qemu_run  # noqa: E402

from .reports import headlines, reports  # noqa: E402

TAIL = 30


class GradeFailure(AssertionError):
    """A check failed; the message says what was expected."""


class QemuTimeout(AssertionError):
    """QEMU (or a test) ran out of time; reported as TIMEOUT, not as a missing line."""


_built = set()


def build(trap="min", sstc=0):
    """Bring build/hv6-<trap>[-sstc] and the guest up to date (once per process).
    Parallel workers serialize on a lock file; make itself is incremental."""
    key = (trap, int(sstc))
    if key in _built:
        return
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LAB", "SOL")}
    with open(os.path.join(ROOT, "build", ".grade-build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cmd = ["make", "-s", "--no-print-directory", "-C", ROOT, "hv6", "guest", f"TRAP={trap}", f"SSTC={int(sstc)}"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise GradeFailure(f"build failed: {' '.join(cmd[4:])}\n{(p.stdout + p.stderr)[-3000:]}")
        disk = os.path.join(ROOT, "build", "disk.img")
        if not os.path.exists(disk):
            qemu_run.make_disk(disk)
    _built.add(key)


class Output:
    """The console transcript of one QEMU run."""
    def __init__(self, label, argv, raw, returncode, timed_out, elapsed, timeout):
        self.label, self.argv, self.returncode = label, argv, returncode
        self.timed_out, self.elapsed, self.timeout = timed_out, elapsed, timeout
        self.text = raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")
        self.lines = self.text.splitlines()

    def __str__(self):
        return self.text

    def _fail(self, msg):
        raise GradeFailure(f"{msg} [{self.label}]" + self._why())

    def _why(self):
        """hv6's stop or panic line and hint, when there is one: often the answer."""
        return "".join("\n  " + l for l in headlines(self.text))

    def expect(self, regex, msg=None):
        """The first match of regex (re.M) in the output; fail if none."""
        mo = re.search(regex, self.text, re.M)
        if not mo:
            if self.timed_out:
                raise QemuTimeout(f"TIMEOUT after {self.timeout}s before /{regex}/ appeared "
                                  f"[{self.label}]" + self._why())
            self._fail(msg or f"expected a line matching /{regex}/, not found")
        return mo

    def expect_not(self, regex, msg=None):
        mo = re.search(regex, self.text, re.M)
        if mo:
            self._fail(msg or f"unexpected line: {self.line_of(mo)!r} (matches /{regex}/)")

    def stop_report(self):
        """hv6's first VM-stop or panic report (its line, the decoded exit,
        the hint) as one text; fail if hv6 printed none."""
        r = reports(self.text)
        if not r:
            self._fail("hv6 printed no `hv6: vm stopped:` or `hv6: panic:` report")
        return "\n".join(r[0])

    def line_of(self, mo):
        s = self.text.rfind("\n", 0, mo.start()) + 1
        e = self.text.find("\n", mo.end())
        return self.text[s:e if e >= 0 else None]

    def results(self, test):
        """`<test>: ` result lines, without `<test>: info ` lines."""
        pre, info = f"{test}: ", f"{test}: info "
        return [l.rstrip() for l in self.lines if l.startswith(pre) and not l.startswith(info)]

    def selftest(self, test, min_checks=1):
        """Expect `<test>: done, N checks, 0 failed`; return N."""
        mo = self.expect(rf"^{re.escape(test)}: done, (\d+) checks, (\d+) failed")
        fails = [l for l in self.results(test) if " FAIL" in l]
        if int(mo[2]) or fails:
            self._fail(f"{test}: {mo[2]} checks failed:\n  " + "\n  ".join(fails[:20]))
        if int(mo[1]) < min_checks:
            self._fail(f"{test}: only {mo[1]} checks ran, expected at least {min_checks}")
        return int(mo[1])

    def report(self, tail=TAIL):
        """Failure report: how it ended, hv6's own reports (VM stop or panic,
        decoded, with the likely mistake) first, then the last lines."""
        end = (f"TIMEOUT after {self.timeout}s" if self.timed_out else f"exit status {self.returncode}")
        out = [f"--- {self.label}: {end}, {self.elapsed:.1f}s ---"]
        for r in reports(self.text):
            out += r
        out += [f"--- {self.label}: last {min(tail, len(self.lines))} lines ---"] + self.lines[-tail:]
        return "\n".join(out)


class Session:
    """An interactive QEMU run (pexpect). Use as a context manager."""
    PROMPT = r"\$ $"

    def __init__(self, machine, label, argv, timeout):
        import pexpect
        self._pexpect = pexpect
        self.machine, self.label, self.argv, self.timeout = machine, label, argv, timeout
        self.start = time.time()
        self.p = pexpect.spawn(argv[0], argv[1:], cwd=machine.dir, timeout=timeout, maxread=65536)
        self.log = bytearray()
        self.timed_out = False
        self.at_prompt = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _take(self):
        self.log += (self.p.before or b"") + (self.p.after if isinstance(self.p.after, bytes) else b"")

    def expect(self, regex, timeout=None):
        """Wait for regex (bytes-level, re.M); return the match."""
        pe = self._pexpect
        try:
            i = self.p.expect([re.compile(regex.encode(), re.M), pe.EOF], timeout=timeout or self.timeout)
        except pe.TIMEOUT:
            self._take()
            self.timed_out = True
            raise QemuTimeout(f"TIMEOUT after {timeout or self.timeout}s waiting for /{regex}/ [{self.label}]")
        self._take()
        if i == 1:
            raise GradeFailure(f"QEMU exited while waiting for /{regex}/ [{self.label}]")
        return self.p.match

    def sendline(self, line, wait_prompt=True):
        """Wait for the shell prompt (`$ `) unless cmd() just saw it, then type line."""
        if wait_prompt and not self.at_prompt:
            self.expect(self.PROMPT)
        self.at_prompt = False
        self.p.send(line.encode() + b"\r")

    def cmd(self, line, until=None, timeout=None):
        """Run one shell command; return what it printed (without the echoed
        command line and the next prompt), up to the next prompt or `until`."""
        self.sendline(line)
        mark = len(self.log)
        self.expect(until or self.PROMPT, timeout)
        self.at_prompt = until is None
        text = bytes(self.log[mark:]).decode("utf-8", "replace").replace("\r", "")
        first, _, rest = text.partition("\n")
        text = rest if first.strip() == line.strip() else text
        return text[:-2] if until is None and text.endswith("$ ") else text

    def send(self, data):
        self.p.send(data)

    def close(self):
        if self.p is None:
            return
        try:
            rest = self.p.read_nonblocking(65536, timeout=0.2)
            self.log += rest
        except Exception:
            pass
        self.p.close(force=True)
        out = Output(self.label, self.argv, bytes(self.log), self.p.exitstatus, self.timed_out,
                     time.time() - self.start, self.timeout)
        self.machine.runs.append(out)
        self.p = None
        self.output = out


class Machine:
    """Boots QEMU for one test; `dir` holds its private disk/snapstore/bootcfg."""
    def __init__(self, tmpdir, name="test"):
        self.dir = str(tmpdir)
        self.name = name
        self.runs = []
        self.scale = float(os.environ.get("GRADE_TIMEOUT_SCALE", "1"))

    # -- images ---------------------------------------------------------
    def disk(self, name="disk.img", fresh=False):
        """Path of this test's private copy of the pattern disk."""
        path = os.path.join(self.dir, name)
        if fresh or not os.path.exists(path):
            pattern = os.path.join(ROOT, "build", "disk.img")
            if not os.path.exists(pattern):   # a fresh tree: nothing built yet
                qemu_run.make_disk(pattern)
            shutil.copyfile(pattern, path)
        return path

    def snapstore(self, name="snapstore.img", fresh=False):
        path = os.path.join(self.dir, name)
        if fresh or not os.path.exists(path):
            qemu_run.make_zero(path)
        return path

    # -- command lines --------------------------------------------------
    def argv(self, mode, trap="min", sstc=0, guest=None, disk=True, snapstore=True, mem="128M",
             bootargs="", restore="", monitor=False, trace=False, no_htval=False, icount=False,
             extra=""):
        build(trap, sstc)
        if disk is True:
            disk = self.disk()
        if snapstore is True and mode == "hv6":
            snapstore = self.snapstore()
        o = qemu_run.Options(trap=trap, sstc=int(sstc), guest=guest, disk=disk or "",
                             snapstore=snapstore or "", mem=mem, bootargs=bootargs, restore=restore,
                             monitor=monitor, trace=trace, no_htval=no_htval, icount=icount,
                             extra=extra,
                             bootcfg=os.path.join(self.dir, "bootcfg.img"))
        try:
            return qemu_run.command(mode, o)
        except qemu_run.RunError as e:
            raise GradeFailure(str(e))

    @staticmethod
    def label(mode, trap="min", sstc=0, **_):
        return "native" if mode == "native" else f"hv6 trap={trap}{' sstc' if int(sstc) else ''}"

    # -- batch runs -----------------------------------------------------
    def run(self, mode, timeout=30, until=None, allow_timeout=False, **kw):
        """Boot, collect output until QEMU exits (or a line matching `until` is
        complete), return Output."""
        argv = self.argv(mode, **kw)
        timeout = timeout * self.scale
        label = self.label(mode, **kw)
        start = time.time()
        p = subprocess.Popen(argv, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        buf, timed_out, pat = bytearray(), False, re.compile(until.encode(), re.M) if until else None
        try:
            while True:
                left = start + timeout - time.time()
                if left <= 0:
                    timed_out = True
                    break
                r, _, _ = select.select([p.stdout], [], [], min(left, 0.5))
                if r:
                    chunk = os.read(p.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    buf += chunk
                    mo = pat.search(buf) if pat else None
                    # Stop once the line that matched is complete, so that a
                    # check on that line never sees half of it.
                    if mo and b"\n" in buf[mo.end():]:
                        break
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            p.stdout.close()
        out = Output(label, argv, bytes(buf), p.returncode, timed_out, time.time() - start, timeout)
        self.runs.append(out)
        if timed_out and not allow_timeout:
            raise QemuTimeout(f"TIMEOUT: QEMU still running after {timeout:g}s [{label}]"
                              + (f" (waiting for /{until}/)" if until else ""))
        return out

    def run_hv6(self, bootargs="", **kw):
        return self.run("hv6", bootargs=bootargs, **kw)

    def run_native(self, bootargs="", **kw):
        return self.run("native", bootargs=bootargs, **kw)

    def compare(self, test, bootargs=None, selftest=True, **kw):
        """Run `test` natively and under hv6 (each on a fresh copy of the disk) and
        require identical `<test>: ` result lines; return (native, hv6) Outputs."""
        bootargs = bootargs or f"run={test}"
        hkw = dict(kw)
        nkw = {k: v for k, v in kw.items() if k not in ("trap", "sstc", "snapstore", "restore", "monitor", "trace",
                                                      "no_htval")}
        nat = self.run_native(bootargs, disk=self.disk("disk-native.img", fresh=True), **nkw)
        hv = self.run_hv6(bootargs, disk=self.disk("disk-hv6.img", fresh=True), **hkw)
        a, b = nat.results(test), hv.results(test)
        if not a:
            nat.expect(rf"^{re.escape(test)}: ", f"native run printed no `{test}: ` lines")
        if a != b:
            diff = difflib.unified_diff(a, b, "native", hv.label, lineterm="", n=2)
            raise GradeFailure(f"{test}: hv6 output differs from native "
                               f"({len(a)} vs {len(b)} result lines):" + hv._why() + "\n"
                               + "\n".join(list(diff)[:60]))
        if selftest:
            nat.selftest(test)
            hv.selftest(test)
        return nat, hv

    def session(self, mode="hv6", timeout=30, **kw):
        """Start QEMU interactively; returns a Session (use `with`)."""
        return Session(self, self.label(mode, **kw), self.argv(mode, **kw), timeout * self.scale)

    def report(self, max_runs=3):
        return "\n".join(r.report() for r in self.runs[-max_runs:])
