#!/bin/bash
# Thread scaling of the stress benchmark (docs/performance.md, "Scaling beyond two cores").
#
#   bench/scaling.sh BUILD_DIR OUT_DIR [--quick]
#
# Builds nothing: BUILD_DIR is a built release tree (BUILD_DIR/cascade, BUILD_DIR/bench/cascade_bench).
# Runs BM_StressThreads at 1, 2, 4, 8 and 16 threads (64 paths of the 10^6-position stress run
# from one shared book, wall time), then `cascade run bench/scenarios/stress.yaml` on 16 threads
# and on 1 thread, and writes OUT_DIR/scaling.md (a table: threads, time, speed-up, parallel
# efficiency), OUT_DIR/bench.json (Google Benchmark's output) and OUT_DIR/run_T.time
# (/usr/bin/time -v of each run). --quick: 1, 2, 16 threads and runs of 160 paths instead of the
# scenario's 1000 (about a minute on 16 cores; the full script about 4 minutes).
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR OUT_DIR [--quick]" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || usage
build=$(cd "$1" && pwd)
out=$2
quick=0
if [[ $# -eq 3 ]]; then [[ $3 == --quick ]] || usage; quick=1; fi
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/scenarios/stress.yaml
for f in "$build/cascade" "$build/bench/cascade_bench"; do
  [[ -x $f ]] || { echo "$0: $f not found (build the release preset first)" >&2; exit 2; }
done
mkdir -p "$out"

if [[ $quick -eq 1 ]]; then threads="1 2 16"; paths=160; else threads="1 2 4 8 16"; paths=1000; fi
filter="^BM_StressThreads/($(echo "$threads" | tr ' ' '|'))/"
echo "== $build/bench/cascade_bench --benchmark_filter='$filter'" >&2
"$build/bench/cascade_bench" --benchmark_filter="$filter" --benchmark_format=json \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json >/dev/null
grep -q '"name": "BM_StressThreads/' "$out/bench.json" || { echo "$0: BM_StressThreads did not run" >&2; exit 1; }

for t in 16 1; do
  echo "== cascade run stress.yaml --paths $paths --threads $t" >&2
  /usr/bin/time -v -o "$out/run_$t.time" \
    "$build/cascade" run "$scenario" -o "$out/stress_$t.h5" --force --quiet --paths "$paths" --threads "$t"
done
cmp_result=$(/usr/bin/python3 - "$out/stress_1.h5" "$out/stress_16.h5" <<'EOF' 2>/dev/null || echo "not compared (h5py missing)"
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:])
def same(g, h):
    return all(same(g[k], h[k]) if isinstance(g[k], h5py.Group) else np.array_equal(g[k][()], h[k][()], equal_nan=g[k].dtype.kind == "f") for k in g)
print("bitwise equal" if same(a["summary"], b["summary"]) else "DIFFERENT")
EOF
)
rm -f "$out/stress_1.h5" "$out/stress_16.h5"

/usr/bin/python3 - "$out" "$paths" "$cmp_result" <<'EOF'
import json, os, re, sys
out, paths, cmp_result = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bench = json.load(open(os.path.join(out, "bench.json")))
rows = [(int(b["name"].split("/")[1]), b["real_time"], b["paths_per_s"]) for b in bench["benchmarks"]
        if b["name"].startswith("BM_StressThreads/") and b.get("run_type", "iteration") == "iteration"]
base = next(r for r in rows if r[0] == 1)[2]
def timed(t):
    text = open(os.path.join(out, f"run_{t}.time")).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", text).group(1).split(":")
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return secs, rss
ctx = bench["context"]
lines = [f"# Thread scaling ({ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs, "
         f"{ctx.get('date', '')}; load average when written: {os.getloadavg()[0]:.2f}; "
         f"TBB uses at most the machine's {os.cpu_count()} cores)", "",
         "BM_StressThreads: 64 paths of the 10^6-position stress run from one shared book (wall time).", "",
         "| threads | time (ms) | paths/s | speed-up | parallel efficiency |", "|---|---|---|---|---|"]
for t, ms, pps in rows:
    lines.append(f"| {t} | {ms:.0f} | {pps:.2f} | {pps / base:.2f}x | {pps / base / t * 100:.0f} % |")
(w1, r1), (w16, r16) = timed(1), timed(16)
lines += ["", f"`cascade run bench/scenarios/stress.yaml --paths {paths}` (the whole command, set-up and write included):", "",
          "| threads | wall time (s) | peak resident (MiB) | speed-up | parallel efficiency |", "|---|---|---|---|---|",
          f"| 1 | {w1:.1f} | {r1 / 1024:.0f} | 1.00x | 100 % |",
          f"| 16 | {w16:.1f} | {r16 / 1024:.0f} | {w1 / w16:.2f}x | {w1 / w16 / 16 * 100:.0f} % |",
          "", f"1 vs 16 threads, every /summary dataset: {cmp_result}"]
open(os.path.join(out, "scaling.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
