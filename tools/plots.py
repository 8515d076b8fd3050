#!/usr/bin/python3
"""Plots of a Cascade results file, as PNG files (docs/analysis.md).

    tools/plots.py OUT.h5 --out plots/                    # every plot that applies
    tools/plots.py OUT.h5 --out plots/ --kind sweep_curve --kind loss_ccdf
    tools/plots.py OUT.h5 --out plots/ --point 3          # fan chart etc. of sweep point 3

Kinds (file names are KIND.png):

    loss_ccdf        CCDF of the liquidated notional per path, P(L > x), one curve per sweep point
    sweep_curve      a summary metric against the first swept key (or --x): median with 25-75 %
                     and 5-95 % bands over paths; over a grid, one curve (median, 25-75 %) per
                     value of the other axes, at most 8 (sweeps only)
    price_fan        mark price / start price over time, percentile bands over the recorded
                     paths, one panel per asset (needs recorded time series)
    liquidation_map  notional of the initial book by liquidation price (distance from the start
                     price), longs below and shorts above, one panel per asset
    cascade_depth    histogram of the deepest cascade (rounds in one step) per path
    insurance_fund   insurance fund over time on the recorded paths, and percentiles of its
                     minimum and final value over all paths (per sweep point)

Without --kind, every kind that the file has data for is drawn and the others are listed as
skipped; an explicitly requested kind that does not apply is an error (exit 2).

As a module: ``plots.sweep_curve(results, ax)`` etc. draw on a matplotlib Axes (or a Figure for
the multi-panel kinds); ``results`` is ``cascade_results.load(path)``.
Uses h5py, numpy, pandas and matplotlib from Debian (python3-matplotlib), Agg backend.
"""

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cascade_results  # noqa: E402

KINDS = ("loss_ccdf", "sweep_curve", "price_fan", "liquidation_map", "cascade_depth",
         "insurance_fund")
MAX_CURVES = 8


class NotApplicable(Exception):
    """The file has no data for this kind of plot."""


def _usd_axis(axis):
    """Tick labels like 1.5M, 20k on a USD axis."""
    def fmt(x, _pos):
        a = abs(x)
        for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                return f"{x / div:g}{suffix}"
        return f"{x:g}"
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(fmt))


def _point_label(r, point):
    if r.sweep is None:
        return "all paths"
    row = r.sweep.loc[r.sweep["point"] == point].iloc[0]
    parts, seen = [], set()
    for key in r.sweep_keys:
        if r.sweep_axes[key] in seen:
            continue
        seen.add(r.sweep_axes[key])
        parts.append(f"{key.split('.')[-1]}={row[key]:g}")
    return ", ".join(parts)


def _shown_points(r):
    """The points drawn as separate curves: all, or at most MAX_CURVES evenly spaced."""
    points = sorted(r.summary["point"].unique())
    if len(points) <= MAX_CURVES:
        return points
    picks = np.linspace(0, len(points) - 1, MAX_CURVES).round().astype(int)
    return [points[i] for i in sorted(set(picks))]


def _title(r, what):
    name = r.attrs.get("scenario_name") or os.path.basename(r.path)
    return f"{name}: {what}"


def loss_ccdf(r, ax, metric="liquidated_notional"):
    """P(L > x) of a summary metric over paths, log-log, one curve per (shown) sweep point."""
    drawn = 0
    for point in _shown_points(r):
        values = np.sort(r.summary.loc[r.summary["point"] == point, metric].to_numpy())
        values = values[np.isfinite(values) & (values > 0)]
        if values.size == 0:
            continue
        n = len(r.summary.loc[r.summary["point"] == point])
        ccdf = 1.0 - np.arange(1, values.size + 1) / n  # P(L > x) just after each order statistic
        ccdf = np.concatenate([[values.size / n], ccdf[:-1]])  # P(L >= x) at x, step plot
        ax.step(values, ccdf, where="post", label=_point_label(r, point))
        drawn += 1
    if drawn == 0:
        raise NotApplicable(f"no path has a positive {metric}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"{metric} per path ({r.units.get(metric, '')})")
    ax.set_ylabel("P(loss ≥ x)")
    ax.grid(True, which="both", alpha=0.3)
    if r.sweep is not None or drawn > 1:
        ax.legend(fontsize="small", title="sweep point" if r.sweep is not None else None)
    ax.set_title(_title(r, f"distribution of {metric} (CCDF over paths)"))


def sweep_curve(r, ax, metric="liquidated_notional", x=None):
    """A summary metric against one swept key: median line, 25-75 % and 5-95 % bands."""
    if r.sweep is None:
        raise NotApplicable("not a sweep (no /sweep group)")
    x = x or r.sweep_keys[0]
    if x not in r.sweep_keys:
        raise ValueError(f"--x {x!r} is not a swept key (swept: {', '.join(r.sweep_keys)})")
    table = r.sweep_table(metric)
    others = [k for k in r.sweep_keys if r.sweep_axes[k] != r.sweep_axes[x]]
    # One key per other axis identifies a curve.
    curve_keys, seen = [], set()
    for k in others:
        if r.sweep_axes[k] not in seen:
            seen.add(r.sweep_axes[k])
            curve_keys.append(k)
    if not curve_keys:
        groups = [((), table)]
    elif len(curve_keys) == 1:
        groups = [((v,), g) for v, g in table.groupby(curve_keys[0])]
    else:
        groups = list(table.groupby(curve_keys))
    if len(groups) > MAX_CURVES:
        picks = np.linspace(0, len(groups) - 1, MAX_CURVES).round().astype(int)
        groups = [groups[i] for i in sorted(set(picks))]
    for values, group in groups:
        group = group.sort_values(x)
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(f"{k.split('.')[-1]}={v:g}" for k, v in zip(curve_keys, values))
        line, = ax.plot(group[x], group["p50"], marker="o", label=(label or "median") +
                        (" (median)" if label else ""))
        ax.fill_between(group[x], group["p25"], group["p75"], color=line.get_color(), alpha=0.3,
                        linewidth=0, label="25–75 %" if not label else None)
        if len(groups) == 1:  # several curves' outer bands would hide each other
            ax.fill_between(group[x], group["p5"], group["p95"], color=line.get_color(),
                            alpha=0.12, linewidth=0, label="5–95 %")
    xs = table[x].to_numpy(dtype=float)
    if np.all(xs > 0) and xs.max() / xs.min() >= 10:
        ax.set_xscale("log")
        ax.set_xticks(sorted(set(xs)))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    unit = r.sweep_units.get(x, "")
    together = [k for k in r.sweep_keys if k != x and r.sweep_axes[k] == r.sweep_axes[x]]
    ax.set_xlabel(f"{x}" + (f" ({unit})" if unit and unit != "as the scenario key" else "") +
                  (f", with {len(together)} more key{'s' if len(together) > 1 else ''} "
                   "at the same value" if together else ""))
    ax.set_ylabel(f"{metric} per path ({r.units.get(metric, '')})")
    if r.units.get(metric) == "USD":
        _usd_axis(ax.yaxis)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    paths = int(r.attrs["paths"])
    ax.set_title(_title(r, f"{metric} vs {x.split('.')[-1]} ({paths} paths per point)"))


def _recorded(r, point):
    if r.timeseries_paths is None or len(r.timeseries_paths) == 0:
        raise NotApplicable("no recorded time series (output.timeseries_paths)")
    rows = np.flatnonzero(r.timeseries_paths["point"].to_numpy() == point)
    if rows.size == 0:
        raise NotApplicable(f"no recorded path at sweep point {point}")
    return rows


def price_fan(r, fig, point=0):
    """Mark price relative to the start over time: median, 25-75 % and 5-95 % bands over the
    recorded paths of one point, one panel per asset."""
    rows = _recorded(r, point)
    mark = r.timeseries("mark_price")[rows]  # [path, step, asset]
    hours = r.time / 3600.0
    n = len(r.assets)
    cols = min(n, 3)
    axes = fig.subplots((n + cols - 1) // cols, cols, squeeze=False).ravel()
    for k, asset in enumerate(r.assets):
        ax = axes[k]
        rel = mark[:, :, k] / mark[:, :1, k]
        if rel.shape[0] >= 3:
            q = np.percentile(rel, [5, 25, 50, 75, 95], axis=0)
            ax.fill_between(hours, q[0], q[4], alpha=0.15, color="C0", linewidth=0, label="5–95 %")
            ax.fill_between(hours, q[1], q[3], alpha=0.3, color="C0", linewidth=0, label="25–75 %")
            ax.plot(hours, q[2], color="C0", label="median")
        for path in rel[:10]:
            ax.plot(hours, path, color="0.4", linewidth=0.5, alpha=0.6)
        ax.set_title(asset)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.grid(True, alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel("mark / start price")
        if k >= n - cols:
            ax.set_xlabel("time (h)")
    for ax in axes[n:]:
        ax.set_visible(False)
    if rel.shape[0] >= 3:
        axes[0].legend(fontsize="small")
    suffix = f", point {point}: {_point_label(r, point)}" if r.sweep is not None else ""
    fig.suptitle(_title(r, f"price fan over {len(rows)} recorded paths{suffix}"))


def _start_prices(r):
    """Start price per asset: the index price at t = 0 of a recorded path, else the
    notional-weighted median entry price of the initial book."""
    if r.timeseries_paths is not None and len(r.timeseries_paths) and \
            "index_price" in r.timeseries_metrics:
        return r.timeseries("index_price")[0, 0, :]
    prices = []
    for asset in r.assets:
        pos = r.positions[r.positions["asset"] == asset]
        if pos.empty:
            prices.append(np.nan)
            continue
        order = np.argsort(pos["entry_price"].to_numpy())
        w = (pos["size"] * pos["entry_price"]).to_numpy()[order]
        prices.append(pos["entry_price"].to_numpy()[order][np.searchsorted(np.cumsum(w), w.sum() / 2)])
    return np.array(prices)


def liquidation_map(r, fig, bucket=1.0, span=50.0):
    """Initial-book notional by liquidation price, in buckets of `bucket` % of the start price
    within +-`span` %: longs (liquidated as the price falls) and shorts, one panel per asset."""
    pos = r.positions
    if pos.empty or not np.isfinite(pos["liquidation_price"]).any():
        raise NotApplicable("the initial book has no liquidation prices")
    start = _start_prices(r)
    n = len(r.assets)
    cols = min(n, 3)
    axes = fig.subplots((n + cols - 1) // cols, cols, squeeze=False).ravel()
    edges = np.arange(-span, span + bucket / 2, bucket)
    centers = 0.5 * (edges[1:] + edges[:-1])
    for k, asset in enumerate(r.assets):
        ax = axes[k]
        p = pos[(pos["asset"] == asset) & np.isfinite(pos["liquidation_price"])]
        dist = 100.0 * (p["liquidation_price"].to_numpy() / start[k] - 1.0)
        notional = (p["size"] * p["entry_price"]).to_numpy()
        for side, color, label in ((1, "C3", "longs"), (-1, "C2", "shorts")):
            sel = p["side"].to_numpy() == side
            hist, _ = np.histogram(dist[sel], bins=edges, weights=notional[sel])
            ax.bar(centers, hist, width=bucket * 0.9, color=color, label=label)
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_title(f"{asset} (start {start[k]:.6g} USD)")
        ax.set_xlabel("liquidation price vs start (%)")
        if k % cols == 0:
            ax.set_ylabel(f"notional per {bucket:g} % bucket (USD)")
        _usd_axis(ax.yaxis)
        ax.grid(True, alpha=0.3)
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize="small")
    where = " (sweep point 0)" if r.sweep is not None else ""
    fig.suptitle(_title(r, f"liquidation map of the initial book{where}"))


def cascade_depth(r, ax):
    """Histogram of max_cascade_depth per path, side by side per (shown) sweep point."""
    depth = r.summary["max_cascade_depth"].to_numpy()
    if depth.size == 0:
        raise NotApplicable("no paths")
    points = _shown_points(r)
    top = int(np.nanmax(depth)) if np.isfinite(depth).any() else 0
    bins = np.arange(0, top + 2)
    width = 0.8 / len(points)
    for i, point in enumerate(points):
        d = r.summary.loc[r.summary["point"] == point, "max_cascade_depth"].to_numpy()
        hist, _ = np.histogram(d, bins=bins - 0.5)
        share = hist / max(len(d), 1)
        ax.bar(bins[:-1] - 0.4 + width * (i + 0.5), share, width=width,
               label=_point_label(r, point))
    ax.set_xlabel("deepest cascade in one step (rounds)")
    ax.set_ylabel("share of paths")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.grid(True, axis="y", alpha=0.3)
    if r.sweep is not None:
        ax.legend(fontsize="small", title="sweep point")
    ax.set_title(_title(r, "cascade depth per path"))


def insurance_fund(r, fig, point=0):
    """Left: the insurance fund over time on the recorded paths of one point. Right: its minimum
    and final value over all paths, as percentile bars per (shown) sweep point."""
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    try:
        rows = _recorded(r, point)
        fund = r.timeseries("insurance_fund")[rows]
        hours = r.time / 3600.0
        for path in fund:
            left.plot(hours, path, linewidth=0.8)
        left.set_xlabel("time (h)")
        left.set_ylabel("insurance fund (USD)")
        _usd_axis(left.yaxis)
        left.grid(True, alpha=0.3)
        suffix = f", point {point}" if r.sweep is not None else ""
        left.set_title(f"{len(rows)} recorded paths{suffix}")
    except NotApplicable as e:
        left.text(0.5, 0.5, str(e), ha="center", va="center", transform=left.transAxes)
        left.set_axis_off()
    points = _shown_points(r)
    for i, point_i in enumerate(points):
        for j, (metric, color) in enumerate((("insurance_fund_min", "C3"),
                                             ("insurance_fund_final", "C0"))):
            v = r.summary.loc[r.summary["point"] == point_i, metric].to_numpy()
            if not np.isfinite(v).any():
                continue
            q = np.nanpercentile(v, [5, 25, 50, 75, 95])
            xpos = i + (j - 0.5) * 0.3
            right.vlines(xpos, q[0], q[4], color=color, linewidth=1)
            right.vlines(xpos, q[1], q[3], color=color, linewidth=6,
                         label=(metric.replace("insurance_fund_", "") if i == 0 else None))
            right.plot(xpos, q[2], "o", color="white", markeredgecolor=color, markersize=5)
    right.set_xticks(range(len(points)))
    right.set_xticklabels([_point_label(r, p) for p in points], rotation=30, ha="right",
                          fontsize="small")
    right.set_ylabel("insurance fund (USD)")
    _usd_axis(right.yaxis)
    right.grid(True, axis="y", alpha=0.3)
    right.legend(fontsize="small")
    right.set_title("min and final per path (5–95 %)")
    fig.suptitle(_title(r, "insurance fund"))


def draw(r, kind, path, metric="liquidated_notional", x=None, point=0):
    """Draws one kind into the PNG file `path`; raises NotApplicable when the file lacks data."""
    wide = kind in ("price_fan", "liquidation_map")
    n = len(r.assets)
    size = (min(n, 3) * 4.5, ((n + 2) // 3) * 3.6 + 0.6) if wide else (9, 5)
    fig = plt.figure(figsize=size)
    try:
        if kind == "loss_ccdf":
            loss_ccdf(r, fig.add_subplot(), metric)
        elif kind == "sweep_curve":
            sweep_curve(r, fig.add_subplot(), metric, x)
        elif kind == "price_fan":
            price_fan(r, fig, point)
        elif kind == "liquidation_map":
            liquidation_map(r, fig)
        elif kind == "cascade_depth":
            cascade_depth(r, fig.add_subplot())
        elif kind == "insurance_fund":
            insurance_fund(r, fig, point)
        else:
            raise ValueError(f"unknown kind {kind!r}")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="a complete cascade results file (.h5)")
    parser.add_argument("--out", required=True, help="directory for the PNG files (created)")
    parser.add_argument("--kind", action="append", choices=KINDS,
                        help="plot to draw (repeatable; default: every one that applies)")
    parser.add_argument("--metric", default="liquidated_notional",
                        help="summary metric of loss_ccdf and sweep_curve")
    parser.add_argument("--x", help="swept key on the x axis of sweep_curve (default: the first)")
    parser.add_argument("--point", type=int, default=0,
                        help="sweep point of price_fan and insurance_fund (default 0)")
    args = parser.parse_args(argv)

    try:
        r = cascade_results.load(args.results)
    except (OSError, ValueError) as e:
        print(f"plots.py: error: {e}", file=sys.stderr)
        return 2
    if args.metric not in r.summary.columns:
        print(f"plots.py: error: no summary metric {args.metric!r}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    status = 0
    for kind in args.kind or KINDS:
        path = os.path.join(args.out, kind + ".png")
        try:
            draw(r, kind, path, args.metric, args.x, args.point)
            print(path)
        except NotApplicable as e:
            if args.kind:
                print(f"plots.py: error: {kind}: {e}", file=sys.stderr)
                status = 2
            else:
                print(f"skipped {kind}: {e}", file=sys.stderr)
        except ValueError as e:
            print(f"plots.py: error: {kind}: {e}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
