#!/usr/bin/python3
"""End-to-end checks of `cascade compare` and the risk scorecard of `cascade inspect`
(docs/analysis.md): numbers recomputed from the raw datasets with numpy.

- two points of a common-random-numbers sweep: paired differences, `--json` as INTERFACE.md;
- two files with the same seed (paired) and with different seeds (Welch's unpaired difference);
- the scorecard's probabilities against the share of paths;
- usage errors: exit 2 with the option named; an unreadable file: exit 1.
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import SMOKE, check, finish, run  # noqa: E402


LEVERAGE = "assets.AIX.population.leverage_mean"


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def summary(path):
    with h5py.File(path, "r") as h:
        return {k: h["summary"][k][()] for k in h["summary"]
                if isinstance(h["summary"][k], h5py.Dataset)}


with tempfile.TemporaryDirectory() as d:
    f = lambda name: os.path.join(d, name)  # noqa: E731
    r = run("sweep", SMOKE, "--param", LEVERAGE, "--values", "10,14", "--paths", "16", "-q",
            "-o", f("sweep.h5"))
    check(r.returncode == 0, f"sweep ({r.stderr.strip()[:200]})")
    s = summary(f("sweep.h5"))

    r = run("compare", f("sweep.h5"), "--point", "0", "--point", "1", "--json")
    check(r.returncode == 0, f"compare --point 0 --point 1 --json ({r.stderr.strip()[:200]})")
    j = json.loads(r.stdout)
    check(j["paired"] is True, "two points of one sweep are paired")
    liq = j["metrics"]["liquidated_notional"]
    check(set(liq) >= {"a", "b", "difference", "stderr", "significant"}
          and set(liq["a"]) >= {"p5", "p50", "p95"}, "INTERFACE.md keys")
    a = s["liquidated_notional"][s["point"] == 0]
    b = s["liquidated_notional"][s["point"] == 1]
    d_ = b - a
    check(close(liq["difference"], d_.mean()), f"difference = mean(b - a) ({liq['difference']})")
    check(close(liq["stderr"], d_.std(ddof=1) / np.sqrt(len(d_))), "paired stderr = sd / sqrt(n)")
    check(close(liq["a"]["p50"], np.percentile(a, 50)) and close(liq["b"]["p95"], np.percentile(b, 95)),
          "percentiles as numpy")
    welch = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    print(f"  paired stderr {liq['stderr']:.4g} vs unpaired {welch:.4g}")
    check(liq["stderr"] < 0.5 * welch, "common random numbers: the paired error is far smaller")
    check(liq["significant"] == (abs(liq["difference"]) > 2.131 * liq["stderr"]),
          "significant at t(0.975, 15) = 2.131")
    card = j["scorecard"]
    check({"p_fund_exhausted", "fund_draw_var99", "fund_draw_es95", "bad_debt_var95",
           "bad_debt_es99", "p_any_adl"} <= set(card), f"scorecard keys {sorted(card)[:4]}...")

    text = run("compare", f("sweep.h5"), "--point", "0", "--point", "1").stdout
    check("paired path by path" in text and "liquidated_notional" in text
          and "risk scorecard" in text, "the human table")

    # Two files with the same seed: paired; another seed: Welch.
    for name, extra in (("fund1.h5", []), ("fund2.h5", ["--set", "exchange.insurance_fund=2000"]),
                        ("seed8.h5", ["--seed", "8"])):
        r = run("run", SMOKE, "--paths", "12", "-q", "-o", f(name),
                "--set", "exchange.insurance_fund=1000", *extra)
        check(r.returncode == 0, f"run {name} ({r.stderr.strip()[:200]})")
    j = json.loads(run("compare", f("fund1.h5"), f("fund2.h5"), "--json").stdout)
    check(j["paired"], "same seed and paths: paired")
    fm = j["metrics"]["insurance_fund_min"]
    a, b = summary(f("fund1.h5"))["insurance_fund_min"], summary(f("fund2.h5"))["insurance_fund_min"]
    check(close(fm["difference"], (b - a).mean()), "a bigger fund: the difference of its minimum")
    check(j["scorecard"]["p_fund_exhausted"]["a"] == float(np.mean(a <= 0)),
          "P(fund exhausted) = share of paths with insurance_fund_min <= 0")
    j = json.loads(run("compare", f("fund1.h5"), f("seed8.h5"), "--json").stdout)
    check(not j["paired"] and "seeds differ" in j["pairing"], "another seed: unpaired (Welch)")
    a, b = summary(f("fund1.h5"))["liquidated_notional"], summary(f("seed8.h5"))["liquidated_notional"]
    m = j["metrics"]["liquidated_notional"]
    check(close(m["stderr"], np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))),
          "Welch stderr")

    # inspect's scorecard.
    r = run("inspect", f("fund1.h5"))
    fund_min = summary(f("fund1.h5"))["insurance_fund_min"]
    share = 100.0 * np.mean(fund_min <= 0)
    check("risk scorecard" in r.stdout and f"P(insurance fund exhausted) {share:.1f}%" in
          " ".join(r.stdout.split()), f"inspect: P(insurance fund exhausted) {share:.1f}%")

    # Usage errors.
    def refused(args, status, part):
        r = run(*args)
        check(r.returncode == status and part in r.stderr,
              f"{' '.join(args[:3])}...: exit {status}, mentions {part!r} ({r.stderr.strip()[:160]})")

    refused(["compare", f("sweep.h5")], 2, "--point")
    refused(["compare", f("sweep.h5"), "--point", "0", "--point", "9"], 2, "no rows of sweep point 9")
    refused(["compare", f("sweep.h5"), f("fund1.h5")], 2, "is a sweep of 2 points")
    with open(f("junk.h5"), "w") as junk:
        junk.write("not hdf5")
    refused(["compare", f("junk.h5"), f("fund1.h5")], 1, "not a readable HDF5 file")

finish()
