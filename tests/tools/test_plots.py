#!/usr/bin/python3
"""tools/plots.py and the sweep side of tools/cascade_results.py, on real results files written
by `cascade` (docs/analysis.md):

- a small leverage sweep of the smoke scenario: every one of the six PNGs is drawn, is a PNG of
  a sensible size, and the loader's sweep tables agree with the raw datasets;
- a plain run: the sweep curve is skipped (and refused when asked for), the rest drawn;
- errors: an incomplete file and an unknown metric exit 2.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SRC = os.environ["CASCADE_SOURCE_DIR"]
EXE = os.environ["CASCADE_EXE"]
SMOKE = os.path.join(SRC, "tests", "data", "smoke", "smoke.yaml")
PLOTS = os.path.join(SRC, "tools", "plots.py")
sys.path.insert(0, os.path.join(SRC, "tools"))
import cascade_results  # noqa: E402

KINDS = ["loss_ccdf", "sweep_curve", "price_fan", "liquidation_map", "cascade_depth",
         "insurance_fund"]
LEVERAGE = "assets.AIX.population.leverage_mean"
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)
    return cond


def cascade(*args):
    r = subprocess.run([EXE, *args, "-q"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit(f"cascade {' '.join(args)} failed: {r.stderr}")


def plots(*args):
    return subprocess.run(["/usr/bin/python3", PLOTS, *args], capture_output=True, text=True,
                          timeout=300)


def png_size(path):
    """(width, height) from the PNG header, or None when it is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


with tempfile.TemporaryDirectory() as d:
    sweep = os.path.join(d, "sweep.h5")
    cascade("sweep", SMOKE, "--param", LEVERAGE, "--values", "2,5,10,20", "--paths", "10",
            "-o", sweep)

    # --- the loader's sweep view ----------------------------------------------------------
    r = cascade_results.load(sweep)
    check(list(r.sweep.columns) == ["point", LEVERAGE], f"sweep columns {list(r.sweep.columns)}")
    check(r.sweep["point"].tolist() == [0, 1, 2, 3], "sweep has one row per point")
    check(r.sweep_keys == [LEVERAGE] and r.sweep_axes == {LEVERAGE: 0}, "sweep keys and axes")
    check(r.sweep_units[LEVERAGE] == "x", "sweep unit")
    joined = r.summary_with_sweep()
    check(len(joined) == 40 and (joined[LEVERAGE] == np.repeat([2, 5, 10, 20], 10)).all(),
          "summary_with_sweep gives every row its point's value")
    table = r.sweep_table("liquidated_notional")
    with h5py.File(sweep, "r") as f:
        point = f["summary/point"][()]
        liq = f["summary/liquidated_notional"][()]
    expect = [np.median(liq[point == p]) for p in range(4)]
    check(np.allclose(table["p50"], expect), "sweep_table medians match the raw datasets")
    check(list(table.columns[:4]) == ["point", LEVERAGE, "paths", "mean"], "sweep_table columns")
    check((table["paths"] == 10).all(), "sweep_table counts paths")
    check(table["p50"].is_monotonic_increasing and table["p50"].iloc[-1] > table["p50"].iloc[0],
          f"median liquidated notional rises with leverage: {table['p50'].round().tolist()}")
    check(r.shard is None, "not a shard")

    # --- every plot of a sweep --------------------------------------------------------------
    out = os.path.join(d, "plots")
    p = plots(sweep, "--out", out)
    check(p.returncode == 0, f"plots.py on a sweep exits 0 ({p.stderr.strip()})")
    for kind in KINDS:
        path = os.path.join(out, kind + ".png")
        size = png_size(path) if os.path.exists(path) else None
        check(size is not None and size[0] >= 400 and size[1] >= 300,
              f"{kind}.png is a PNG of at least 400x300 ({size})")
        check(os.path.exists(path) and os.path.getsize(path) > 10_000,
              f"{kind}.png is not empty ({os.path.getsize(path) if os.path.exists(path) else 0} B)")

    p = plots(sweep, "--out", os.path.join(d, "one"), "--kind", "sweep_curve", "--metric",
              "max_cascade_depth")
    check(p.returncode == 0 and os.listdir(os.path.join(d, "one")) == ["sweep_curve.png"],
          f"--kind draws only that plot, any metric ({p.stderr.strip()})")
    p = plots(sweep, "--out", os.path.join(d, "one"), "--kind", "price_fan", "--point", "3")
    check(p.returncode == 0, f"--point picks the fan chart's point ({p.stderr.strip()})")
    p = plots(sweep, "--out", os.path.join(d, "one"), "--kind", "price_fan", "--point", "9")
    check(p.returncode == 2 and "no recorded path at sweep point 9" in p.stderr,
          f"a point without recorded paths is refused ({p.stderr.strip()})")

    # --- a plain run ------------------------------------------------------------------------
    plain = os.path.join(d, "plain.h5")
    cascade("run", SMOKE, "--paths", "6", "-o", plain)
    out = os.path.join(d, "plain_plots")
    p = plots(plain, "--out", out)
    check(p.returncode == 0 and "skipped sweep_curve" in p.stderr,
          f"plain run: sweep_curve skipped ({p.returncode}, {p.stderr.strip()})")
    check(sorted(os.listdir(out)) == sorted(k + ".png" for k in KINDS if k != "sweep_curve"),
          f"plain run: the other five drawn ({sorted(os.listdir(out))})")
    p = plots(plain, "--out", out, "--kind", "sweep_curve")
    check(p.returncode == 2 and "not a sweep" in p.stderr, "asking for a sweep curve of a run: exit 2")
    r = cascade_results.load(plain)
    check(r.sweep is None and r.sweep_keys == [], "plain run: no sweep")
    check(len(r.summary_with_sweep()) == 6, "summary_with_sweep of a plain run is the summary")
    check(list(r.sweep_table().columns[:3]) == ["point", "paths", "mean"], "sweep_table of a run")

    # --- errors -----------------------------------------------------------------------------
    partial = os.path.join(d, "partial.h5")
    shutil.copy(plain, partial)
    with h5py.File(partial, "r+") as f:
        f.attrs["complete"] = np.int32(0)
    p = plots(partial, "--out", out)
    check(p.returncode == 2 and "incomplete" in p.stderr, "incomplete file: exit 2")
    p = plots(plain, "--out", out, "--metric", "nonsense")
    check(p.returncode == 2 and "nonsense" in p.stderr, "unknown metric: exit 2")

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
    sys.exit(1)
