// Whole-path benchmarks on the default scenario: one quiet step, one full path.
//
// The per-step cost of a step without liquidations must not grow with the number of positions
// (threshold heaps, not scans): compare BM_QuietStep at 10^3 and 10^5 positions per asset.
#include <benchmark/benchmark.h>

#include <map>

#include "sim/engine.hpp"
#include "sim/initial_book.hpp"
#include "sim/random_streams.hpp"
#include "sim/scenario_loader.hpp"

namespace {

const cascade::Scenario& default_scenario(int count) {
  static std::map<int, cascade::Scenario> cache;
  auto it = cache.find(count);
  if (it == cache.end()) {
    std::vector<std::string> set;
    for (const char* a : {"BTC", "ETH", "FET", "TAO", "RENDER"})
      set.push_back(std::string("assets.") + a + ".population.count=" + std::to_string(count));
    set.push_back("shocks.0.move=-0.0001");  // no shock: quiet steps
    set.push_back("shocks.1.move=-0.0001");
    it = cache.emplace(count, cascade::load_scenario(CASCADE_SOURCE_DIR "/scenarios/ai_token_crash.yaml", set)).first;
  }
  return it->second;
}

void BM_QuietStep(benchmark::State& state) {
  const auto& sc = default_scenario(static_cast<int>(state.range(0)));
  const cascade::RunPlan plan(sc);
  cascade::Engine engine(plan, cascade::build_initial_book(sc, 1), 2, 0, 0);
  int t = 0;
  for (auto _ : state) {
    engine.step(1 + (t++ % sc.steps));
  }
  state.counters["positions"] = static_cast<double>(engine.positions().count());
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
