#!/usr/bin/python3
"""tools/slurm_sweep.sbatch without Slurm: three "array tasks" (SLURM_ARRAY_TASK_ID=0..2) and the
merge step, on the smoke scenario; the merged file must equal one `cascade sweep`, bitwise
(except command_line). Checks that the template's commands and variables work as documented in
docs/batch.md."""
import os
import subprocess
import sys
import tempfile

SRC = os.environ["CASCADE_SOURCE_DIR"]
EXE = os.environ["CASCADE_EXE"]
sys.path.insert(0, os.path.join(SRC, "tests", "sim", "cli"))
from h5_equal import differences  # noqa: E402

SCRIPT = os.path.join(SRC, "tools", "slurm_sweep.sbatch")
SMOKE = os.path.join(SRC, "tests", "data", "smoke", "smoke.yaml")
SWEEP = "--param assets.AIX.population.leverage_mean --values 5,10,20"

with tempfile.TemporaryDirectory() as d:
    env = dict(os.environ, CASCADE=EXE, SCENARIO=SMOKE, SHARDS="3", PATHS="4",
               OUTDIR=os.path.join(d, "shards"), MERGED=os.path.join(d, "sweep.h5"),
               SWEEP_ARGS=SWEEP, EXTRA_ARGS="--set output.events=false")
    os.makedirs(env["OUTDIR"])
    for task in range(3):
        r = subprocess.run(["bash", SCRIPT], env=dict(env, SLURM_ARRAY_TASK_ID=str(task),
                                                      SLURM_CPUS_PER_TASK="1"),
                           capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            sys.exit(f"array task {task} failed ({r.returncode}): {r.stderr}")
    r = subprocess.run(["bash", SCRIPT], env=dict(env, MERGE="1"), capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        sys.exit(f"merge step failed ({r.returncode}): {r.stderr}")
    whole = os.path.join(d, "whole.h5")
    r = subprocess.run([EXE, "sweep", SMOKE, *SWEEP.split(), "--paths", "4", "--set",
                        "output.events=false", "-o", whole, "-q"],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit(f"single sweep failed: {r.stderr}")
    diffs = differences(whole, env["MERGED"], ignore_root_attrs=("command_line",))
    if diffs:
        sys.exit("merged array job differs from one sweep: " + "; ".join(diffs[:5]))
print("slurm template: 3 array tasks + merge == one sweep")
