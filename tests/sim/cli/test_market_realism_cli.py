#!/usr/bin/python3
"""Market realism end to end, as a user runs it (docs/market.md).

On the default scenario (scenarios/ai_token_crash.yaml), through `--set` and files:
- a `kind: bridge` shock pins the AI tokens' index at start x 0.6 at 6 h on every recorded path;
- `engine.intrastep_extremes` runs and conserves wealth; in one step the end values agree with a
  run without it and the lowest marks are lower (the wicks);
- `market.volatility_regimes` scales the index's realised volatility after its `from`;
- `exchange.funding.replay` runs and a CSV error is `file:line:col: error:` with exit 2, no file.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

EXE = os.environ["CASCADE_EXE"]
SRC = os.environ["CASCADE_SOURCE_DIR"]
SCEN = os.path.join(SRC, "scenarios", "ai_token_crash.yaml")
FAILURES = []
ENV = dict(os.environ, CASCADE_CHECK_INVARIANTS="1")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run(out, *sets, paths=8):
    args = [EXE, "run", SCEN, "-o", out, "-q", "--force", "--paths", str(paths)]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True, timeout=600, env=ENV)


with tempfile.TemporaryDirectory() as d:
    # Pinned paths: the index of every AI token is start x 0.6 at the end of step 72 (6 h).
    out = os.path.join(d, "bridge.h5")
    r = run(out, "shocks.0={kind: bridge, group: ai, to: -0.4, at: 21600}")
    check(r.returncode == 0, f"a bridge shock runs ({r.stderr.strip()})")
    with h5py.File(out) as f:
        names = [a.decode() if isinstance(a, bytes) else a for a in f.attrs["assets"]]
        idx = f["timeseries/index_price"][:]  # [path, step, asset]
        ai = [names.index(n) for n in ("FET", "TAO", "RENDER")]
        ratio = idx[:, 72, ai] / idx[:, 0, ai]
        check(bool(np.all(np.abs(ratio / 0.6 - 1) < 1e-9)),
              f"every recorded path's AI index is at 0.6 x start at 6 h (max error {np.abs(ratio / 0.6 - 1).max():.2g})")
        spread = idx[:, 36, ai[0]] / idx[:, 0, ai[0]]
        check(float(np.std(np.log(spread))) > 0.005, "half-way the pinned paths still differ (the bridge keeps its noise)")

    # Within-step extremes: same first-step end values, lower lows, conservation on every path.
    a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
    ra = run(a, "steps=1")
    rb = run(b, "steps=1", "engine.intrastep_extremes=true")
    check(ra.returncode == 0 and rb.returncode == 0, f"one step with and without extremes runs ({rb.stderr.strip()})")
    with h5py.File(a) as fa, h5py.File(b) as fb:
        ia, ib = fa["timeseries/index_price"][:], fb["timeseries/index_price"][:]
        check(bool(np.allclose(ia[:, 1, :], ib[:, 1, :], rtol=1e-12, atol=0)),
              "the first step's end index is the same with and without extremes")
        ma = fa["summary/by_asset/min_price_ratio"][:]
        mb = fb["summary/by_asset/min_price_ratio"][:]
        # The wick is below the end value on a falling or a rising step alike; the cascades at the
        # wick and at the end differ in what they leave in the book, so the check is on average.
        check(float(np.mean(mb)) < float(np.mean(ma)), f"with extremes the lowest marks are lower on average ({np.mean(mb):.5f} < {np.mean(ma):.5f})")
        check(bool(np.any(mb < ma - 1e-6)), "and lower on some path and asset")
    out = os.path.join(d, "wicks.h5")
    r = run(out, "engine.intrastep_extremes=true", paths=4)
    check(r.returncode == 0, f"the default scenario with extremes runs ({r.stderr.strip()})")
    with h5py.File(out) as f:
        p = f["positions/initial"]
        oi = float(np.sum(p["size"][:] * p["entry_price"][:]))
        res = np.abs(f["summary/conservation_residual"][:])
        check(bool(np.all(res <= 1e-9 * oi)), f"conservation with extremes on every path (max {res.max():.3g} USD)")

    # Volatility regimes: BTC's realised index volatility (less its shocks) triples after 12 h.
    out = os.path.join(d, "vol.h5")
    r = run(out, "market.volatility_regimes=[{from: 43200, volatility: {BTC: 1.5}}]", "shocks=[]", paths=8)
    check(r.returncode == 0, f"a volatility regime runs ({r.stderr.strip()})")
    with h5py.File(out) as f:
        names = [a.decode() if isinstance(a, bytes) else a for a in f.attrs["assets"]]
        x = np.log(f["timeseries/index_price"][:, :, names.index("BTC")])
        ret = np.diff(x, axis=1)
        before, after = ret[:, :144].std(), ret[:, 144:].std()
        check(2.4 < after / before < 3.6, f"BTC's step volatility after/before the regime {after / before:.2f} ~ 1.5/0.5 = 3")

    # Funding tape: runs; a bad rate is a located CSV error, exit 2, no output.
    tape = os.path.join(d, "tape.csv")
    with open(tape, "w") as f:
        f.write("time,asset,rate\n28800,FET,-0.0025\n57600,FET,-0.0075\n28800,BTC,0.0001\n")
    out = os.path.join(d, "tape.h5")
    r = run(out, f"exchange.funding.replay={tape}")
    check(r.returncode == 0, f"a funding tape runs ({r.stderr.strip()})")
    with open(tape, "w") as f:
        f.write("time,asset,rate\n28800,FET,-0.25%\n")
    out = os.path.join(d, "bad.h5")
    r = run(out, f"exchange.funding.replay={tape}")
    first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    check(r.returncode == 2 and first.startswith(tape + ":2:11: error: column 'rate'"), f"bad tape: exit 2 at file:line:col ({r.returncode}: {first})")
    check(not os.path.exists(out), "no output file for a bad tape")

sys.exit(1 if FAILURES else 0)
