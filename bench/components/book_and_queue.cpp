// Component benchmarks: the hot operations of a cascade round.
//
// BM_BookFill: one market order through the power-law book. BM_ThresholdQueue/N: building the
// heap of N thresholds and popping 1 % of them, as a path that builds its own book does.
// BM_ThresholdQueueFrozenCopy/N: the same pops from a copy of a queue frozen once per run.
#include <benchmark/benchmark.h>

#include "models/power_law_book.hpp"
#include "models/threshold_queue.hpp"

namespace {

void BM_BookFill(benchmark::State& state) {
  cascade::BookParams p;
  p.depth_1pct_usd = 1.0e6;
  cascade::PowerLawBook book(p, 2.0);
  double q = -1000.0;
  for (auto _ : state) {
    const auto f = book.execute(q);
    benchmark::DoNotOptimize(f.vwap);
    q = -q;  // alternate sides so the book stays near its centre
  }
}
BENCHMARK(BM_BookFill);

// Building the heaps of N positions, then popping 1 % of them (a large cascade round).
void BM_ThresholdQueue(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  std::vector<cascade::ThresholdQueue::Entry> entries(n);
  std::uint64_t s = 42;
  for (std::uint32_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    entries[i] = {1.0 + static_cast<double>(s >> 11) * 0x1.0p-53, i, 0};
  }
  std::vector<cascade::ThresholdQueue::Entry> out;
  out.reserve(n);
  for (auto _ : state) {
    cascade::ThresholdQueue q(1);
    q.reserve(n);
    for (const auto& e : entries) q.add(e);
    q.build();
    out.clear();
    q.pop_crossed(1.99, [](const auto&) { return true; }, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ThresholdQueue)->Arg(10000)->Arg(1000000);

// What a path pays for the same queue when the run froze it once: copy the frozen queue, then
// pop the same 1 % (the sorted part is shared; only the cursor is the path's own).
void BM_ThresholdQueueFrozenCopy(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  cascade::ThresholdQueue frozen(1);
  std::uint64_t s = 42;
  for (std::uint32_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    frozen.add({1.0 + static_cast<double>(s >> 11) * 0x1.0p-53, i, 0});
  }
  frozen.freeze();
  std::vector<cascade::ThresholdQueue::Entry> out;
  out.reserve(n);
  for (auto _ : state) {
    cascade::ThresholdQueue q = frozen;
    out.clear();
    q.pop_crossed(1.99, [](const auto&) { return true; }, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ThresholdQueueFrozenCopy)->Arg(10000)->Arg(1000000);

}  // namespace
