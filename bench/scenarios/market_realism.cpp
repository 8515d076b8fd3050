// Market realism: what within-step extremes cost per path (scenarios/intrastep_wicks.yaml), and a
// path of the market-scale seed scenario (scenarios/ai_token_deleveraging.yaml, 266,000 positions).
//
// BM_WicksPath/0 is the scenario at dt = 300 s, /1 with engine.intrastep_extremes (two uniforms
// and up to two extra cascades per step); docs/market.md compares both with dt = 5 s.
#include <benchmark/benchmark.h>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/scenario/loader.hpp"

namespace {

void run_paths(benchmark::State& state, const cascade::Scenario& sc) {
  const cascade::RunPlan plan(sc);
  std::int64_t path = 0;
  for (auto _ : state) {
    cascade::Engine engine(
        plan, cascade::build_initial_book(sc, cascade::stream_seed(sc.seed, 0, path, cascade::Stream::Population)),
        cascade::stream_seed(sc.seed, 0, path, cascade::Stream::Prices), 0, path);
    benchmark::DoNotOptimize(engine.run().liquidated_notional);
    ++path;
  }
}

void BM_WicksPath(benchmark::State& state) {
  cascade::Scenario sc = cascade::load_scenario(CASCADE_SOURCE_DIR "/scenarios/intrastep_wicks.yaml");
  sc.engine.intrastep_extremes = state.range(0) != 0;
  run_paths(state, sc);
}
BENCHMARK(BM_WicksPath)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_DeleveragingPath(benchmark::State& state) {
  // The book is sampled per path here (the run shares one, docs/engine.md): this times the
  // sampling of 266,000 positions plus one 72-hour path.
  run_paths(state, cascade::load_scenario(CASCADE_SOURCE_DIR "/scenarios/ai_token_deleveraging.yaml"));
}
BENCHMARK(BM_DeleveragingPath)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
