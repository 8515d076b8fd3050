#!/usr/bin/python3
"""Every shipped scenario validates, runs, and conserves wealth on every path (MODEL.md s. 6).

Runs each scenarios/*.yaml with a few paths, then checks per path that the conservation
residual is at most 1e-9 of the open interest, plus the story each scenario is there to tell
where it is cheap to check (the default cascades across assets; the fund-exhaustion scenario
goes fund -> ADL -> bad debt on every path).
"""
import glob
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

EXE = os.environ["CASCADE_EXE"]
SRC = os.environ["CASCADE_SOURCE_DIR"]
PATHS = 4
# The market-scale seed scenario has 266,000 positions, and the invariants ctest asserts cost
# O(positions) per step: one full path of it checks them at every step of 72 h.
PATHS_OF = {"ai_token_deleveraging": 1}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


with tempfile.TemporaryDirectory() as d:
    for scenario in sorted(glob.glob(os.path.join(SRC, "scenarios", "*.yaml"))):
        name = os.path.splitext(os.path.basename(scenario))[0]
        r = subprocess.run([EXE, "check", scenario], capture_output=True, text=True)
        check(r.returncode == 0, f"{name}: cascade check ({r.stderr.strip()})")
        out = os.path.join(d, name + ".h5")
        r = subprocess.run([EXE, "run", scenario, "-o", out, "-q", "--paths", str(PATHS_OF.get(name, PATHS))],
                           capture_output=True, text=True, timeout=900)
        check(r.returncode == 0, f"{name}: cascade run ({r.stderr.strip()})")
        if r.returncode != 0:
            continue
        with h5py.File(out, "r") as f:
            s = f["summary"]
            p = f["positions/initial"]
            oi = float(np.sum(p["size"][:] * p["entry_price"][:]))
            res = np.abs(s["conservation_residual"][:])
            check(bool(np.all(res <= 1e-9 * oi)),
                  f"{name}: |conservation residual| <= 1e-9 x OI on every path (max {res.max():.3g} USD, OI {oi:.3g})")
            if name == "ai_token_crash":
                check(bool(np.all(s["max_cascade_depth"][:] >= 2)), f"{name}: several rounds in a step")
                by = f["summary/by_asset/liquidated_notional"][:]
                check(bool(np.all((by > 0).sum(axis=1) >= 2)), f"{name}: liquidations in several assets")
            if name == "insurance_fund_exhaustion":
                check(bool(np.all(s["insurance_fund_min"][:] == 0)), f"{name}: the fund runs dry")
                check(bool(np.all(s["adl_count"][:] > 0)), f"{name}: ADL fires")
                check(bool(np.all(s["bad_debt"][:] > 0)), f"{name}: bad debt remains")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
