#!/usr/bin/python3
"""Load a Cascade results file (HDF5, layout in docs/results.md) into pandas / numpy.

    import cascade_results
    r = cascade_results.load("out.h5")
    r.attrs                      # root attributes as a dict (assets: list of str)
    r.summary                    # DataFrame: point, path, one column per summary metric
    r.by_asset                   # long DataFrame: point, path, asset, one column per metric
    r.timeseries("mark_price")   # numpy [recorded path, step, asset] ([path, step] if not per asset)
    r.timeseries_paths           # DataFrame: point, path of each recorded path
    r.events                     # DataFrame of liquidations, or None when not recorded
    r.positions                  # DataFrame of the initial book, asset and account names
    r.units["liquidated_notional"]  # unit of a summary column (r.by_asset_units for by_asset;
                                    # r.unit("/any/dataset") for any dataset)
    r.sweep                      # DataFrame: point, one column per swept key; None for a plain run
    r.sweep_keys                 # the swept keys, in file order; r.sweep_axes: key -> grid axis
    r.summary_with_sweep()       # summary joined with each row's swept values
    r.sweep_table("liquidated_notional")  # per point: swept values, count, mean, p5..p95
    r.shard                      # dict of shard attributes for a shard file, else None
    r.to_xarray()                # xarray.Dataset [point, path]: summary metrics, swept keys
                                 # as coordinates; to_xarray("by_asset") [point, path, asset],
                                 # to_xarray("timeseries") [recorded_path, step, asset]

As a script: ``tools/cascade_results.py OUT.h5`` prints the run metadata and
``summary.describe()``.

Files whose ``complete`` attribute is not 1 (a run that did not finish) are refused.
Uses h5py, numpy and pandas (Debian: python3-h5py python3-pandas); to_xarray() also xarray and
h5netcdf (python3-xarray python3-h5netcdf), imported only when called.
"""

import sys

import h5py
import numpy as np
import pandas as pd

FORMAT = "cascade-results"
FORMAT_VERSION = 2


def _text(value):
    """h5py returns str for UTF-8 variable-length strings, bytes for some others."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _attr_value(value):
    if isinstance(value, np.ndarray):
        return [_text(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return _text(value)


def _is_dimension(ds):
    """A dimension's coordinate (an HDF5 dimension scale, e.g. /sweep/point), not a column."""
    return h5py.h5ds.is_scale(ds.id)


def _columns(group, keep_dimensions=False):
    """Every 1-D dataset of `group`, in file (creation) order, as a dict of numpy arrays;
    dimension scales only when `keep_dimensions` (the initial book's `position` is both)."""
    return {name: ds[()] for name, ds in group.items()
            if isinstance(ds, h5py.Dataset) and ds.ndim == 1
            and (keep_dimensions or not _is_dimension(ds))}


class Results:
    """Everything in a results file, read eagerly except the time series."""

    def __init__(self, path):
        self.path = str(path)
        with h5py.File(self.path, "r") as f:
            attrs = {k: _attr_value(v) for k, v in f.attrs.items()}
            if attrs.get("format") != FORMAT:
                raise ValueError(f"{self.path} is not a cascade results file "
                                 f"(no root attribute format = {FORMAT!r})")
            version = int(attrs.get("format_version", 0))
            if not 1 <= version <= FORMAT_VERSION:
                raise ValueError(f"{self.path} has format_version {version}; this reader "
                                 f"knows 1 to {FORMAT_VERSION}")
            if int(attrs.get("complete", 0)) != 1:
                raise ValueError(f"{self.path} is incomplete (complete != 1): "
                                 "the run that wrote it did not finish")
            self.attrs = attrs
            self.assets = list(attrs["assets"])
            self.units = {}

            summary = f["summary"]
            self.summary = pd.DataFrame(_columns(summary))
            self.units.update({k: _text(summary[k].attrs["unit"])
                               for k in self.summary.columns})

            by_asset = summary["by_asset"]
            n_rows, n_assets = len(self.summary), len(self.assets)
            long = {
                "point": np.repeat(self.summary["point"].to_numpy(), n_assets),
                "path": np.repeat(self.summary["path"].to_numpy(), n_assets),
                "asset": self._asset_names(np.tile(np.arange(n_assets), n_rows)),
            }
            self.by_asset_units = {}
            for name, ds in by_asset.items():
                long[name] = ds[()].reshape(n_rows * n_assets)
                self.by_asset_units[name] = _text(ds.attrs["unit"])
            self.by_asset = pd.DataFrame(long)

            self.sweep, self.sweep_keys, self.sweep_axes, self.sweep_units = None, [], {}, {}
            if "sweep" in f:
                columns = _columns(f["sweep"])
                n_points = len(next(iter(columns.values()))) if columns else 0
                self.sweep = pd.DataFrame({"point": np.arange(n_points, dtype=np.int32),
                                           **columns})
                self.sweep_keys = list(columns)
                for key in self.sweep_keys:
                    ds = f["sweep"][key]
                    self.sweep_axes[key] = int(ds.attrs.get("axis", self.sweep_keys.index(key)))
                    self.sweep_units[key] = _text(ds.attrs["unit"])
            shard_keys = ("shard_index", "shard_count", "row_begin", "row_end", "rows_total")
            self.shard = ({k: attrs[k] for k in shard_keys} if "shard_index" in attrs else None)

            if "timeseries" in f:
                ts = f["timeseries"]
                self.timeseries_paths = pd.DataFrame(
                    {"point": ts["point"][()], "path": ts["path"][()]})
                self.time = ts["time"][()] if "time" in ts else None
                self.timeseries_metrics = [k for k in ts.keys()
                                           if k not in ("point", "path", "time")]
            else:
                self.timeseries_paths = None
                self.time = None
                self.timeseries_metrics = []

            if "events/liquidations" in f:
                events = pd.DataFrame(_columns(f["events/liquidations"]))
                events["asset"] = self._asset_names(events["asset"].to_numpy())
                self.events = events
            else:
                self.events = None

            initial = f["positions/initial"]
            accounts = [_text(a) for a in initial.attrs["accounts"]]
            positions = pd.DataFrame(_columns(initial, keep_dimensions=True))
            positions["asset"] = self._asset_names(positions["asset"].to_numpy())
            positions["account"] = pd.Categorical.from_codes(
                positions["account"].to_numpy(), categories=accounts)
            self.positions = positions
            self.accounts = accounts

    def _asset_names(self, codes):
        return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64),
                                         categories=self.assets)

    def timeseries(self, metric):
        """numpy array [recorded path, step, asset] (or [recorded path, step] for series that
        are not per asset, e.g. insurance_fund); step row 0 is t = 0. See timeseries_paths for
        which (point, path) each row is."""
        if metric not in self.timeseries_metrics:
            raise KeyError(f"no time series {metric!r} in {self.path} "
                           f"(available: {', '.join(self.timeseries_metrics) or 'none'})")
        with h5py.File(self.path, "r") as f:
            return f["timeseries"][metric][()]

    def summary_with_sweep(self):
        """The summary with one column per swept key: each row's value at its point (for a plain
        run, the summary itself)."""
        if self.sweep is None:
            return self.summary.copy()
        return self.summary.merge(self.sweep, on="point", how="left", validate="many_to_one")

    def sweep_table(self, metric="liquidated_notional",
                    quantiles=(0.05, 0.25, 0.5, 0.75, 0.95)):
        """One row per point: the swept values, the number of paths and the mean and quantiles
        (columns p5, p25, p50, ...) of a summary metric over the point's paths."""
        if metric not in self.summary.columns:
            raise KeyError(f"no summary metric {metric!r} in {self.path}")
        grouped = self.summary.groupby("point")[metric]
        table = pd.DataFrame({"paths": grouped.size(), "mean": grouped.mean()})
        for q in quantiles:
            table[f"p{100 * q:g}"] = grouped.quantile(q)
        table = table.reset_index()
        if self.sweep is not None:
            table = self.sweep.merge(table, on="point", how="right")
        return table

    def to_xarray(self, part="summary"):
        """The results as an xarray.Dataset with named dimensions, read through h5netcdf (the
        file's netCDF-4 dimension scales):

        - "summary": every /summary metric on dimensions (point, path); for a sweep, each swept
          key is a coordinate along point (ds.sel(point=2), ds.liquidated_notional.quantile(0.95,
          dim="path"), ds.swap_dims(point=KEY) for a one-axis sweep);
        - "by_asset": the /summary/by_asset metrics on (point, path, asset), asset names as the
          asset coordinate;
        - "timeseries": the recorded series on (recorded_path, step, asset) with time, point and
          path as coordinates.

        Rows missing from the grid (a shard) are NaN."""
        import xarray as xr  # only here: the rest of the module needs no xarray

        def group(name):
            return xr.open_dataset(self.path, group=name, engine="h5netcdf").load()

        if part == "timeseries":
            if self.timeseries_paths is None:
                raise KeyError(f"{self.path} has no recorded time series")
            return group("timeseries").assign_coords(asset=("asset", self.assets))
        if part == "summary":
            ds = group("summary")
        elif part == "by_asset":
            rows = group("summary")
            ds = group("summary/by_asset").assign_coords(
                point=("row", rows["point"].values), path=("row", rows["path"].values),
                asset=("asset", self.assets))
        else:
            raise ValueError(f"part must be summary, by_asset or timeseries, not {part!r}")
        ds = _rows_to_grid(ds, xr)
        if self.sweep is not None:
            at = self.sweep.set_index("point").loc[ds["point"].values]
            ds = ds.assign_coords({k: ("point", at[k].to_numpy()) for k in self.sweep_keys})
        ds.attrs = {k: v for k, v in self.attrs.items() if k != "scenario_yaml"}
        return ds

    def unit(self, dataset):
        """The `unit` attribute of any dataset, e.g. unit('/timeseries/mark_price')."""
        with h5py.File(self.path, "r") as f:
            return _text(f[dataset].attrs["unit"])


def _rows_to_grid(ds, xr):
    """Dimension `row` (with coordinates point and path) -> dimensions (point, path). Integer
    metrics stay integers when every (point, path) is present; cells of a partial grid (a
    shard) are NaN."""
    point, path = ds["point"].values, ds["path"].values
    points, pi = np.unique(point, return_inverse=True)
    paths, qi = np.unique(path, return_inverse=True)
    complete = len(point) == len(points) * len(paths)
    out = {}
    for name, var in ds.data_vars.items():
        var = var.transpose("row", ...)
        dtype = var.dtype if complete else np.result_type(var.dtype, np.float64)
        grid = np.empty((len(points), len(paths)) + var.shape[1:], dtype=dtype)
        if not complete:
            grid[...] = np.nan
        grid[pi, qi] = var.values
        out[name] = (("point", "path") + var.dims[1:], grid, var.attrs)
    coords = {"point": points, "path": paths}
    coords.update({k: ds.coords[k] for k in ds.coords if "row" not in ds.coords[k].dims})
    return xr.Dataset(out, coords=coords)


def load(path):
    """Reads a complete results file; raises ValueError for other or incomplete files."""
    return Results(path)


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUT.h5", file=sys.stderr)
        return 2
    try:
        r = load(argv[1])
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    a = r.attrs
    print(f"{r.path}: scenario {a.get('scenario_name') or '(unnamed)'}, "
          f"{a['paths']} paths x {a['steps']} steps of {a['dt']} s, seed {a['seed']}, "
          f"assets {', '.join(r.assets)}")
    if r.shard:
        print(f"shard {r.shard['shard_index']}/{r.shard['shard_count']}: rows "
              f"[{r.shard['row_begin']}, {r.shard['row_end']}) of {r.shard['rows_total']}")
    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(r.summary.drop(columns=["point", "path"]).describe().T)
        if r.sweep is not None:
            print("\nliquidated notional per point (USD):")
            print(r.sweep_table().to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
