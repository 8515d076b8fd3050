#!/usr/bin/python3
"""Rolling correlation of simulated log-returns between pairs of assets, with regime switches.

    tools/plot_rolling_correlation.py RESULTS.h5 -o plot.png
        [--pair BTC/PAXG ...] [--window-days 30] [--price index|mark]

Reads the recorded paths' prices (/timeseries/index_price, or mark_price), computes for each
pair and each recorded path the correlation of step log-returns over a trailing window
(30 days by default), and plots them: thin lines per path, a thick line for the mean over
paths, a dashed line for the correlation the scenario sets in each regime, and a vertical line
at every regime switch (read from the root attribute `scenario_yaml`). A top panel shows the
index of the first recorded path, normalised to 1 at the start, for the assets of the pairs.

Without --pair: BTC/PAXG, ETH/PAXG and BTC/<first AI-group asset> when those assets exist, else
the first two assets. The index measures the scenario's exogenous correlation (plus any
index_coupling leak); the mark adds the book's impact, so cascades show up as wicks.

As a module: rolling_correlation(), log_returns(), regimes(), scenario_correlation().
Uses h5py, numpy, matplotlib, PyYAML (Debian: python3-h5py python3-matplotlib python3-yaml).
"""

import argparse
import os
import sys

import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cascade_results  # noqa: E402  (tools/cascade_results.py)


def rolling_correlation(x, y, window):
    """Pearson correlation of x and y over trailing windows of `window` samples.

    Returns an array as long as x; entry i uses samples i-window+1 .. i (NaN before the first
    full window). Sums are taken over each window directly from cumulative sums of centred data,
    so the result does not drift over long series.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    out = np.full(x.shape, np.nan)
    if window < 3 or len(x) < window:
        return out
    x = x - x.mean()
    y = y - y.mean()

    def wsum(v):
        c = np.concatenate([[0.0], np.cumsum(v)])
        return c[window:] - c[:-window]

    n = float(window)
    sx, sy = wsum(x), wsum(y)
    sxy, sxx, syy = wsum(x * y), wsum(x * x), wsum(y * y)
    cov = sxy - sx * sy / n
    vx = sxx - sx * sx / n
    vy = syy - sy * sy / n
    with np.errstate(invalid="ignore", divide="ignore"):
        out[window - 1:] = cov / np.sqrt(vx * vy)
    return out


def path_mean(rolling):
    """Mean over paths ([path, step] -> [step]), NaN where no path has a full window."""
    finite = np.isfinite(rolling)
    count = finite.sum(axis=0)
    total = np.where(finite, rolling, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def log_returns(prices):
    """[path, step, asset] prices (step 0 = start) -> [path, step, asset] log-returns, steps 1.."""
    return np.diff(np.log(prices), axis=1)


def _scenario(results):
    text = results.attrs.get("scenario_yaml", "")
    return yaml.safe_load(text) if text else {}


def regimes(scenario):
    """[(from_s, correlation block)] with the base block at 0 (None when there is none)."""
    market = (scenario or {}).get("market") or {}
    out = [(0.0, market.get("correlation"))]
    for r in market.get("regimes") or []:
        out.append((float(r["from"]), r.get("correlation")))
    return out


def scenario_correlation(scenario, block, a, b):
    """The correlation a correlation block sets between assets a and b (docs/market.md:
    default, then groups, then matrix, then pairs; later entries win)."""
    if block is None:
        return 0.0
    groups = {k: list(v) for k, v in ((scenario or {}).get("groups") or {}).items()}

    def members(name):
        return groups.get(name, [name])

    rho = float(block.get("default", 0.0))
    for g, value in (block.get("groups") or {}).items():
        if a in groups.get(g, []) and b in groups.get(g, []):
            rho = float(value)
    order = block.get("assets")
    if order and a in order and b in order:
        rho = float(block["matrix"][order.index(a)][order.index(b)])
    for key, value in (block.get("pairs") or {}).items():
        left, right = key.split("/")
        if (a in members(left) and b in members(right)) or (b in members(left) and a in members(right)):
            rho = float(value)
    return rho


def default_pairs(assets, scenario):
    pairs = []
    groups = (scenario or {}).get("groups") or {}
    ai = [x for x in groups.get("ai", []) if x in assets]
    for a, b in (("BTC", "PAXG"), ("ETH", "PAXG"), ("BTC", ai[0] if ai else None)):
        if a in assets and b in assets:
            pairs.append((a, b))
    return pairs or [(assets[0], assets[1])]


def measure(path, pairs=None, window_days=30.0, price="index"):
    """Everything the plot shows, as numbers: a dict with time_days (end of each step), the
    window in steps, the pairs, rolling[pair] ([recorded path, step]), targets[pair]
    ([(from_days, rho)]), switches_days, prices ([path, step, asset]) and assets."""
    r = cascade_results.load(path)
    assets = list(r.attrs["assets"])
    dt = float(r.attrs["dt"])
    prices = r.timeseries(f"{price}_price")
    if prices is None or prices.size == 0:
        raise SystemExit(f"{path}: no recorded time series (output.timeseries_paths)")
    scenario = _scenario(r)
    pairs = pairs or default_pairs(assets, scenario)
    window = int(round(window_days * 86400.0 / dt))
    rets = log_returns(prices)
    steps = rets.shape[1]
    rolling, targets = {}, {}
    for a, b in pairs:
        for name in (a, b):
            if name not in assets:
                raise SystemExit(f"unknown asset '{name}' (the file's assets: {', '.join(assets)})")
        i, j = assets.index(a), assets.index(b)
        rolling[(a, b)] = np.array([rolling_correlation(p[:, i], p[:, j], window) for p in rets])
        targets[(a, b)] = [(f / 86400.0, scenario_correlation(scenario, blk, a, b))
                           for f, blk in regimes(scenario)]
    return {
        "time_days": np.arange(1, steps + 1) * dt / 86400.0,
        "window": window,
        "window_days": window_days,
        "pairs": pairs,
        "rolling": rolling,
        "targets": targets,
        "switches_days": [f / 86400.0 for f, _ in regimes(scenario)[1:]],
        "prices": prices,
        "assets": assets,
        "name": r.attrs.get("scenario_name", os.path.basename(path)),
        "price": price,
    }


def plot(m, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 1.6]})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    t0 = np.concatenate([[0.0], m["time_days"]])
    shown = []
    for a, b in m["pairs"]:
        shown += [x for x in (a, b) if x not in shown]
    for k, name in enumerate(shown):
        p = m["prices"][0, :, m["assets"].index(name)]
        top.plot(t0, p / p[0], lw=1.0, color=colors[k % len(colors)], label=name)
    top.set_yscale("log")
    top.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%.2g"))
    top.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%.2g"))
    top.tick_params(axis="y", which="minor", labelsize=7)
    top.set_ylabel(f"{m['price']} price / start\n(recorded path 0)")
    top.legend(loc="upper left", ncol=len(shown), fontsize=8)
    top.grid(alpha=0.3)

    end = m["time_days"][-1]
    for k, pair in enumerate(m["pairs"]):
        c = colors[(len(shown) + k) % len(colors)]  # not the colours of the assets above
        rolling = m["rolling"][pair]
        for series in rolling:
            bottom.plot(m["time_days"], series, color=c, lw=0.4, alpha=0.25)
        mean = path_mean(rolling)
        bottom.plot(m["time_days"], mean, color=c, lw=2.0,
                    label=f"{pair[0]}/{pair[1]} (mean of {len(rolling)} paths)")
        targets = m["targets"][pair]
        xs, ys = [], []
        for i, (start, rho) in enumerate(targets):
            stop = targets[i + 1][0] if i + 1 < len(targets) else end
            xs += [start, stop]
            ys += [rho, rho]
        bottom.plot(xs, ys, color=c, lw=1.0, ls="--")
    for s in m["switches_days"]:
        for ax in (top, bottom):
            ax.axvline(s, color="k", lw=1.0, ls=":")
        bottom.axvspan(s, s + m["window_days"], color="0.85", alpha=0.5, lw=0)
        bottom.annotate(f"regime switch, day {s:g}", (s, 1.0), xytext=(4, -12),
                        textcoords="offset points", fontsize=8)
    bottom.axhline(0.0, color="k", lw=0.5)
    bottom.set_ylim(-1.05, 1.05)
    bottom.set_xlim(0, end)
    bottom.set_xlabel("time (days)")
    bottom.set_ylabel(f"{m['window_days']:g}-day rolling correlation\nof {m['price']} log-returns")
    bottom.legend(loc="lower left", fontsize=8)
    bottom.grid(alpha=0.3)
    bottom.set_title("dashed: the scenario's correlation per regime; grey: windows straddling "
                     "the switch", fontsize=8)
    fig.suptitle(f"{m['name']}: rolling correlation", fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="a cascade results file (HDF5)")
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--pair", action="append", default=[], metavar="A/B",
                    help="assets to correlate (repeatable)")
    ap.add_argument("--window-days", type=float, default=30.0, help="rolling window (days)")
    ap.add_argument("--price", choices=["index", "mark"], default="index",
                    help="which price's log-returns (default: index)")
    args = ap.parse_args(argv)
    pairs = []
    for p in args.pair:
        if p.count("/") != 1:
            ap.error(f"--pair expects A/B, got '{p}'")
        pairs.append(tuple(p.split("/")))
    m = measure(args.results, pairs or None, args.window_days, args.price)
    plot(m, args.output)
    w = m["window"]
    for pair in m["pairs"]:
        mean = path_mean(m["rolling"][pair])
        dt_days = m["time_days"][0]
        at = [int(round(s / dt_days)) - 1 for s in m["switches_days"]]  # last step before it
        text = f"{pair[0]}/{pair[1]}: end {mean[-1]:+.2f}"
        if at and 0 <= at[0] < len(mean) and at[0] >= w - 1:
            text = f"{pair[0]}/{pair[1]}: window ending at the switch {mean[at[0]]:+.2f}, " + text
        print(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
