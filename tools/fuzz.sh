#!/usr/bin/env bash
# Fuzzing of the inputs (docs/robustness.md): the libFuzzer harnesses of fuzz/ (scenario loader
# with its round-trip check, CSV readers; built with clang, ASan + UBSan) and the structured text
# mutations of the shipped scenarios (tests/sim/cli/mutate_scenarios.py) run through `cascade`.
#
#   tools/fuzz.sh            short budget (what ctest runs): ~20 s per harness, 150 mutants
#   tools/fuzz.sh --long     long budget: 10 min per harness, 5000 mutants
#   FUZZ_SECONDS=N MUTANTS=M tools/fuzz.sh   any budget
#
# Exits 0 with no finding, 1 on a finding (the crashing input is kept in build/clang-fuzz/findings),
# 77 (ctest: skipped) when clang or libFuzzer is not installed (tools/setup-debian.sh installs them).
set -euo pipefail
cd "${0%/*}/.."
root=$(pwd)

seconds=${FUZZ_SECONDS:-20}
mutants=${MUTANTS:-150}
if [ "${1:-}" = "--long" ]; then
  seconds=${FUZZ_SECONDS:-600}
  mutants=${MUTANTS:-5000}
fi

runtime=""
for f in /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a; do
  if [ -e "$f" ]; then runtime=$f; break; fi
done
if ! command -v clang++ >/dev/null || [ -z "$runtime" ]; then
  echo "fuzz: skipped: clang++ or libFuzzer (libclang-rt-14-dev) is not installed"
  exit 77
fi

build=build/clang-fuzz
if [ ! -f "$build/build.ninja" ]; then
  cmake --preset clang-fuzz >/dev/null
fi
cmake --build --preset clang-fuzz -j"${FUZZ_JOBS:-2}"

mkdir -p "$build/findings"
status=0
for fuzzer in loader_fuzzer csv_fuzzer; do
  corpus="$build/corpus/$fuzzer"
  mkdir -p "$corpus"
  if [ "$fuzzer" = loader_fuzzer ]; then
    seeds=(scenarios tests/data/smoke)
    dict=fuzz/yaml.dict
  else
    seeds=(tests/data)
    dict=fuzz/csv.dict
  fi
  # Seeds: the shipped scenarios and test data, as files of their own kind.
  for d in "${seeds[@]}"; do
    find "$d" -type f \( -name '*.yaml' -o -name '*.csv' \) -size -64k | while read -r f; do
      case "$fuzzer:$f" in
        loader_fuzzer:*.yaml|csv_fuzzer:*.csv) cp "$f" "$corpus/seed_$(echo "$f" | tr '/' '_')" ;;
      esac
    done
  done
  echo "fuzz: $fuzzer for ${seconds}s"
  if ! "$build/fuzz/$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
        -dict="$dict" -artifact_prefix="$build/findings/$fuzzer-" -print_final_stats=1 \
        "$corpus" 2>"$build/$fuzzer.log"; then
    tail -n 40 "$build/$fuzzer.log"
    echo "fuzz: $fuzzer found a problem; the input is in $build/findings/"
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$build/$fuzzer.log" | tail -n 2 || true
  fi
done

echo "fuzz: $mutants structured mutations of the shipped scenarios"
if ! CASCADE_EXE="${CASCADE_EXE:-$root/build/release/cascade}" CASCADE_SOURCE_DIR="$root" \
     MUTANTS="$mutants" /usr/bin/python3 tests/sim/cli/mutate_scenarios.py; then
  status=1
fi
exit $status
