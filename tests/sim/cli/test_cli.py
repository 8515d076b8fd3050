#!/usr/bin/python3
"""End-to-end checks of the `cascade` command line, as a user runs it (INTERFACE.md).

Exit statuses, error message format (FILE:LINE:COL: error: ...), no output file left behind on
bad input or interruption, `levels --csv`, `check` and `inspect`.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import h5py

EXE = os.environ["CASCADE_EXE"]
SRC = os.environ["CASCADE_SOURCE_DIR"]
SMOKE = os.path.join(SRC, "tests", "data", "smoke", "smoke.yaml")
FAILURES = []


def run(*args, **kw):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, **kw)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


GOOD = open(SMOKE).read()


def expect_input_error(d, name, yaml_text, key, files=None, extra=()):
    for fname, text in (files or {}).items():
        write(d, fname, text)
    scen = write(d, name, yaml_text)
    out = os.path.join(d, name + ".h5")
    r = run("run", scen, "-o", out, "-q", *extra)
    first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    check(r.returncode == 2, f"{name}: exit 2 (got {r.returncode}: {first})")
    check(re.match(r"^[^:]+:\d+(:\d+)?: error: ", first) is not None, f"{name}: FILE:LINE:COL message: {first}")
    check(key in first, f"{name}: message names '{key}'")
    check(not os.path.exists(out), f"{name}: no output file")
    check(not [f for f in os.listdir(d) if ".tmp." in f], f"{name}: no temporary file")


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "sub", "run.h5")
    r = run("run", SMOKE, "-o", out, "--paths", "6", "--threads", "2")
    check(r.returncode == 0, f"run exits 0 ({r.stderr.strip()})")
    check("liquidated notional" in r.stdout, "run prints a summary")
    with h5py.File(out, "r") as f:
        check(int(f.attrs["complete"]) == 1, "results complete")
        check(int(f.attrs["paths"]) == 6, "--paths overrides the scenario")
        check("paths: 6" in f.attrs["scenario_yaml"], "resolved scenario records the override")
    r = run("run", SMOKE, "-o", out, "-q")
    check(r.returncode == 2 and "--force" in r.stderr, "existing output refused without --force")
    r = run("run", SMOKE, "-o", out, "-q", "--force", "--paths", "3")
    check(r.returncode == 0, "--force overwrites")

    r = run("inspect", out)
    check(r.returncode == 0 and "AIX" in r.stdout, "inspect summarises per asset")
    r = run("check", SMOKE)
    check(r.returncode == 0 and "valid" in r.stdout and "estimated memory" in r.stdout, "check prints the plan")

    csv = os.path.join(d, "levels.csv")
    r = run("levels", SMOKE, "--csv", csv)
    check(r.returncode == 0 and "long liquidations" in r.stdout, "levels prints the liquidation map")
    rows = open(csv).read().splitlines()
    check(rows[0] == "position,account,asset,side,size,entry_price,margin,liquidation_price,bankruptcy_price",
          "levels --csv header")
    check(len(rows) == 1 + 600, f"levels --csv one row per position ({len(rows) - 1})")

    # Bad input: exit 2, located message, nothing written.
    expect_input_error(d, "unknown_key.yaml", GOOD.replace("steps: 60", "stepz: 60"), "stepz")
    expect_input_error(d, "bad_type.yaml", GOOD.replace("price: 2.0", "price: two"), "price")
    expect_input_error(d, "bad_mmr.yaml", GOOD.replace("mmr: 0.02}", "mmr: 1.5}"), "mmr")
    expect_input_error(d, "dup_key.yaml", GOOD.replace("dt: 60", "dt: 60\ndt: 30"), "dt")
    expect_input_error(d, "bad_set.yaml", GOOD, "assets.AIX.price", extra=("--set", "assets.AIX.price=-1"))
    expect_input_error(
        d, "bad_csv.yaml", GOOD + "positions:\n  file: pos.csv\n", "size",
        files={"pos.csv": "account,asset,side,size,entry_price,margin,mode\na,AIX,long,-5,2.0,1,isolated\n"})
    expect_input_error(d, "missing_csv.yaml", GOOD + "positions:\n  file: nope.csv\n", "nope.csv")
    r = run("run", SMOKE)
    check(r.returncode == 2, "missing -o is a usage error (exit 2)")

    # Interrupted run: no file that looks complete, no temporary left behind.
    big = os.path.join(d, "big.h5")
    p = subprocess.Popen([EXE, "run", SMOKE, "-o", big, "-q", "--paths", "200000", "--threads", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    check(p.returncode == 1, f"SIGINT exits 1 (got {p.returncode})")
    check("interrupted" in err, "SIGINT is reported")
    check(not os.path.exists(big), "SIGINT leaves no output file")
    check(not [f for f in os.listdir(d) if ".tmp." in f], "SIGINT leaves no temporary file")

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
    sys.exit(1)
