#!/usr/bin/python3
# tools/handout.py: make the student handout of one lab (`make handout LAB=name`)
# or of all labs (`make handout-all`), as a standalone, git-free tree in
# build/handout/<name>/ that builds, boots and grades by itself.
#
# For lab N (number in labs/<name>/LAB):
#   - every .c/.h/.S/.ld file goes through `unifdef -DLAB=N -DSOL=N-1`:
#     solutions of earlier labs stay, lab N's solution becomes its stub,
#     later labs' features disappear (unifdef exit 1 = "changed", not an error)
#   - conf/lab.mk says LAB ?= N, SOL ?= N-1
#   - labs/ of later labs, every hidden/ or solution/ directory, labs/README.md
#     (the instructor's guide) and .ci/ are left out; the other files directly
#     in labs/ (DEBUGGING.md, conftest.py) go into every handout
#   - any SOL conditional that unifdef could not resolve is an error
# The file list is `git ls-files` (tracked + untracked, not ignored) when the
# tree is a git repository, else everything outside build/.
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CPP_EXT = (".c", ".h", ".S", ".s", ".ld")
DROP_DIRS = {"hidden", "solution", "solutions", "__pycache__", ".pytest_cache"}
DROP_TOP = {"build", ".git", ".ci"}
DROP_FILES = {"labs/README.md", ".gdbinit", "compile_commands.json"}


def labs():
    found = {}
    for f in glob.glob(os.path.join(ROOT, "labs", "*", "LAB")):
        with open(f) as fh:
            found[os.path.basename(os.path.dirname(f))] = int(fh.read().split()[0])
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def resolve(sel):
    for name, num in labs().items():
        if sel in (name, str(num)):
            return name, num
    known = ", ".join(f"{n}({k})" for n, k in labs().items())
    sys.exit(f"handout: unknown lab '{sel}'; labs: {known}")


def files():
    if os.path.isdir(os.path.join(ROOT, ".git")):
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-co", "--exclude-standard", "-z"],
                             capture_output=True, check=True).stdout.decode()
        return sorted(f for f in out.split("\0") if f and os.path.isfile(os.path.join(ROOT, f)))
    res = []
    for d, dirs, fs in os.walk(ROOT):
        rel = os.path.relpath(d, ROOT)
        dirs[:] = [x for x in dirs if not (rel == "." and x in DROP_TOP)]
        res += [os.path.normpath(os.path.join(rel, f)) for f in fs]
    return sorted(res)


def keep(path, num, lab_nums):
    parts = path.split("/")
    if parts[0] in DROP_TOP or path in DROP_FILES or DROP_DIRS & set(parts[:-1]):
        return False
    if path.endswith((".pyc", ".zip", ".orig", ".rej", "~")):
        return False
    if parts[0] == "labs" and len(parts) > 2 and lab_nums.get(parts[1], 0) > num:
        return False
    return True


def make(sel, outroot, sol=None):
    """Write the handout of lab `sel` under outroot; sol=num gives the same
    tree with the lab solved (a model submission, grader/tests)."""
    name, num = resolve(sel)
    sol = num - 1 if sol is None else sol
    out = os.path.join(outroot, name)
    shutil.rmtree(out, ignore_errors=True)
    lab_nums = labs()
    bad = []
    for f in files():
        if not keep(f, num, lab_nums):
            continue
        src, dst = os.path.join(ROOT, f), os.path.join(out, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if f.endswith(CPP_EXT):
            # -t for assembly/linker scripts: their comments are not C (# it's)
            text = ["-t"] if f.endswith((".S", ".s", ".ld")) else []
            r = subprocess.run(["unifdef", "-B", *text, f"-DLAB={num}", f"-DSOL={sol}", "-o", dst, src],
                               capture_output=True, text=True)
            if r.returncode not in (0, 1):
                sys.exit(f"handout: unifdef failed on {f}: {r.stderr.strip()}")
            with open(dst, errors="replace") as fh:
                for i, line in enumerate(fh, 1):
                    if re.match(r"\s*#\s*(el)?if.*\bSOL\b", line):
                        bad.append(f"{f}:{i}: {line.strip()}")
            shutil.copymode(src, dst)
        else:
            shutil.copy2(src, dst)
    if bad:
        sys.exit("handout: SOL conditionals left that unifdef could not resolve:\n  " + "\n  ".join(bad))
    with open(os.path.join(out, "conf", "lab.mk"), "w") as fh:
        fh.write(f"# conf/lab.mk: this is the handout of lab {num} ({name}).\n"
                 f"LAB ?= {num}\nSOL ?= {sol}\n")
    gi = os.path.join(out, ".gitignore")
    if not os.path.exists(gi):
        with open(gi, "w") as fh:
            fh.write("build/\n*.zip\n.gdbinit\ncompile_commands.json\n__pycache__/\n")
    print(f"handout: lab {num} ({name}) -> {os.path.relpath(out)}")
    return out


def main():
    ap = argparse.ArgumentParser(description="write the handout tree of a lab")
    ap.add_argument("lab", nargs="?", help="lab name or number")
    ap.add_argument("--all", action="store_true", help="every lab")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "handout"))
    a = ap.parse_args()
    if not a.all and not a.lab:
        sys.exit("usage: make handout LAB=<name or number>   (or make handout-all)")
    for sel in (labs() if a.all else [a.lab]):
        make(sel, a.out)


if __name__ == "__main__":
    main()
