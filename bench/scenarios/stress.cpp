// The scale benchmark of issue 5 (docs/performance.md): bench/scenarios/stress.yaml — 8 assets,
// 72 h of 1-minute steps, stop-losses, margin calls, arrivals, an unlock, flows, funding — with
// its population scaled to a total of N positions (10^4 ... 10^6), sampled once per run.
//
// BM_StressPath/N      one whole path from the run's shared StartBook (built once, not timed):
//                      time per path, per path-step, and position-steps per second.
//                      ns_per_event: the path's time over its events (liquidations, stops,
//                      margin calls, arrivals): what an event costs, the per-step machinery included.
// BM_StressThreads/T   64 paths of the 10^6-position run on T threads: the speed-up of the
//                      Monte Carlo loop over paths (wall time; setup excluded; bench/scaling.sh).
// BM_StressSample/T    sampling the 10^6 positions into the run's book on T threads.
// BM_StressStartBook/T the shared StartBook from that book (queues frozen on T threads).
// BM_StressWriteInitial/T /positions/initial of the 10^6 positions written to an HDF5 file, its
//                      chunks deflated on T threads.
// The full 1000-path run is a command (`cascade run bench/scenarios/stress.yaml`), not a
// benchmark iteration; docs/performance.md has both.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <unistd.h>

#include <string>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/results/writer.hpp"
#include "sim/scenario/loader.hpp"

namespace {

constexpr double kFullPositions = 1.0e6;

std::uint64_t population_seed(const cascade::Scenario& sc) {
  return cascade::stream_seed(sc.seed, 0, -1, cascade::Stream::Population);
}

/// A TBB loop on `threads` threads, as the Monte Carlo driver passes to the book's builders.
cascade::ForEach parallel_on(tbb::task_arena& arena) {
  return [&arena](std::size_t n, const std::function<void(std::size_t)>& body) {
    arena.execute([&] { tbb::parallel_for(std::size_t{0}, n, body); });
  };
}

/// The stress scenario with every population (and its arrival rate) scaled to `positions` in
/// total, and the run's shared start, built once per size.
struct StressRun {
  cascade::Scenario sc;
  std::unique_ptr<cascade::RunPlan> plan;
  std::shared_ptr<const cascade::StartBook> start;
};

const StressRun& stress(std::int64_t positions) {
  static std::map<std::int64_t, std::unique_ptr<StressRun>> cache;
  auto& run = cache[positions];
  if (!run) {
    run = std::make_unique<StressRun>();
    run->sc = cascade::load_scenario(CASCADE_SOURCE_DIR "/bench/scenarios/stress.yaml");
    const double f = static_cast<double>(positions) / kFullPositions;
    for (auto& a : run->sc.assets)
      if (a.population) {
        a.population->count = static_cast<int>(a.population->count * f + 0.5);
        a.population->arrivals_per_day *= f;
      }
    run->plan = std::make_unique<cascade::RunPlan>(run->sc);
    run->start = std::make_shared<const cascade::StartBook>(
        cascade::make_start_book(*run->plan, cascade::build_initial_book(run->sc, population_seed(run->sc)), true));
  }
  return *run;
}

cascade::PathOutcome run_path(const StressRun& r, std::int64_t path) {
  return cascade::Engine(*r.plan, r.start,
                         cascade::stream_seed(r.sc.seed, 0, path, cascade::Stream::Prices), 0, path)
      .run();
}

void BM_StressPath(benchmark::State& state) {
  const StressRun& r = stress(state.range(0));
  std::int64_t path = 0;
  double events = 0.0;
  for (auto _ : state) {
    const cascade::PathOutcome o = run_path(r, path++);
    events += static_cast<double>(o.liquidations + o.stops + o.margin_calls + o.arrivals);
    benchmark::DoNotOptimize(o.liquidated_notional);
  }
  const double steps = r.sc.steps;
  const auto n = static_cast<double>(r.start->positions.count());
  state.counters["positions"] = n;
  state.counters["events_per_path"] = events / static_cast<double>(state.iterations());
  state.counters["ns_per_event"] = benchmark::Counter(
      events * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["path_steps_per_s"] =
      benchmark::Counter(steps * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["position_steps_per_s"] =
      benchmark::Counter(n * steps * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StressPath)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(8);

void BM_StressThreads(benchmark::State& state) {
  const StressRun& r = stress(1000000);
  const auto threads = static_cast<int>(state.range(0));
  constexpr std::int64_t kPaths = 64;
  std::int64_t first = 1000;  // paths not shared with BM_StressPath's
  for (auto _ : state) {
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_for(std::int64_t{0}, kPaths, [&](std::int64_t p) {
        benchmark::DoNotOptimize(run_path(r, first + p).liquidated_notional);
      });
    });
    first += kPaths;
  }
  state.counters["paths_per_s"] =
      benchmark::Counter(static_cast<double>(kPaths * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StressThreads)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

void BM_StressSample(benchmark::State& state) {
  const StressRun& r = stress(1000000);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  const cascade::ForEach for_each = parallel_on(arena);
  for (auto _ : state) {
    const cascade::PositionBook book = cascade::build_initial_book(r.sc, population_seed(r.sc), for_each);
    benchmark::DoNotOptimize(book.count());
  }
}
BENCHMARK(BM_StressSample)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_StressStartBook(benchmark::State& state) {
  const StressRun& r = stress(1000000);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  const cascade::ForEach for_each = parallel_on(arena);
  for (auto _ : state) {
    state.PauseTiming();
    cascade::PositionBook book = r.start->positions;  // pages shared: the copy is O(pages)
    state.ResumeTiming();
    const cascade::StartBook start = cascade::make_start_book(*r.plan, std::move(book), true, for_each);
    benchmark::DoNotOptimize(start.open_interest_usd);
  }
}
BENCHMARK(BM_StressStartBook)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_StressWriteInitial(benchmark::State& state) {
  const StressRun& r = stress(1000000);
  cascade::RunResults results;
  results.account_names = cascade::account_names(r.sc);
  results.initial_positions = cascade::describe_positions(r.start->positions);
  cascade::RunInfo info;
  info.scenario_name = r.sc.name;
  info.steps = r.sc.steps;
  info.dt_s = r.sc.dt_s;
  for (const auto& a : r.sc.assets) info.assets.push_back(a.name);
  const std::string path = "/tmp/cascade_bench_initial." + std::to_string(::getpid()) + ".h5";
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  const cascade::ForEach for_each = parallel_on(arena);
  for (auto _ : state) cascade::write_results(path, info, results, true, {}, for_each);
  ::unlink(path.c_str());
  state.counters["positions"] = static_cast<double>(results.initial_positions.size());
}
BENCHMARK(BM_StressWriteInitial)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
