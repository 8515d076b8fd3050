#!/usr/bin/python3
"""The same paths under the three ADL policies (docs/adl_policies.md).

    tools/adl_policies.py SCENARIO.yaml --out DIR [--paths N] [--seed S] [--set KEY=VALUE ...]
                          [--cascade build/release/cascade] [--threads T]

Runs the scenario three times with the same seed (common random numbers: path i sees the same
draws in every run) and `exchange.adl.policy` set to queue, pro_rata and leverage_drain, with
ADL fills recorded, then compares what each policy cost the winners and how concentrated that
cost is. Writes DIR/POLICY.h5 (the three runs), DIR/adl_policies.md (the table),
DIR/adl_policies.json (the same numbers) and DIR/adl_policies.png (the plot), and prints the
table. Per policy, over the paths:

    adl_notional, adl_haircut, adl_deficit_covered, adl_overshoot, bad_debt   mean per path
    difference vs queue   mean paired difference of the haircut, with its standard error
    winners hit           distinct deleveraged positions per path (mean)
    winners giving half   fewest positions that gave half of the size deleveraged (mean per path)
    largest winner's share  the share of the size deleveraged given by one position (median)
    Gini                  Gini coefficient of the size given over the positions hit (median)
    max profit share      p50 over paths of adl_max_profit_share

Every winner of one bankrupt position closes at the same price against the same mark, so the
haircut and the deficit covered depend on the policy only through what happens afterwards;
the policies differ in who pays.

Exit status: 0; 2 for bad arguments or a scenario the runs refuse; 1 if a run fails.
Uses h5py, numpy, matplotlib (Debian: python3-h5py python3-numpy python3-matplotlib).
"""

import argparse
import json
import os
import subprocess
import sys

import h5py
import numpy as np

POLICIES = ["queue", "pro_rata", "leverage_drain"]
SUMMARY = ["adl_notional", "adl_haircut", "adl_deficit_covered", "adl_overshoot", "bad_debt"]


def run(args, policy, out):
    cmd = [args.cascade, "run", args.scenario, "-o", out, "--force", "-q",
           "--set", f"exchange.adl.policy={policy}", "--set", "output.events=true"]
    for kv in args.set:
        cmd += ["--set", kv]
    if args.paths is not None:
        cmd += ["--paths", str(args.paths)]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    if args.threads is not None:
        cmd += ["--threads", str(args.threads)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit(r.returncode)


def gini(x):
    x = np.sort(np.asarray(x, dtype=float))
    if x.size == 0 or x.sum() <= 0:
        return float("nan")
    n = x.size
    return float((2.0 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def measure(path):
    """Per path: who gave how much (size closed per deleveraged position), from /events/adl."""
    with h5py.File(path, "r") as f:
        if int(f.attrs.get("complete", 0)) != 1:
            raise SystemExit(f"{path}: not a complete results file")
        s = {m: f["summary"][m][:].astype(float) for m in SUMMARY + ["adl_max_profit_share", "path"]}
        a = f["events/adl"]
        ev = {c: a[c][:] for c in ("path", "position", "size")}
    paths = [int(p) for p in s["path"]]
    by_path = {p: {} for p in paths}
    for p, j, y in zip(ev["path"], ev["position"], ev["size"]):
        d = by_path.setdefault(int(p), {})
        d[int(j)] = d.get(int(j), 0.0) + float(y)
    hit, half, top, lorenz = [], [], [], []
    for p in paths:
        y = np.sort(np.array(list(by_path[p].values())))[::-1]
        hit.append(y.size)
        if y.size == 0 or y.sum() <= 0:
            continue
        c = np.cumsum(y) / y.sum()
        half.append(int(np.searchsorted(c, 0.5) + 1))
        top.append(float(y[0] / y.sum()))
        lorenz.append(y / y.sum())
    return {
        "summary": s,
        "winners_hit": float(np.mean(hit)) if hit else float("nan"),
        "winners_for_half": float(np.mean(half)) if half else float("nan"),
        "largest_share": float(np.median(top)) if top else float("nan"),
        "gini": float(np.median([gini(x) for x in lorenz])) if lorenz else float("nan"),
        "shares": lorenz,
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--out", required=True)
    ap.add_argument("--paths", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--cascade", default=os.path.join(os.path.dirname(__file__), "..", "build", "release", "cascade"))
    args = ap.parse_args(argv)
    if args.paths is not None and args.paths < 2:
        ap.error("--paths: at least 2 (the standard errors need two paths)")
    os.makedirs(args.out, exist_ok=True)
    res = {}
    for p in POLICIES:
        out = os.path.join(args.out, f"{p}.h5")
        run(args, p, out)
        res[p] = measure(out)
    base = res["queue"]["summary"]["adl_haircut"]
    rows, js = [], {}
    for p in POLICIES:
        r = res[p]
        s = r["summary"]
        d = s["adl_haircut"] - base
        se = float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
        js[p] = {m: float(s[m].mean()) for m in SUMMARY}
        js[p].update({"haircut_vs_queue": float(d.mean()), "haircut_vs_queue_stderr": se,
                      "winners_hit": r["winners_hit"], "winners_for_half": r["winners_for_half"],
                      "largest_share": r["largest_share"], "gini": r["gini"],
                      "max_profit_share_p50": float(np.nanmedian(s["adl_max_profit_share"]))})
        rows.append(js[p])

    def usd(x):
        return f"{x / 1e6:,.2f}M"

    head = ("| policy | ADL notional | haircut | deficit covered | bad debt | haircut − queue, USD (± s.e.) "
            "| winners hit | winners giving half | largest winner's share | Gini | max profit share p50 |")
    lines = [head, "|" + "---|" * 11]
    for p in POLICIES:
        j = js[p]
        lines.append(f"| `{p}` | {usd(j['adl_notional'])} | {usd(j['adl_haircut'])} | "
                     f"{usd(j['adl_deficit_covered'])} | {usd(j['bad_debt'])} | "
                     f"{j['haircut_vs_queue']:,.0f} ± {j['haircut_vs_queue_stderr']:,.0f} | "
                     f"{j['winners_hit']:,.0f} | {j['winners_for_half']:,.1f} | "
                     f"{100 * j['largest_share']:.1f} % | {j['gini']:.3f} | "
                     f"{100 * j['max_profit_share_p50']:.0f} % |")
    table = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "adl_policies.md"), "w") as f:
        f.write("USD means per path over the paths; " + table)
    with open(os.path.join(args.out, "adl_policies.json"), "w") as f:
        json.dump(js, f, indent=1)
    sys.stdout.write(table)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    x = np.arange(len(POLICIES))
    # The money is the same under every policy (one price per bankrupt position); who pays is not.
    a.bar(x - 0.2, [js[p]["winners_hit"] for p in POLICIES], 0.4, label="winners hit per path", color="C0")
    a.set_ylabel("winners hit per path (mean)")
    a2 = a.twinx()
    a2.bar(x + 0.2, [100 * js[p]["max_profit_share_p50"] for p in POLICIES], 0.4,
           label="largest share of a winner's profit taken (p50)", color="C1")
    a2.set_ylabel("largest profit share taken, % (median path)")
    a.set_xticks(x, POLICIES)
    a.set_title(f"same haircut ({js['queue']['adl_haircut'] / 1e6:,.2f}M USD per path), different payers")
    a.set_ylim(0, 1.4 * max(js[p]["winners_hit"] for p in POLICIES) or 1)  # room for the legend
    a2.set_ylim(0, 1.4 * max(100 * js[p]["max_profit_share_p50"] for p in POLICIES) or 1)
    h1, l1 = a.get_legend_handles_labels()
    h2, l2 = a2.get_legend_handles_labels()
    a.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
    for p in POLICIES:
        # Lorenz curve of the size given, pooled over paths (each path's shares weighted alike).
        pts = [(np.linspace(0, 1, x.size + 1), np.concatenate([[0], np.cumsum(np.sort(x))])) for x in res[p]["shares"]]
        if pts:
            grid = np.linspace(0, 1, 101)
            b.plot(grid, np.mean([np.interp(grid, u, v) for u, v in pts], axis=0), label=p)
    b.plot([0, 1], [0, 1], color="grey", lw=0.5)
    b.set_xlabel("share of positions hit (least hit first)")
    b.set_ylabel("share of the size deleveraged")
    b.set_title("who gives: Lorenz curve of the size deleveraged")
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "adl_policies.png"), dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
