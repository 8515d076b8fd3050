#!/usr/bin/python3
"""Inverse (coin-margined) contracts from the command line (docs/market.md "Inverse contracts").

`cascade levels --csv` prints each inverse position's liquidation and bankruptcy price by the
profile's COIN-M rule (Bybit's published cross example: BP 5,718.57; LP by its equation 5,739.08;
Binance COIN-M: a hand-solved 10x long), `cascade check` accepts the scenario, and `cascade run`
refuses it with exit 2 at the `contract` key, leaving no output file.
"""
import csv
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import check, finish, run, write  # noqa: E402


def scenario(profile, fee):
    return (f"exchange: {{profile: {profile}, liquidation_fee: {fee}}}\n"
            "assets:\n"
            "  BTC:\n"
            "    contract: inverse\n"
            "    price: 8000\n"
            "    tiers:                 # floors in coin\n"
            "      - {floor: 0, max_leverage: 125, mmr: 0.004}\n"
            "      - {floor: 10, max_leverage: 100, mmr: 0.005}\n"
            "  ETH: {price: 3000, tiers: [{floor: 0, max_leverage: 100, mmr: 0.005}]}\n"
            "positions: {file: pos.csv}\n")


with tempfile.TemporaryDirectory() as d:
    write(d, "pos.csv", "account,asset,side,size,entry_price,margin,mode\n"
                        "a,BTC,long,10000,8000,0.5,isolated\n"
                        "b,BTC,long,100000,50000,0.2,isolated\n"
                        "c,BTC,short,100000,50000,2,isolated\n"
                        "d,ETH,long,1,3000,300,isolated\n")
    # Bybit's page uses MMR 0.5 % and a 0.075 % taker fee to close.
    by = write(d, "bybit.yaml", scenario("bybit", 0.00075).replace("mmr: 0.004", "mmr: 0.005"))
    out = os.path.join(d, "levels.csv")
    r = run("levels", by, "--csv", out)
    check(r.returncode == 0, f"levels on an inverse scenario exits 0 ({r.returncode}: {r.stderr.strip()})")
    check("inverse: size USD, margin coin" in r.stdout, "levels labels the inverse asset")
    rows = list(csv.DictReader(open(out)))
    a = rows[0]
    check(abs(float(a["bankruptcy_price"]) - 5718.57) < 0.005, f"Bybit BP {a['bankruptcy_price']} = 5718.57")
    check(abs(float(a["liquidation_price"]) - 5739.0835) < 0.001, f"Bybit LP {a['liquidation_price']} = 5739.08")

    bn = write(d, "binance.yaml", scenario("binance", 0.005))
    r = run("levels", bn, "--csv", out)
    rows = list(csv.DictReader(open(out)))
    b, c, e = rows[1], rows[2], rows[3]
    check(abs(float(b["liquidation_price"]) - 100400 / 2.2) < 1e-6, f"COIN-M LP {b['liquidation_price']} = 100400/2.2")
    check(abs(float(b["bankruptcy_price"]) - 100000 / 2.2) < 1e-6, f"COIN-M BP {b['bankruptcy_price']} = 100000/2.2")
    check(c["liquidation_price"] == "", "a 1x inverse short is never liquidated (empty liquidation_price)")
    check(abs(float(e["liquidation_price"]) - (3000 - 300) / (1 - 0.005)) < 1e-9, "the linear ETH position keeps the linear rule")

    r = run("check", bn)
    check(r.returncode == 0, f"check accepts the inverse scenario ({r.returncode}: {r.stderr.strip()})")
    h5 = os.path.join(d, "run.h5")
    r = run("run", bn, "-o", h5, "-q")
    first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    check(r.returncode == 2, f"run refuses inverse contracts with exit 2 ({r.returncode})")
    check(first.startswith(bn + ":4:15: error: assets.BTC.contract: inverse contracts are not yet simulated"), f"message: {first}")
    check(not os.path.exists(h5) and not os.path.exists(h5 + ".tmp"), "no output file")

    bad = write(d, "bad.yaml", scenario("binance", 0.005))
    write(d, "pos.csv", "account,asset,side,size,entry_price,margin,mode\na,BTC,long,100000,50000,0.0005,isolated\n")
    r = run("check", bad)
    first = r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    check(r.returncode == 2 and "pos.csv:2:" in first and "size/entry_price/margin" in first,
          f"inverse leverage over the tier limit is a located error: {first}")

finish()
