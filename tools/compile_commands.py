#!/usr/bin/python3
# tools/compile_commands.py: write compile_commands.json (for clangd) from the
# compile lines of `make -nB V=1 all` (hypervisor TRAP=min and guest).
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
out = subprocess.run(["make", "-nB", "--no-print-directory", "-C", ROOT, "V=1", "all"],
                     capture_output=True, text=True, env=env)
if out.returncode:
    sys.exit("compile_commands: make -nB failed:\n" + out.stderr)
entries, seen = [], set()
for line in out.stdout.splitlines():
    try:
        argv = shlex.split(line)
    except ValueError:
        continue
    if not argv or not argv[0].endswith("gcc") or "-c" not in argv:
        continue
    src = argv[-1]
    if not src.endswith((".c", ".S")) or src in seen:
        continue
    seen.add(src)
    entries.append({"directory": ROOT, "arguments": argv, "file": os.path.join(ROOT, src)})
with open(os.path.join(ROOT, "compile_commands.json"), "w") as f:
    json.dump(entries, f, indent=1)
print(f"compile_commands.json: {len(entries)} files")
