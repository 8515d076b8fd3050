#!/usr/bin/python3
"""tools/adl_policies.py on real runs (docs/adl_policies.md):

- the three runs share their paths (common random numbers): every path's first ADL time and the
  liquidations before it are the same under the three policies;
- the policy reached the engine: pro_rata spreads the same deficits over more winners than the
  queue, which stops where a bankrupt position is served;
- the table's numbers agree with a recomputation from the raw /summary and /events/adl;
- the plot is drawn; --paths 1 is refused with exit 2.
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd

SRC = os.environ["CASCADE_SOURCE_DIR"]
EXE = os.environ["CASCADE_EXE"]
TOOL = os.path.join(SRC, "tools", "adl_policies.py")
SCENARIO = os.path.join(SRC, "scenarios", "insurance_fund_exhaustion.yaml")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim", "cli"))
from cli_checks import check, finish  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([TOOL, SCENARIO, "--out", d, "--paths", "6", "--cascade", EXE,
                            "--set", "assets.AIX.population.long_share=0.6"],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, f"the tool runs (stderr: {r.stderr[-500:]})")
        if r.returncode != 0:
            return
        js = json.load(open(os.path.join(d, "adl_policies.json")))
        first = {}
        for p in ("queue", "pro_rata", "leverage_drain"):
            with h5py.File(os.path.join(d, f"{p}.h5"), "r") as f:
                s = pd.DataFrame({m: f["summary"][m][:] for m in
                                  ("path", "first_adl_time", "liquidations_before_first_adl",
                                   "adl_haircut", "adl_notional")})
                ev = pd.DataFrame({c: f["events/adl"][c][:] for c in ("path", "position", "size")})
            first[p] = s
            check(np.isclose(js[p]["adl_haircut"], s["adl_haircut"].mean(), rtol=1e-12),
                  f"{p}: the table's haircut is the mean of /summary/adl_haircut")
            hit = ev.groupby("path")["position"].nunique().reindex(s["path"], fill_value=0)
            check(np.isclose(js[p]["winners_hit"], hit.mean(), rtol=1e-12),
                  f"{p}: winners hit = distinct positions in /events/adl per path")
            given = ev.groupby(["path", "position"])["size"].sum()
            largest = [g.max() / g.sum() for _, g in given.groupby(level=0)]
            check(np.isclose(js[p]["largest_share"], np.median(largest), rtol=1e-9),
                  f"{p}: the largest winner's share recomputed")
        q = first["queue"]
        check((q["adl_notional"] > 0).all(), "ADL on every path (the scenario exercises it)")
        for p in ("pro_rata", "leverage_drain"):
            o = first[p]
            check(np.array_equal(q["first_adl_time"].values, o["first_adl_time"].values) and
                  np.array_equal(q["liquidations_before_first_adl"].values,
                                 o["liquidations_before_first_adl"].values),
                  f"{p}: the same paths as the queue's up to the first ADL")
        check(js["pro_rata"]["winners_hit"] > js["queue"]["winners_hit"],
              "pro_rata hits more winners than the queue")
        png = os.path.join(d, "adl_policies.png")
        check(os.path.exists(png) and os.path.getsize(png) > 10000, "the plot is drawn")
        table = open(os.path.join(d, "adl_policies.md")).read()
        check("`leverage_drain`" in table and "winners hit" in table, "the markdown table")
        r = subprocess.run([TOOL, SCENARIO, "--out", d, "--paths", "1", "--cascade", EXE],
                           capture_output=True, text=True)
        check(r.returncode == 2, "--paths 1 is refused with exit 2")


if __name__ == "__main__":
    main()
    finish()
