#!/usr/bin/python3
"""A vectorised numpy full-scan peer of `cascade run` on bench/scenarios/stress.yaml.

What a competent numpy engine would do with the same work: the same populations (per asset:
count, side share, lognormal notional and leverage, tiered maintenance margin, stop-losses,
margin calls answered by top-ups), the same steps (dt, steps, paths), correlated prices with the
scenario's shocks, arrivals and funding every 8 hours, and within every step rounds of
liquidations, stop-losses and margin calls with a linear price impact that the book refills until a round
triggers nothing (at most 50; the price moves 0.3 % per depth_1pct of net notional, which gives a path about the
event counts of cascade's (a check of the peer, not of cascade)). Instead of threshold heaps it scans: every round compares every
position's liquidation, stop and margin-call price with its asset's mark (positions are stored
by asset and side in contiguous slices, closed ones moved to +-inf, so a scan is one comparison
per threshold and position, no gather and no mask).

It is a peer for timing, not a reference for outcomes: its market and agents are simplified
(no order-book refill, no insurance fund or ADL, no panic sellers), so its numbers are not
cascade's. docs/performance.md ("The numpy peer") has the command that times both side by side:

    bench/numpy_peer.py --paths 8 --cascade build/release/cascade --threads 1
"""
import argparse
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
# cascade's depth classes (sim/scenario/sections/assets.cpp): depth for a 1 % move, USD, and refill time, s
DEPTH = {"major": 4.0e7, "large_cap": 1.5e7, "mid_cap": 1.0e6, "small_cap": 1.5e5}
REFILL = {"major": 300.0, "large_cap": 300.0, "mid_cap": 900.0, "small_cap": 1800.0}


def population_of(sc, name, spec):
    pop = {}
    for group, members in sc.get("groups", {}).items():
        if name in members:
            pop.update(sc["population"]["groups"].get(group, {}))
    pop.update(spec.get("population", {}))
    return pop


def correlation(sc, names):
    m = sc["market"]["correlation"]
    group_of = {a: g for g, members in sc["groups"].items() for a in members}
    n = len(names)
    c = np.full((n, n), float(m.get("default", 0.0)))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ga, gb = group_of.get(a), group_of.get(b)
            if ga is not None and ga == gb:
                c[i, j] = m["groups"].get(ga, c[i, j])
            for key, v in m.get("pairs", {}).items():
                x, y = key.split("/")
                if {x, y} == {ga or a, gb or b} or {x, y} == {a, b}:
                    c[i, j] = v
    np.fill_diagonal(c, 1.0)
    return np.linalg.cholesky(c)


class Side:
    """The positions of one asset and side, with room for the arrivals of a path."""

    def __init__(self, n, capacity, sign):
        self.sign = sign
        self.n = n
        self.size = np.zeros(capacity)
        self.entry = np.zeros(capacity)
        self.margin = np.zeros(capacity)
        self.mmr = np.zeros(capacity)
        self.top_up = np.zeros(capacity, dtype=bool)
        self.open = np.zeros(capacity, dtype=bool)
        self.far = np.inf if sign < 0 else -np.inf  # a threshold that never triggers
        self.liq = np.full(capacity, self.far)
        self.stop = np.full(capacity, self.far)
        self.call = np.full(capacity, self.far)

    def reprice(self, i, warning):
        self.open[i] = True
        s, n, e, m, r = self.sign, self.size[i], self.entry[i], self.margin[i], self.mmr[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.liq[i] = np.maximum((s * n * e - m) / (n * (s - r)), 0.0) if s > 0 else (s * n * e - m) / (n * (s - r))
            self.call[i] = (s * n * e - m) / (n * (s - r / warning))

    def crossed(self, mark, column):
        v = column[: self.n]
        return np.flatnonzero(v >= mark if self.sign > 0 else v <= mark)


def sample(rng, n, pop, price, vol, tiers, at_price=None):
    lev_mean = pop.get("leverage_mean", 10.0)
    lev_disp = pop.get("leverage_dispersion", 0.5)
    notional = pop.get("notional_median", 2000.0) * np.exp(pop.get("notional_dispersion", 1.0) * rng.standard_normal(n))
    floors = np.array([t["floor"] for t in tiers], dtype=float)
    tier = np.searchsorted(floors, notional, side="right") - 1
    max_lev = np.array([t["max_leverage"] for t in tiers], dtype=float)[tier]
    mmr = np.array([t["mmr"] for t in tiers], dtype=float)[tier]
    lev = np.clip(np.exp(np.log(lev_mean) - 0.5 * lev_disp**2 + lev_disp * rng.standard_normal(n)), 1.0, max_lev)
    if at_price:
        entry = np.full(n, price)
    elif pop.get("entry_days", 0.0) > 0.0:  # the price of a Brownian path back at a uniform age
        age = rng.random(n) * pop["entry_days"] / 365.0
        entry = price * np.exp(-pop.get("entry_trend", 0.0) * age + vol * np.sqrt(age) * rng.standard_normal(n))
    else:
        entry = price * np.exp(pop.get("entry_spread", 0.02) * rng.standard_normal(n))
    long = rng.random(n) < pop.get("long_share", 0.5)
    stop_d = np.minimum(0.95, pop.get("stop_distance", 0.05) * np.exp(pop.get("stop_dispersion", 0.4) * rng.standard_normal(n)))
    has_stop = rng.random(n) < pop.get("stop_share", 0.0)
    return long, notional / entry, entry, notional / lev, mmr, stop_d, has_stop


def build(sc, rng, names, arrivals_room):
    """Per asset, (long side, short side)."""
    books = []
    for k, name in enumerate(names):
        spec = sc["assets"][name]
        pop = population_of(sc, name, spec)
        n = int(pop.get("count", 0))
        long, size, entry, margin, mmr, stop_d, has_stop = sample(rng, n, pop, spec["price"], spec["volatility"], spec["tiers"])
        calls = pop.get("margin_call", {})
        warning = calls.get("warning_ratio", 0.8)
        sides = []
        for sign, mask in ((1, long), (-1, ~long)):
            m = int(mask.sum())
            s = Side(m, m + arrivals_room[k], sign)
            idx = np.arange(m)
            s.size[:m], s.entry[:m], s.margin[:m], s.mmr[:m] = size[mask], entry[mask], margin[mask], mmr[mask]
            s.top_up[:m] = rng.random(m) < calls.get("top_up", 0.0)
            s.reprice(idx, warning)
            # A draw already past its liquidation price at the start would have closed: it
            # enters at the start price instead (as cascade's sampler does after its redraws).
            gone = idx[s.crossed(spec["price"], s.liq)[:m]] if m else idx
            s.entry[gone] = spec["price"]
            s.reprice(gone, warning)
            stops = np.where(has_stop[mask], entry[mask] * (1.0 - sign * stop_d[mask]), s.far)
            s.stop[:m] = stops
            s.stop[s.crossed(spec["price"], s.stop)] = s.far  # a stop already crossed: no stop
            sides.append(s)
        books.append((sides, pop, warning))
    return books


def run_path(sc, names, chol, path, seed):
    rng = np.random.default_rng([seed, path])
    dt = float(sc["dt"])
    steps = int(sc["steps"])
    day_steps = 86400.0 / dt
    room = []
    for name in names:
        pop = population_of(sc, name, sc["assets"][name])
        room.append(int(pop.get("arrivals_per_day", 0) * steps / day_steps * 1.5) + 16)
    books = build(sc, rng, names, room)
    fundamental = np.array([float(sc["assets"][a]["price"]) for a in names])
    displacement = np.zeros(len(names))  # log of mark / fundamental, from the rounds' orders
    vol = np.array([float(sc["assets"][a]["volatility"]) for a in names])
    depth = np.array([float(sc["assets"][a]["book"].get("depth_1pct", DEPTH.get(sc["assets"][a]["book"].get("depth_class"), 1e6))) for a in names])
    refill = np.exp(-dt / np.array([float(sc["assets"][a]["book"].get("tau_refill", REFILL.get(sc["assets"][a]["book"].get("depth_class"), 300.0))) for a in names]))
    group_of = {a: g for g, members in sc["groups"].items() for a in members}
    drift = np.zeros((steps, len(names)))
    for shock in sc.get("shocks", []):
        first, over = int(shock["at"] / dt), max(1, int(shock["over"] / dt))
        for k, a in enumerate(names):
            if group_of.get(a) == shock.get("group") or a == shock.get("asset"):
                drift[first:first + over, k] += math.log1p(shock["move"]) / over
    sigma = vol * math.sqrt(dt / (365.0 * 86400.0))
    funding_every = int(8 * 3600 / dt)
    counts = {"liquidations": 0, "stops": 0, "margin_calls": 0, "arrivals": 0}
    liquidated = 0.0
    for t in range(steps):
        fundamental *= np.exp(drift[t] - 0.5 * sigma**2 + sigma * (chol @ rng.standard_normal(len(names))))
        displacement *= refill  # the book refills towards the fundamental
        price = fundamental * np.exp(displacement)
        for k, (sides, pop, warning) in enumerate(books):
            arrivals = rng.poisson(pop.get("arrivals_per_day", 0.0) / day_steps)
            if arrivals:
                long, size, entry, margin, mmr, stop_d, has_stop = sample(rng, arrivals, pop, price[k], vol[k], sc["assets"][names[k]]["tiers"], at_price=True)
                for s, mask in zip(sides, (long, ~long)):
                    m = int(mask.sum())
                    if m == 0 or s.n + m > s.size.size:
                        continue
                    idx = np.arange(s.n, s.n + m)
                    s.size[idx], s.entry[idx], s.margin[idx], s.mmr[idx] = size[mask], entry[mask], margin[mask], mmr[mask]
                    s.stop[idx] = np.where(has_stop[mask], entry[mask] * (1.0 - s.sign * stop_d[mask]), s.far)
                    s.n += m
                    s.reprice(idx, warning)
                counts["arrivals"] += arrivals
            if t % funding_every == funding_every - 1:
                for s in sides:
                    held = np.flatnonzero(s.open[: s.n])
                    s.margin[held] -= s.sign * 1e-4 * s.size[held] * price[k]
                    s.reprice(held, warning)
            for _ in range(50):
                sold = 0.0  # net base units the round sells into the book
                for s in sides:
                    for column, what in ((s.liq, "liquidations"), (s.stop, "stops")):
                        hit = s.crossed(price[k], column)
                        if hit.size:
                            counts[what] += hit.size
                            sold += s.sign * s.size[hit].sum()
                            if what == "liquidations":
                                liquidated += s.size[hit].sum() * price[k]
                            s.liq[hit] = s.stop[hit] = s.call[hit] = s.far
                            s.open[hit] = False
                    hit = s.crossed(price[k], s.call)
                    if hit.size:
                        counts["margin_calls"] += hit.size
                        up = hit[s.top_up[hit]]
                        s.margin[up] *= 1.5
                        s.reprice(up, warning)
                        s.call[hit[~s.top_up[hit]]] = s.far
                if sold == 0.0:
                    break
                notional = abs(sold) * price[k]
                displacement[k] -= math.copysign(0.003 * notional / depth[k], sold)
                price[k] = fundamental[k] * math.exp(displacement[k])
    return counts, liquidated


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(HERE / "scenarios" / "stress.yaml"))
    ap.add_argument("--paths", type=int, default=8)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--steps", type=int, help="fewer steps than the scenario's, for a quick look (both programs)")
    ap.add_argument("--cascade", help="also time this cascade binary on the same scenario and paths")
    ap.add_argument("--threads", type=int, default=1, help="threads for the cascade run")
    args = ap.parse_args()
    sc = yaml.safe_load(Path(args.scenario).read_text())
    if args.steps:
        sc["steps"] = args.steps
    names = list(sc["assets"])
    chol = correlation(sc, names)
    t0, c0 = time.perf_counter(), time.process_time()
    for path in range(args.paths):
        counts, liquidated = run_path(sc, names, chol, path, args.seed)
        print(f"numpy peer: path {path} done at {time.perf_counter() - t0:.1f} s: {counts}, "
              f"liquidated {liquidated:.3g} USD", file=sys.stderr, flush=True)
    peer, peer_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"numpy peer: {args.paths} paths in {peer:.2f} s wall, {peer_cpu:.2f} s CPU")
    if args.cascade:
        out = "/tmp/numpy_peer_cascade.h5"
        t0, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([args.cascade, "run", args.scenario, "-o", out, "--force", "--quiet",
                        "--paths", str(args.paths), "--threads", str(args.threads),
                        "--set", f"steps={sc['steps']}"], check=True)
        ours, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
        ours_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        Path(out).unlink(missing_ok=True)
        print(f"cascade:    {args.paths} paths in {ours:.2f} s wall, {ours_cpu:.2f} s CPU "
              f"({args.threads} thread(s), the whole command)")
        # On a loaded machine wall times mostly measure the wait for a core: compare CPU times.
        print(f"ratio:      {peer / ours:.1f}x wall, {peer_cpu / ours_cpu:.1f}x CPU")


if __name__ == "__main__":
    main()
