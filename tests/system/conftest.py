# tests/system/conftest.py: system tests (hv6 as a whole, not one lab) use
# the grader's plugin too (points, time limits, console reports). They run
# in `make check` through `python3 -m grader --suite tests/system`.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from grader.plugin import *  # noqa: E402,F401,F403
