#!/usr/bin/python3
"""End-to-end checks of `cascade sweep`, `--shard` and `cascade merge` (INTERFACE.md, docs/batch.md).

- a leverage sweep of the smoke scenario: the median liquidated notional rises with leverage;
- the /sweep layout: one dataset per key, values per point, unit and axis attributes;
- a grid sweep run whole vs in 3 and 4 shards + merge, and a plain run vs 2 shards + merge:
  every dataset and attribute bitwise equal, except `command_line`;
- merge refusals (missing, duplicate, foreign, incomplete shards, non-shards): exit 2, files named;
- input errors of sweep and --shard: exit 2 with a located message, no output file;
- `cascade inspect` of a sweep: an overview with the swept values and per-point tables.
"""
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import SMOKE, check, finish, run  # noqa: E402
from h5_equal import differences  # noqa: E402

LEVERAGE = "assets.AIX.population.leverage_mean"


def expect_ok(r, what):
    return check(r.returncode == 0, f"{what} (exit {r.returncode}: {r.stderr.strip()[:300]})")


def expect_refused(r, what, *parts):
    first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    check(r.returncode == 2, f"{what}: exit 2 (got {r.returncode}: {first})")
    for p in parts:
        check(p in r.stderr, f"{what}: message mentions {p!r} ({first})")


with tempfile.TemporaryDirectory() as d:
    f = lambda name: os.path.join(d, name)  # noqa: E731

    # --- a leverage sweep: liquidated notional rises with leverage -----------------------------
    r = run("sweep", SMOKE, "--param", LEVERAGE, "--values", "2,5,10,20", "--paths", "12",
            "-o", f("leverage.h5"))
    expect_ok(r, "leverage sweep")
    check(LEVERAGE in r.stdout and "liq. p50" in r.stdout, "sweep prints a table per point")
    with h5py.File(f("leverage.h5"), "r") as h:
        point = h["summary/point"][()]
        liq = h["summary/liquidated_notional"][()]
        check(h["summary/path"].shape == (48,), "4 points x 12 paths = 48 rows")
        check(list(h["sweep"].keys()) == ["point", LEVERAGE],
              f"/sweep holds its point coordinate and the key ({list(h['sweep'])})")
        ds = h["sweep"][LEVERAGE]
        check(ds[()].tolist() == [2.0, 5.0, 10.0, 20.0], f"/sweep values per point {ds[()]}")
        check(ds.attrs["unit"] == "x" and int(ds.attrs["axis"]) == 0, "unit x, axis 0")
        check(int(h.attrs["paths"]) == 12, "paths attribute is per point")
        check("sweep:" in h.attrs["scenario_yaml"], "scenario_yaml records the sweep")
        check(h["timeseries/point"][()].tolist() == [0, 0, 1, 1, 2, 2, 3, 3],
              "recorded paths of every point")
    medians = [float(np.median(liq[point == p])) for p in range(4)]
    print("  median liquidated notional by leverage 2, 5, 10, 20:", [f"{m:.0f}" for m in medians])
    check(all(b >= a for a, b in zip(medians, medians[1:])) and medians[-1] > medians[0],
          "median liquidated notional rises with leverage")

    r = run("inspect", f("leverage.h5"))
    check(r.returncode == 0 and "sweep overview" in r.stdout, "inspect prints the sweep overview")
    check(f"point 2: {LEVERAGE} = 10" in r.stdout, "inspect names each point's values")
    r = run("inspect", f("leverage.h5"), "--point", "3")
    check(r.returncode == 0 and "point 3:" in r.stdout and "point 1:" not in r.stdout,
          "inspect --point shows one point")

    # --- shards + merge are bitwise the whole run -----------------------------------------------
    grid = ["--param", LEVERAGE, "--values", "5,15", "--param",
            "exchange.liquidation_fee,assets.BTC.book.eta", "--values", "0.0,0.01,0.02",
            "--paths", "5"]
    expect_ok(run("sweep", SMOKE, *grid, "-o", f("whole.h5"), "-q"), "grid sweep, whole")
    with h5py.File(f("whole.h5"), "r") as h:
        check(h["summary/point"].shape == (30,), "2 x 3 grid x 5 paths = 30 rows")
        check(h["sweep"]["assets.BTC.book.eta"][()].tolist() == [0, .01, .02, 0, .01, .02],
              "row-major grid: the last axis varies fastest")
        check(int(h["sweep"]["assets.BTC.book.eta"].attrs["axis"]) == 1, "moving keys share axis 1")
    for n in (3, 4):
        shards = [f(f"grid_{i}of{n}.h5") for i in range(n)]
        for i, s in enumerate(shards):
            expect_ok(run("sweep", SMOKE, *grid, "--shard", f"{i}/{n}", "-o", s, "-q"),
                      f"shard {i}/{n}")
        with h5py.File(shards[1], "r") as h:
            check(int(h.attrs["shard_index"]) == 1 and int(h.attrs["shard_count"]) == n
                  and int(h.attrs["rows_total"]) == 30, f"shard attributes ({n} shards)")
        r = run("merge", *reversed(shards), "-o", f(f"merged{n}.h5"))
        expect_ok(r, f"merge {n} shards (given in reverse order)")
        diffs = differences(f("whole.h5"), f(f"merged{n}.h5"), ignore_root_attrs=("command_line",))
        check(not diffs, f"{n} shards + merge == whole sweep, bitwise: {diffs[:5]}")

    expect_ok(run("run", SMOKE, "--paths", "7", "-o", f("plain.h5"), "-q"), "plain run")
    for i in range(2):
        expect_ok(run("run", SMOKE, "--paths", "7", "--shard", f"{i}/2", "-o", f(f"plain{i}.h5"),
                      "-q"), f"run --shard {i}/2")
    expect_ok(run("merge", f("plain0.h5"), f("plain1.h5"), "-o", f("plain_merged.h5")),
              "merge run shards")
    diffs = differences(f("plain.h5"), f("plain_merged.h5"), ignore_root_attrs=("command_line",))
    check(not diffs, f"run shards + merge == whole run, bitwise: {diffs[:5]}")

    # --- common random numbers and --independent-points ----------------------------------------
    # The default: every point draws the same numbers, so paired differences between points have
    # a far smaller variance than with independent points; the flag is recorded in the file.
    two = ["--param", LEVERAGE, "--values", "12,14", "--paths", "16"]
    expect_ok(run("sweep", SMOKE, *two, "-o", f("crn.h5"), "-q"), "sweep, common random numbers")
    expect_ok(run("sweep", SMOKE, *two, "--independent-points", "-o", f("ind.h5"), "-q"),
              "sweep --independent-points")
    paired = {}
    for name in ("crn", "ind"):
        with h5py.File(f(f"{name}.h5"), "r") as h:
            check(int(h.attrs["independent_points"]) == (name == "ind"),
                  f"{name}: root attribute independent_points")
            check(("independent_points: true" in h.attrs["scenario_yaml"]) == (name == "ind"),
                  f"{name}: scenario_yaml records the flag in its sweep block")
            liq = h["summary/liquidated_notional"][()].reshape(2, 16)
            paired[name] = float(np.var(liq[1] - liq[0], ddof=1))
    print(f"  variance of paired differences: common {paired['crn']:.3g}, "
          f"independent {paired['ind']:.3g}")
    check(paired["crn"] < 0.2 * paired["ind"],
          "common random numbers: paired differences vary far less than independent points")
    ind_shards = [f(f"ind_{i}of2.h5") for i in range(2)]
    for i, s in enumerate(ind_shards):
        expect_ok(run("sweep", SMOKE, *two, "--independent-points", "--shard", f"{i}/2", "-o", s,
                      "-q"), f"--independent-points shard {i}/2")
    expect_ok(run("merge", *ind_shards, "-o", f("ind_merged.h5")), "merge independent shards")
    diffs = differences(f("ind.h5"), f("ind_merged.h5"), ignore_root_attrs=("command_line",))
    check(not diffs, f"--independent-points: 2 shards + merge == whole sweep, bitwise: {diffs[:5]}")
    mixed = [f("ind_0of2.h5"), f("crn_1of2.h5")]
    expect_ok(run("sweep", SMOKE, *two, "--shard", "1/2", "-o", mixed[1], "-q"), "a CRN shard")
    expect_refused(run("merge", *mixed, "-o", f("m.h5")),
                   "shards with and without --independent-points", "different runs")

    # --- merge refusals -----------------------------------------------------------------------
    s3 = [f(f"grid_{i}of3.h5") for i in range(3)]
    expect_refused(run("merge", s3[0], s3[2], "-o", f("m.h5")), "missing shard", "missing shard 1",
                   s3[0])
    expect_refused(run("merge", s3[0], s3[1], s3[1], s3[2], "-o", f("m.h5")), "duplicate shard",
                   "more than once", s3[1])
    expect_refused(run("merge", s3[0], f("grid_1of4.h5"), s3[2], "-o", f("m.h5")),
                   "shards of different splits", "split")
    expect_ok(run("sweep", SMOKE, *grid, "--seed", "8", "--shard", "1/3", "-o", f("other.h5"), "-q"),
              "a shard of another run")
    expect_refused(run("merge", s3[0], f("other.h5"), s3[2], "-o", f("m.h5")), "foreign shard",
                   "different runs", f("other.h5"))
    expect_refused(run("merge", s3[0], f("whole.h5"), "-o", f("m.h5")), "not a shard",
                   "not a shard file", f("whole.h5"))
    shutil.copy(s3[1], f("partial.h5"))
    with h5py.File(f("partial.h5"), "r+") as h:
        h.attrs["complete"] = np.int32(0)
    expect_refused(run("merge", s3[0], f("partial.h5"), s3[2], "-o", f("m.h5")), "incomplete shard",
                   "incomplete", f("partial.h5"))
    check(not os.path.exists(f("m.h5")), "refused merges write nothing")
    expect_refused(run("merge", *s3, "-o", f("merged3.h5")), "existing output", "--force")

    # --- input errors -------------------------------------------------------------------------
    def bad(what, args, loc, part):
        r = run(*args, "-o", f("bad.h5"))
        expect_refused(r, what, part)
        check(r.stderr.startswith(loc), f"{what}: located at {loc} ({r.stderr.strip()[:120]})")
        check(not os.path.exists(f("bad.h5")), f"{what}: no output")

    bad("value not a number", ["sweep", SMOKE, "--param", LEVERAGE, "--values", "2,x"],
        "--values:1:3: error:", "expected a number")
    bad("value out of range", ["sweep", SMOKE, "--param", LEVERAGE, "--values", "2,0.5"],
        "--values:1:3: error:", "sweep point 1")
    bad("unknown key", ["sweep", SMOKE, "--param", "assets.AIX.population.levrage_mean",
                        "--values", "2"], "--param:1:23: error:", "did you mean 'leverage_mean'")
    bad("unknown asset", ["sweep", SMOKE, "--param", "assets.XYZ.price", "--values", "2"],
        "--param:1:8: error:", "no such asset")
    bad("count mismatch", ["sweep", SMOKE, "--param", LEVERAGE, "--param", "dt", "--values", "2"],
        "--param: error:", "each --param needs one --values")
    bad("layout change", ["sweep", SMOKE, "--param", "steps", "--values", "10,20"],
        "--values:1:4: error:", "changes steps")
    bad("nothing to sweep", ["sweep", SMOKE], "cascade sweep: error:", "nothing to sweep")
    bad("shard index", ["run", SMOKE, "--shard", "2/2"], "--shard:1:1: error:", "0-based")
    bad("shard syntax", ["run", SMOKE, "--shard", "1of2"], "--shard:1:1: error:", "i/n")

finish()
