#!/usr/bin/python3
"""Results files read as netCDF-4 (docs/results.md "Dimensions", docs/analysis.md "xarray"):

- xarray.open_dataset(path, group=..., engine="h5netcdf") gives the named dimensions row, asset,
  step, recorded_path, event, point and position (no phony_dim_*), point and path as coordinates
  of the summary metrics, the swept values along point, and the values h5py reads;
- tools/cascade_results.py to_xarray(): (point, path[, asset]) grids with the swept keys as
  coordinates, equal to the raw datasets;
- netCDF-C (ncdump, the library Julia's NCDatasets wraps) reads the same dimensions;
- shards and `cascade merge`: a shard's rows keep their run index, the merged file keeps its
  scales and reads like the unsharded one.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import xarray as xr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim", "cli"))
from cli_checks import SRC, SMOKE, check, finish, run, run_ok  # noqa: E402


sys.path.insert(0, os.path.join(SRC, "tools"))
import cascade_results  # noqa: E402

KEY = "assets.AIX.population.leverage_mean"


def open_group(path, group):
    return xr.open_dataset(path, group=group, engine="h5netcdf").load()


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "sweep.h5")
    sweep = ["sweep", SMOKE, "--param", KEY, "--values", "5,10,20", "--paths", "4", "-q"]
    run_ok(*sweep, "-o", out)

    expected = {
        "summary": {"row": 12},
        "summary/by_asset": {"row": 12, "asset": 2},
        "sweep": {"point": 3},
        "timeseries": {"recorded_path": 6, "step": 61, "asset": 2},
        "positions/initial": {"position": 600},
    }
    with h5py.File(out, "r") as h:
        n_events = h["events/liquidations/size"].shape[0]
        liq = h["summary/liquidated_notional"][()]
        by_asset = h["summary/by_asset/min_price_ratio"][()]
        mark = h["timeseries/mark_price"][()]
        values = h["sweep"][KEY][()]
        point = h["summary/point"][()]
    expected["events/liquidations"] = {"event": n_events}
    for group, dims in expected.items():
        ds = open_group(out, group)
        check(dict(ds.sizes) == dims, f"{group}: dimensions {dict(ds.sizes)} == {dims}")
        check(not any(k.startswith("phony_dim") for k in ds.sizes), f"{group}: no phony dims")

    s = open_group(out, "summary")
    check({"point", "path"} <= set(s.coords), f"summary: point, path are coordinates {list(s.coords)}")
    check(s["liquidated_notional"].dims == ("row",), "summary metrics along row")
    check(np.array_equal(s["liquidated_notional"].values, liq), "summary values equal h5py's")
    check(s["liquidated_notional"].attrs["unit"] == "USD", "units come along")
    check(s["liquidations"].dtype == np.int64, "counts stay int64")
    check(np.array_equal(open_group(out, "summary/by_asset")["min_price_ratio"].values, by_asset),
          "by_asset values equal h5py's")
    sw = open_group(out, "sweep")
    check(np.array_equal(sw[KEY].values, values) and sw[KEY].dims == ("point",),
          f"sweep: {KEY} along point")
    check(np.array_equal(sw["point"].values, [0, 1, 2]), "sweep: point coordinate 0..2")
    # Sweep coordinates per row: join the summary with the sweep on point.
    joined = s.groupby("point").median()
    check(np.allclose(joined["liquidated_notional"].values,
                      [np.median(liq[point == p]) for p in range(3)]),
          "groupby(point) of the summary gives the per-point medians")
    ts = open_group(out, "timeseries")
    check(ts["mark_price"].dims == ("recorded_path", "step", "asset"), "timeseries dims")
    check("time" in ts.coords and ts["time"].dims == ("step",), "time is a coordinate along step")
    check(np.array_equal(ts["mark_price"].values, mark), "timeseries values equal h5py's")

    r = cascade_results.load(out)
    g = r.to_xarray()
    check(g["liquidated_notional"].dims == ("point", "path") and g.sizes["path"] == 4,
          f"to_xarray: (point, path) {dict(g.sizes)}")
    check(np.array_equal(g[KEY].values, values), "to_xarray: the swept key is a coordinate")
    check(np.array_equal(g["liquidated_notional"].values, liq.reshape(3, 4)),
          "to_xarray: values in (point, path) order")
    check(g["liquidations"].dtype == np.int64, "to_xarray: counts stay integers")
    a = r.to_xarray("by_asset")
    check(a["min_price_ratio"].dims == ("point", "path", "asset")
          and list(a["asset"].values) == ["AIX", "BTC"], "to_xarray(by_asset): asset names")
    check(np.array_equal(a["min_price_ratio"].values, by_asset.reshape(3, 4, 2)),
          "to_xarray(by_asset): values")
    t = r.to_xarray("timeseries")
    check(list(t["asset"].values) == ["AIX", "BTC"], "to_xarray(timeseries): asset names")

    # netCDF-C (what Julia's NCDatasets reads through) sees the same dimensions.
    nc = subprocess.run(["ncdump", "-h", out], capture_output=True, text=True)
    check(nc.returncode == 0, f"ncdump -h reads the file ({nc.stderr.strip()[:200]})")
    for dim in ("row = 12", "asset = 2", "point = 3", "recorded_path = 6", "step = 61",
                f"event = {n_events}", "position = 600"):
        check(dim in nc.stdout, f"ncdump: dimension {dim}")
    check("double liquidated_notional(row)" in nc.stdout
          and "double mark_price(recorded_path, step, asset)" in nc.stdout,
          "ncdump: variables on their named dimensions")

    # Shards keep their run row index; the merged file keeps the scales.
    shards = [os.path.join(d, f"s{i}.h5") for i in range(2)]
    for i, path in enumerate(shards):
        run_ok(*sweep, "--shard", f"{i}/2", "-o", path)
    check(np.array_equal(open_group(shards[1], None)["row"].values, np.arange(6, 12)),
          "shard 1/2: row coordinate 6..11")
    merged = os.path.join(d, "merged.h5")
    run_ok("merge", *shards, "-o", merged, "-q")
    m = open_group(merged, "summary")
    check(dict(m.sizes) == {"row": 12} and np.array_equal(m["liquidated_notional"].values, liq),
          "merged file: same dimensions and values")
    check(np.array_equal(open_group(merged, None)["row"].values, np.arange(12)),
          "merged file: row coordinate 0..11")
    partial = cascade_results.load(shards[1]).to_xarray()
    check(partial.sizes["point"] == 2 and np.isnan(partial["liquidated_notional"].values).sum() == 2,
          "to_xarray of a shard: the missing cells of its first point are NaN")

finish()
