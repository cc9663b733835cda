# labs/conftest.py: every lab test is graded by grader/plugin.py (points,
# time limits, console reports, results.json).  Run via `make grade`.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from grader.plugin import *  # noqa: E402,F401,F403
