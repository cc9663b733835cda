# tests/hostile/conftest.py: the hostile-guest suite (SECURITY.md, issue 9)
# uses the grader's plugin (points, time limits, console reports). It runs
# in `make check` through `python3 -m grader --suite tests/hostile`.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from grader.plugin import *  # noqa: E402,F401,F403
