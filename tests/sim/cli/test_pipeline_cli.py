#!/usr/bin/python3
"""The liquidation pipeline from the command line (docs/exchanges.md "The liquidation pipeline"):

- with a vault backstop, `cascade run`'s summary reports the vault's minimum equity and PnL
  (the medians of /summary/vault_min_equity and vault_pnl) and the ADL notional, not the
  insurance fund; with a fund it reports the fund;
- `cascade inspect` shows the "ADL and backstop" table with the vault's rows.
"""
import os
import re
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import SRC, check, finish, run  # noqa: E402

HL = os.path.join(SRC, "scenarios", "hyperliquid_2025_10_10.yaml")
FUND = os.path.join(SRC, "scenarios", "insurance_fund_exhaustion.yaml")
SMALL = ["--set", "exchange.backstop.capital=1e6"] + [
    x for a in ("BTC", "ETH", "SOL", "DOGE", "ALTS") for x in ("--set", f"assets.{a}.population.count=500")]


def millions(text, label):
    """The figure after `label` in the summary, in USD."""
    m = re.search(re.escape(label) + r": (-?[0-9.]+)([kMB]?) USD", text)
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}[m.group(2)]


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "hl.h5")
    r = run("run", HL, "-o", out, "--paths", "3", *SMALL)
    check(r.returncode == 0, f"the vault scenario runs ({r.stderr[-300:]})")
    with h5py.File(out, "r") as f:
        pnl = float(np.median(f["summary/vault_pnl"][:]))
        low = float(np.median(f["summary/vault_min_equity"][:]))
        adl = float(np.median(f["summary/adl_notional"][:]))
    shown = millions(r.stdout, "vault PnL (median)")
    check(shown is not None and abs(shown - pnl) <= 0.01 * abs(pnl), f"vault PnL {shown} is the median {pnl}")
    shown = millions(r.stdout, "vault min equity (median)")
    check(shown is not None and abs(shown - low) <= 0.01 * abs(low), f"vault min equity {shown} is the median {low}")
    shown = millions(r.stdout, "auto-deleveraged notional (median)")
    check(adl > 0 and shown is not None and abs(shown - adl) <= 0.01 * adl, f"ADL notional {shown} is the median {adl}")
    check("insurance fund min" not in r.stdout, "no insurance-fund line with a vault")
    i = run("inspect", out)
    check(i.returncode == 0 and "ADL and backstop" in i.stdout and "vault_takeovers" in i.stdout
          and "vault_pnl" in i.stdout, "inspect shows the ADL and vault outcomes")

    out2 = os.path.join(d, "fund.h5")
    r = run("run", FUND, "-o", out2, "--paths", "2")
    check(r.returncode == 0 and "insurance fund min (median)" in r.stdout and "vault" not in r.stdout,
          "with a fund the summary reports the fund")
    check("auto-deleveraged notional (median)" in r.stdout, "and the ADL it needed")

finish()
