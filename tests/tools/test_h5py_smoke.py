#!/usr/bin/python3
"""The results file as h5py and tools/cascade_results.py see it (docs/results.md).

Runs `$CASCADE_EXE run tests/data/smoke/smoke.yaml --paths 8` into a scratch directory and checks
the layout without any Cascade code: format attributes, `complete`, a `unit` on every dataset,
shapes, compression; then loads it through tools/cascade_results.py and runs `cascade inspect`.

With CASCADE_RESULTS_FILE set, checks that file instead (shape checks derived from its own
attributes), e.g. the sample the C++ tests leave with CASCADE_RESULTS_SAMPLE=/tmp/sample.h5.
Exits non-zero with a message per failed check.
"""

import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print(f"FAIL: {message}", file=sys.stderr)
    return condition


def source_dir():
    return os.environ.get("CASCADE_SOURCE_DIR",
                          os.path.dirname(os.path.dirname(os.path.dirname(
                              os.path.abspath(__file__)))))


def run_cascade(args):
    exe = os.environ.get("CASCADE_EXE")
    if not exe or not os.path.exists(exe):
        print(f"error: CASCADE_EXE={exe!r} is not the cascade binary", file=sys.stderr)
        sys.exit(1)
    return subprocess.run([exe] + args, capture_output=True, text=True, timeout=300)


def check_layout(path, expected_paths=None):
    with h5py.File(path, "r") as f:
        a = f.attrs
        check(a.get("format") == "cascade-results", f"format attribute is {a.get('format')!r}")
        check(a.get("format_version") == 2, f"format_version is {a.get('format_version')!r}")
        check(a.get("complete") == 1, f"complete is {a.get('complete')!r}")
        for name in ("cascade_version", "scenario_yaml", "command_line", "seed", "paths",
                     "steps", "dt", "assets"):
            check(name in a, f"root attribute {name} missing")
        check(a["seed"].dtype == np.uint64, f"seed is {a['seed'].dtype}, expected uint64")
        assets = [s.decode() if isinstance(s, bytes) else s for s in a["assets"]]
        n_assets = len(assets)
        steps = int(a["steps"])

        datasets = []
        f.visititems(lambda name, obj: datasets.append(name)
                     if isinstance(obj, h5py.Dataset) else None)
        check(len(datasets) > 0, "no datasets")
        for name in datasets:
            ds = f[name]
            check("unit" in ds.attrs, f"/{name} has no unit attribute")
            check("description" in ds.attrs, f"/{name} has no description attribute")
            if ds.size > 0:
                check(ds.compression == "gzip" and ds.shuffle,
                      f"/{name} is not deflate+shuffle compressed")

        summary = f["summary"]
        n_rows = summary["path"].shape[0]
        if expected_paths is not None:
            check(n_rows == expected_paths, f"/summary/path has {n_rows} rows, not {expected_paths}")
        for name in ("point", "path", "liquidated_notional", "liquidations", "max_cascade_depth",
                     "insurance_fund_min", "adl_notional", "bad_debt", "conservation_residual"):
            check(name in summary, f"/summary/{name} missing")
        for name, ds in summary.items():
            if isinstance(ds, h5py.Dataset):
                check(ds.shape == (n_rows,), f"/summary/{name} has shape {ds.shape}")
                # counts are integers (format 2), quantities float64
                expected = np.int64 if ds.attrs["unit"] in ("count", "rounds") else None
                if expected is not None:
                    check(ds.dtype == expected, f"/summary/{name} is {ds.dtype}, expected int64")
        for name in ("liquidated_notional", "long_liquidated_notional",
                     "short_liquidated_notional", "min_price_ratio", "peak_slippage_bps"):
            check(name in summary["by_asset"], f"/summary/by_asset/{name} missing")
        for name, ds in summary["by_asset"].items():
            check(ds.shape == (n_rows, n_assets), f"/summary/by_asset/{name} has shape {ds.shape}")

        if check("timeseries" in f, "/timeseries missing"):
            ts = f["timeseries"]
            n_recorded = ts["path"].shape[0]
            if expected_paths is not None:
                check(n_recorded == 2, f"{n_recorded} recorded paths, not 2")
            for name in ("mark_price", "liquidated_notional", "open_interest", "depth_scale"):
                check(name in ts, f"/timeseries/{name} missing")
                if name in ts:
                    check(ts[name].shape == (n_recorded, steps + 1, n_assets),
                          f"/timeseries/{name} has shape {ts[name].shape}")
            if "insurance_fund" in ts:
                check(ts["insurance_fund"].shape == (n_recorded, steps + 1),
                      f"/timeseries/insurance_fund has shape {ts['insurance_fund'].shape}")

        if check("events/liquidations" in f, "/events/liquidations missing (events: true)"):
            ev = f["events/liquidations"]
            lengths = {name: ev[name].shape for name in ev}
            check(len(set(lengths.values())) == 1, f"event columns differ in length: {lengths}")
            for name in ("point", "path", "step", "round", "asset", "position", "side", "size",
                         "fill_price", "bankruptcy_price"):
                check(name in ev, f"/events/liquidations/{name} missing")
            if "asset" in ev and ev["asset"].size:
                check(ev["asset"][()].max() < n_assets, "event asset index out of range")

        pos = f["positions/initial"]
        check("accounts" in pos.attrs, "/positions/initial has no accounts attribute")
        for name in ("position", "account", "asset", "side", "size", "entry_price", "margin",
                     "liquidation_price", "bankruptcy_price"):
            check(name in pos, f"/positions/initial/{name} missing")
        return n_rows, n_assets, steps


def check_loader(path, n_rows, n_assets, steps):
    sys.path.insert(0, os.path.join(source_dir(), "tools"))
    import cascade_results  # noqa: E402

    r = cascade_results.load(path)
    check(r.attrs["complete"] == 1, "loader attrs: complete != 1")
    check(len(r.summary) == n_rows, f"loader summary has {len(r.summary)} rows")
    check(list(r.summary.columns[:3]) == ["point", "path", "liquidated_notional"],
          f"loader summary columns start {list(r.summary.columns[:3])}")
    check(len(r.by_asset) == n_rows * n_assets, f"loader by_asset has {len(r.by_asset)} rows")
    check(set(r.by_asset["asset"]) <= set(r.assets), "loader by_asset asset names")
    mark = r.timeseries("mark_price")
    check(mark.shape[1:] == (steps + 1, n_assets), f"loader mark_price shape {mark.shape}")
    check(r.events is not None, "loader events is None")
    check(set(r.positions["asset"].dropna()) <= set(r.assets), "loader positions asset names")
    check(r.positions["account"].notna().all(), "loader positions account names")

    # Incomplete files are refused.
    with tempfile.TemporaryDirectory() as tmp:
        partial = os.path.join(tmp, "partial.h5")
        with open(path, "rb") as src, open(partial, "wb") as dst:
            dst.write(src.read())
        with h5py.File(partial, "r+") as f:
            f.attrs["complete"] = np.int32(0)
        try:
            cascade_results.load(partial)
            check(False, "loader accepted a file with complete = 0")
        except ValueError:
            pass


def main():
    given = os.environ.get("CASCADE_RESULTS_FILE")
    if given:
        n_rows, n_assets, steps = check_layout(given)
        check_loader(given, n_rows, n_assets, steps)
    else:
        scenario = os.path.join(source_dir(), "tests", "data", "smoke", "smoke.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "smoke.h5")
            run = run_cascade(["run", scenario, "-o", out, "--paths", "8", "-q"])
            if not check(run.returncode == 0,
                         f"cascade run exited {run.returncode}: {run.stderr.strip()}"):
                return 1
            if not check(os.path.exists(out), f"cascade run exited 0 but wrote no {out}"):
                return 1
            check(sorted(os.listdir(tmp)) == ["smoke.h5"],
                  f"files left next to the output: {sorted(os.listdir(tmp))}")
            n_rows, n_assets, steps = check_layout(out, expected_paths=8)
            check(n_assets == 2 and steps == 60, f"{n_assets} assets, {steps} steps")
            check_loader(out, n_rows, n_assets, steps)

            again = run_cascade(["run", scenario, "-o", out, "--paths", "8", "-q"])
            check(again.returncode != 0 and "exists (use --force to overwrite)" in again.stderr,
                  f"second run without --force: exit {again.returncode}, {again.stderr.strip()}")
            forced = run_cascade(["run", scenario, "-o", out, "--paths", "8", "-q", "--force"])
            check(forced.returncode == 0, f"run --force exited {forced.returncode}: "
                                          f"{forced.stderr.strip()}")

            inspect = run_cascade(["inspect", out])
            check(inspect.returncode == 0 and "liquidated_notional" in inspect.stdout,
                  f"cascade inspect exited {inspect.returncode}: {inspect.stderr.strip()}")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("results file OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
