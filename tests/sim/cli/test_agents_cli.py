#!/usr/bin/python3
"""A desk's own book with stops and margin-call behaviour in the CSV files, end to end.

The positions CSV carries `stop_price` and `margin_call` columns, the accounts CSV a cross
account's margin-call behaviour (docs/scenario.md, "CSV files"); `cascade run` answers the calls
and fires the stop as computed by hand below; `/positions/initial` carries the cross leg's levels
that `cascade levels --csv` shows; a bad column is an input error at file:line:col naming it.
"""
import csv
import math
import os
import sys
import tempfile

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import check, finish, run, write  # noqa: E402


SCENARIO = """\
steps: 3
dt: 60
replay: prices.csv
exchange: {profile: binance, insurance_fund: 1.0e9}
assets:
  AIX:
    price: 2.0
    tiers:
      - {floor: 0, max_leverage: 20, mmr: 0.02}
      - {floor: 5000, max_leverage: 15, mmr: 0.025}
      - {floor: 25000, max_leverage: 10, mmr: 0.05}
    book: {depth_1pct: 200000}
positions: {file: positions.csv, accounts: accounts.csv}
output: {events: true}
"""
HEADER = "account,asset,side,size,entry_price,margin,mode,stop_price,margin_call,warning_ratio,call_amount,top_up_wallet\n"
# fund: cross, long 10,000 at 2.0 on 3,000: called at P <= 8475/4750 = 1.7842 (ratio 0.5),
#   tops up 1,500; its levels: LP 16975/9750, BP 2 - 3000/10000 = 1.7.
# desk: isolated long with a stop at 1.9.
# trader: isolated long 1,000 at 2.0 on 200 (call at (1000 - 0.5 m)/480 = 1.875, LP
#   (2000 - m)/980 = 1.8367): called at 1.86, tops up 100 (LP 1700/980 = 1.7347), liquidated at 1.70.
POSITIONS = HEADER + (
    "fund,AIX,long,10000,2.0,,cross,,,,,\n"
    "desk,AIX,long,1000,2.0,400,isolated,1.9,,,,\n"
    "trader,AIX,long,1000,2.0,200,isolated,,top_up,0.5,0.5,200\n")
ACCOUNTS = "account,wallet,margin_call,warning_ratio,call_amount,top_up_wallet\nfund,3000,top_up,0.5,0.5,3000\n"
PRICES = "time,asset,price\n0,AIX,2.0\n60,AIX,1.86\n120,AIX,1.78\n180,AIX,1.70\n"

with tempfile.TemporaryDirectory() as d:
    write(d, "positions.csv", POSITIONS)
    write(d, "accounts.csv", ACCOUNTS)
    write(d, "prices.csv", PRICES)
    scen = write(d, "desk.yaml", SCENARIO)
    out = os.path.join(d, "desk.h5")
    r = run("run", scen, "-o", out, "-q")
    check(r.returncode == 0, f"run exits 0 ({r.stderr.strip()})")
    levels = os.path.join(d, "levels.csv")
    r = run("levels", scen, "--csv", levels)
    check(r.returncode == 0, f"levels exits 0 ({r.stderr.strip()})")
    rows = list(csv.DictReader(open(levels)))
    with h5py.File(out, "r") as f:
        s = f["summary"]
        check(int(s["margin_calls"][0]) == 2, f"two margin calls: the trader's, the fund's ({s['margin_calls'][0]})")
        check(int(s["top_ups"][0]) == 2, f"both topped up ({s['top_ups'][0]})")
        check(abs(float(s["top_up_usd"][0]) - 1600.0) < 1e-9, f"1,500 + 100 USD added ({s['top_up_usd'][0]})")
        check(int(s["stops"][0]) == 1, f"the desk's stop fired ({s['stops'][0]})")
        check(int(s["liquidations"][0]) == 1, f"only the trader is liquidated ({s['liquidations'][0]})")
        ev = f["events/liquidations"]
        check(list(ev["position"][:]) == [2] and int(ev["step"][0]) == 3, "the trader, at 1.70")
        init = f["positions/initial"]
        lp, bp = float(init["liquidation_price"][0]), float(init["bankruptcy_price"][0])
        check(abs(lp - 16975.0 / 9750.0) < 1e-9, f"/positions/initial: the fund's LP 1.74103 ({lp})")
        check(abs(bp - 1.7) < 1e-12, f"/positions/initial: the fund's BP 1.7 ({bp})")
        check(rows[0]["liquidation_price"] != "" and abs(float(rows[0]["liquidation_price"]) - lp) <= 1e-15 * lp
              and abs(float(rows[0]["bankruptcy_price"]) - bp) <= 1e-15 * bp,
              "levels --csv shows the same cross levels")

    # A bad value is an input error at the field, naming the column; no file is written.
    write(d, "positions.csv", HEADER + "trader,AIX,long,1000,2.0,200,isolated,,top_up,0.01,0.5,200\n")
    out2 = os.path.join(d, "bad.h5")
    r = run("run", scen, "-o", out2, "-q")
    first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    col = len("trader,AIX,long,1000,2.0,200,isolated,,top_up,") + 1
    check(r.returncode == 2, f"bad warning_ratio: exit 2 ({r.returncode})")
    check(first.startswith(os.path.join(d, "positions.csv") + f":2:{col}: error: column 'warning_ratio'"),
          f"bad warning_ratio: located and named ({first})")
    check(not os.path.exists(out2), "bad warning_ratio: no output file")

finish()
print("all checks passed")
