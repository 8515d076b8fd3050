#!/usr/bin/python3
"""scenarios/gold_crypto_decorrelation.yaml shows its regime switch, as tools/ measures it.

Runs the scenario with 16 recorded paths, then tools/plot_rolling_correlation.py: the PNG must be
written, and the measured 30-day rolling correlation of BTC/PAXG index log-returns (mean over
the paths) must be positive in the window ending at the switch (day 45) and negative in the
window ending at day 90 (fully after it), each within 5 standard errors of the scenario's
+0.42 / -0.18. Crypto correlations must rise (BTC/ETH 0.8 -> 0.95).

The standard error of one path's 720-sample correlation is sqrt(1 + kappa)*(1 - rho^2)/sqrt(720)
with kappa = 2 for the scenario's Student-t (nu = 5: excess kurtosis 6, kappa = 6/3); over P
paths it is divided by sqrt(P). The empirical spread over the paths is used when it is larger
(GARCH volatility adds to it). Fixed seed: the outcome is the same on every run.
"""

import os
import subprocess
import sys
import tempfile

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


def main():
    src = source_dir()
    exe = os.environ.get("CASCADE_EXE")
    if not exe or not os.path.exists(exe):
        print(f"error: CASCADE_EXE={exe!r} is not the cascade binary", file=sys.stderr)
        return 1
    sys.path.insert(0, os.path.join(src, "tools"))
    import plot_rolling_correlation as prc

    paths = 16
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "gold.h5")
        png = os.path.join(tmp, "gold.png")
        run = subprocess.run(
            [exe, "run", os.path.join(src, "scenarios", "gold_crypto_decorrelation.yaml"),
             "-o", out, "--paths", str(paths), "--set", f"output.timeseries_paths={paths}", "-q"],
            capture_output=True, text=True, timeout=600)
        if not check(run.returncode == 0, f"cascade run failed: {run.stderr}"):
            return 1
        tool = subprocess.run(
            [sys.executable, os.path.join(src, "tools", "plot_rolling_correlation.py"), out,
             "-o", png, "--pair", "BTC/PAXG", "--pair", "BTC/ETH"],
            capture_output=True, text=True, timeout=300)
        check(tool.returncode == 0, f"plot_rolling_correlation.py failed: {tool.stderr}")
        check(os.path.exists(png) and os.path.getsize(png) > 10000, "the PNG was not written")
        if os.path.exists(png):
            with open(png, "rb") as f:
                check(f.read(8) == b"\x89PNG\r\n\x1a\n", "the output is not a PNG")

        m = prc.measure(out, [("BTC", "PAXG"), ("ETH", "PAXG"), ("BTC", "ETH")], 30.0, "index")
        check(m["window"] == 720, f"30 days of 1-hour steps is 720 steps, got {m['window']}")
        check(m["switches_days"] == [45.0], f"regime switch read as {m['switches_days']}")
        check(m["targets"][("BTC", "PAXG")] == [(0.0, 0.42), (45.0, -0.18)],
              f"scenario correlations read as {m['targets'][('BTC', 'PAXG')]}")
        before = 45 * 24 - 1  # the last step before the switch: window of days 15-45
        after = m["rolling"][("BTC", "PAXG")].shape[1] - 1  # window of days 60-90
        kappa = 2.0
        for pair in (("BTC", "PAXG"), ("ETH", "PAXG")):
            r = m["rolling"][pair]
            check(r.shape[0] == paths, f"{pair}: {r.shape[0]} recorded paths, expected {paths}")
            for at, target in ((before, 0.42), (after, -0.18)):
                values = r[:, at]
                mean = float(np.mean(values))
                se_theory = np.sqrt(1 + kappa) * (1 - target ** 2) / np.sqrt(m["window"])
                se = max(se_theory, float(np.std(values, ddof=1))) / np.sqrt(paths)
                print(f"{pair[0]}/{pair[1]} day {(at + 1) / 24:g}: mean {mean:+.3f} "
                      f"(paths {values.min():+.2f}..{values.max():+.2f}), scenario {target:+.2f}, "
                      f"5 se {5 * se:.3f}")
                check(abs(mean - target) < 5 * se,
                      f"{pair}: rolling correlation {mean:+.3f} at day {(at + 1) / 24:g}, "
                      f"expected {target:+.2f} +- {5 * se:.3f}")
                if target > 0:
                    check(mean - 5 * se > 0, f"{pair}: not clearly positive before the switch")
                else:
                    check(mean + 5 * se < 0, f"{pair}: not clearly negative after the switch")
        # Crypto moves closer together after the break (0.8 -> 0.95 in the scenario).
        r = m["rolling"][("BTC", "ETH")]
        b, a = r[:, before], r[:, after]
        se = np.sqrt(np.var(b, ddof=1) + np.var(a, ddof=1)) / np.sqrt(paths)
        print(f"BTC/ETH: {b.mean():+.3f} -> {a.mean():+.3f}")
        check(a.mean() - b.mean() > 5 * se, f"BTC/ETH correlation did not rise: {b.mean():.3f} -> {a.mean():.3f}")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
