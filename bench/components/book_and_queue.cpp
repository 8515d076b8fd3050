// Component benchmarks: the hot operations of a cascade round.
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

}  // namespace
