#!/usr/bin/python3
# tools/autograder.py: build the Gradescope autograder zip of one lab
# (`make autograder LAB=name`) as build/autograder/<name>.zip:
#   setup.sh        installs the Debian packages (tools/install-deps --list)
#   run_autograder  takes the student's kernel/ hyp/ sbi/ guest-os/ from
#                   /autograder/submission (a `make zipball` zip or a plain
#                   upload), lays them over the trusted handout tree, runs the
#                   lab's visible and hidden tests and writes
#                   /autograder/results/results.json (visibility per test);
#                   AUTOGRADER_ROOT=dir replaces /autograder (for testing)
#   tree/           the lab's handout + labs/<name>/hidden/ (trusted copy)
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import handout  # noqa: E402

SETUP = """#!/bin/bash
# Gradescope setup: the Debian packages hv6 needs.
set -e
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q {pkgs}
"""

RUN = r"""#!/bin/bash
# Gradescope entry point for hv6 lab {name}: grade the student's code with
# the trusted tree (Makefile, grader, tests) and write results.json.
# AUTOGRADER_ROOT (default /autograder, Gradescope's layout) and GRADEFLAGS
# (a `make grade` test filter) are for grader/tests/test_packaging.py.
STUDENT_DIRS="kernel hyp sbi guest-os"
AG=${{AUTOGRADER_ROOT:-/autograder}}
SRC=$AG/source/tree SUB=$AG/submission WORK=$AG/work RES=$AG/results
rm -rf "$WORK"; mkdir -p "$RES"; cp -a "$SRC" "$WORK"
# the submission's tree root: where kernel/ is (top level or one folder down)
top=$(find "$SUB" -maxdepth 3 -type d -name kernel | head -1)
if [ -z "$top" ]; then
  echo '{{"score": 0, "output": "No kernel/ directory in the submission: upload the zip made by make zipball.", "tests": []}}' > "$RES/results.json"
  exit 0
fi
top=$(dirname "$top")
for d in $STUDENT_DIRS; do
  [ -d "$top/$d" ] && rm -rf "$WORK/$d" && cp -a "$top/$d" "$WORK/$d"
done
cd "$WORK"
export GRADE_TIMEOUT_SCALE=${{GRADE_TIMEOUT_SCALE:-2}}
make -s grade LAB={name} > "$RES/grade.log" 2>&1
cat "$RES/grade.log"
if [ -f build/grade/results.json ]; then
  cp build/grade/results.json "$RES/results.json"
else
  /usr/bin/python3 - "$RES" <<'EOF'
import json, sys
log = open(sys.argv[1] + "/grade.log", errors="replace").read()[-5000:]
json.dump({{"score": 0, "output": "Build or grading failed:\n" + log, "tests": []}},
          open(sys.argv[1] + "/results.json", "w"))
EOF
fi
"""


def add(z, arc, data, mode=0o644):
    info = zipfile.ZipInfo(arc)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make autograder LAB=<name or number>")
    name, num = handout.resolve(sys.argv[1])
    pkgs = subprocess.run([os.path.join(TOOLS, "install-deps"), "--list"], capture_output=True,
                          text=True, check=True).stdout.strip()
    outdir = os.path.join(ROOT, "build", "autograder")
    os.makedirs(outdir, exist_ok=True)
    zpath = os.path.join(outdir, f"{name}.zip")
    with tempfile.TemporaryDirectory() as tmp:
        tree = handout.make(name, tmp)
        hidden = os.path.join(ROOT, "labs", name, "hidden")
        if os.path.isdir(hidden):
            shutil.copytree(hidden, os.path.join(tree, "labs", name, "hidden"),
                            ignore=shutil.ignore_patterns("__pycache__"))
        with zipfile.ZipFile(zpath, "w") as z:
            add(z, "setup.sh", SETUP.format(pkgs=pkgs), 0o755)
            add(z, "run_autograder", RUN.format(name=name), 0o755)
            for d, _, files in os.walk(tree):
                for f in sorted(files):
                    p = os.path.join(d, f)
                    with open(p, "rb") as fh:
                        add(z, os.path.join("tree", os.path.relpath(p, tree)), fh.read(),
                            os.stat(p).st_mode & 0o777)
    print(f"autograder: {os.path.relpath(zpath)} (upload it as the Gradescope autograder of lab {name})")


if __name__ == "__main__":
    main()
