#!/usr/bin/python3
"""The short budget of the structured mutation fuzzer (mutate_scenarios.py) for ctest: 120
mutants of the shipped scenarios through check, levels and run. The long budget is
`tools/fuzz.sh --long` (docs/robustness.md)."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, MUTANTS=os.environ.get("MUTANTS", "120"))
sys.exit(subprocess.run(["/usr/bin/python3", os.path.join(here, "mutate_scenarios.py")], env=env).returncode)
