#!/usr/bin/python3
"""End-to-end checks of `cascade solve` (docs/analysis.md, "Solving for a value"): the answer is
checked by independent `cascade run`s at the value and at the other end of its bracket, the
quantile recomputed with numpy; input errors are located at the option.
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import SRC, SMOKE, check, finish, run  # noqa: E402


FUND = os.path.join(SRC, "scenarios", "insurance_fund_exhaustion.yaml")


def quantile_of_run(scenario, key, value, metric, q, paths, d):
    out = os.path.join(d, "check.h5")
    r = run("run", scenario, "--paths", str(paths), "--set", f"{key}={value!r}", "-q", "--force",
            "-o", out)
    check(r.returncode == 0, f"run at {key}={value} ({r.stderr.strip()[:200]})")
    with h5py.File(out, "r") as h:
        return float(np.percentile(h["summary"][metric][()], 100 * q))


def solve(*args):
    r = run("solve", *args, "--json")
    check(r.returncode == 0, f"solve {' '.join(args[:6])} ({r.stderr.strip()[:300]})")
    return json.loads(r.stdout) if r.returncode == 0 else None


with tempfile.TemporaryDirectory() as d:
    # The insurance fund that keeps the 99 % bad debt at most 1M USD (bad debt falls as the fund
    # grows): the answer meets the target, the other end of the bracket does not.
    key, paths = "exchange.insurance_fund", 60
    j = solve(FUND, "--param", key, "--range", "0,5e6", "--metric", "bad_debt", "--quantile",
              "0.99", "--target", "1e6", "--paths", str(paths), "--tolerance", "2e4")
    if j:
        lo, hi = j["bracket"]
        print(f"  fund {j['value']:.6g}, bracket [{lo:.6g}, {hi:.6g}], {j['runs']} runs")
        check(j["converged"] and hi - lo <= 2e4, "converged to the tolerance")
        check(j["value"] == hi, "a falling curve: the answer is the upper end of the bracket")
        check(quantile_of_run(FUND, key, j["value"], "bad_debt", 0.99, paths, d) <= 1e6,
              "an independent run at the answer meets the target")
        check(quantile_of_run(FUND, key, lo, "bad_debt", 0.99, paths, d) > 1e6,
              "an independent run at the other end does not")
        check(j["runs"] == len(j["evaluations"]) and j["runs"] <= 2 + 3 * 8,
              f"runs counted ({j['runs']}), within the bisection bound")
        check(abs(j["quantile_at_value"] - quantile_of_run(FUND, key, j["value"], "bad_debt",
                                                           0.99, paths, d)) < 1e-6,
              "the reported quantile is the run's")

    # A rising curve: the AI leverage that keeps the median liquidated share of open interest at
    # most 10 % in the smoke scenario: the answer is the lower end.
    lev = "assets.AIX.population.leverage_mean"
    j = solve(SMOKE, "--param", lev, "--range", "2,20", "--metric", "oi_liquidated_share",
              "--quantile", "0.5", "--target", "0.10", "--paths", "12", "--tolerance", "0.05")
    if j:
        lo, hi = j["bracket"]
        check(j["value"] == lo, "a rising curve: the answer is the lower end of the bracket")
        check(quantile_of_run(SMOKE, lev, lo, "oi_liquidated_share", 0.5, 12, d) <= 0.10
              < quantile_of_run(SMOKE, lev, hi, "oi_liquidated_share", 0.5, 12, d),
              "independent runs on both sides of the crossing")

    text = run("solve", FUND, "--param", key, "--range", "0,5e6", "--metric", "bad_debt",
               "--quantile", "0.99", "--target", "1e6", "--paths", "20").stdout
    check(text.startswith(f"solve: {key} = ") and "bracket [" in text and "runs of 20 paths" in text,
          "the human answer names the value, the bracket and the runs")

    def refused(what, args, loc, part):
        r = run("solve", *args)
        first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
        check(r.returncode == 2 and r.stderr.startswith(loc) and part in r.stderr,
              f"{what}: exit 2 at {loc}, mentions {part!r} (exit {r.returncode}: {first[:200]})")

    base = [FUND, "--param", key, "--range", "0,5e6", "--metric", "bad_debt", "--quantile", "0.99",
            "--paths", "10"]
    refused("target not bracketed", base + ["--target", "1e12"], "--range:1:1: error:",
            "not bracketed")
    refused("unknown key", [FUND, "--param", "exchange.insurance_fnd", "--range", "0,1",
                            "--metric", "bad_debt", "--quantile", "0.5", "--target", "0"],
            "--param:1:", "did you mean")
    refused("range not numbers", [FUND, "--param", key, "--range", "0,lots", "--metric",
                                  "bad_debt", "--quantile", "0.5", "--target", "0"],
            "--range:1:3: error:", "expected a number")
    refused("range reversed", [FUND, "--param", key, "--range", "5,1", "--metric", "bad_debt",
                               "--quantile", "0.5", "--target", "0"], "--range:1:1: error:",
            "LO < HI")
    refused("value out of range", [FUND, "--param", key, "--range", "-5,1", "--metric",
                                   "bad_debt", "--quantile", "0.5", "--target", "0"],
            "--range:1:1: error:", "insurance_fund")
    refused("unknown metric", [FUND, "--param", key, "--range", "0,1", "--metric", "bad_dept",
                               "--quantile", "0.5", "--target", "0"], "--metric:1:1: error:",
            "did you mean 'bad_debt'")
    refused("quantile", [FUND, "--param", key, "--range", "0,1", "--metric", "bad_debt",
                         "--quantile", "99", "--target", "0"], "--quantile:1:1: error:", "[0, 1]")

finish()
