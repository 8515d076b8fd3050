// Whole-path benchmarks on the default scenario: one quiet step, one full path.
//
// The cost of a step in which nothing is triggered must not grow with the number of positions
// (threshold heaps, not scans): BM_QuietStep runs the default scenario with its prices held
// still (no volatility, shocks, unlock, flows or margin calls; its stop-losses stay armed), at
// 10^3 and 10^5 positions per asset.
#include <benchmark/benchmark.h>

#include <map>

#include "sim/engine/engine.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/scenario/loader.hpp"

namespace {

const cascade::Scenario& quiet_scenario(int count) {
  static std::map<int, cascade::Scenario> cache;
  auto it = cache.find(count);
  if (it == cache.end()) {
    cascade::Scenario sc = cascade::load_scenario(CASCADE_SOURCE_DIR "/scenarios/ai_token_crash.yaml");
    for (auto& a : sc.assets) {
      a.process.volatility_annual = 0.0;
      if (a.population) {
        a.population->count = count;
        a.population->arrivals_per_day = 0.0;  // the book must not grow while steps repeat
        a.population->margin_call.reset();      // high-leverage accounts would reduce at once
      }
    }
    sc.shocks.clear();
    sc.unlocks.clear();
    sc.flows.clear();
    it = cache.emplace(count, std::move(sc)).first;
  }
  return it->second;
}

void BM_QuietStep(benchmark::State& state) {
  const auto& sc = quiet_scenario(static_cast<int>(state.range(0)));
  const cascade::RunPlan plan(sc);
  cascade::Engine engine(plan, cascade::build_initial_book(sc, 1), 2, 0, 0);
  int t = 0;
  for (auto _ : state) {
    engine.step(1 + (t++ % sc.steps));
  }
  state.counters["positions"] = static_cast<double>(engine.positions().count());
  state.counters["liquidations"] = static_cast<double>(engine.outcome().liquidations);
}
BENCHMARK(BM_QuietStep)->Arg(1000)->Arg(100000);

void BM_DefaultPath(benchmark::State& state) {
  const cascade::Scenario sc = cascade::load_scenario(CASCADE_SOURCE_DIR "/scenarios/ai_token_crash.yaml");
  const cascade::RunPlan plan(sc);
  std::int64_t path = 0;
  for (auto _ : state) {
    cascade::Engine engine(plan, cascade::build_initial_book(sc, cascade::stream_seed(sc.seed, 0, path, cascade::Stream::Population)),
                           cascade::stream_seed(sc.seed, 0, path, cascade::Stream::Prices), 0, path);
    benchmark::DoNotOptimize(engine.run().liquidated_notional);
    ++path;
  }
}
BENCHMARK(BM_DefaultPath)->Unit(benchmark::kMillisecond);

}  // namespace
