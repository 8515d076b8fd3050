#include "sim/monte_carlo.hpp"

#include <algorithm>
#include <mutex>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "sim/engine.hpp"
#include "sim/initial_book.hpp"
#include "sim/interrupt.hpp"
#include "sim/random_streams.hpp"

namespace cascade {

RunResults run_monte_carlo(const Scenario& sc, const RunOptions& options) {
  const std::int64_t begin = options.path_begin;
  const std::int64_t end = options.path_end < 0 ? sc.paths : options.path_end;
  const auto n_paths = static_cast<std::size_t>(std::max<std::int64_t>(0, end - begin));
  const RunPlan plan(sc);

  RunResults results;
  results.outcomes.resize(n_paths);
  results.account_names = account_names(sc);

  // Per-run population: sampled once from the run-wide stream and copied into every path.
  const bool per_run = sc.sample == SampleMode::PerRun;
  PositionBook shared_book;
  if (per_run) shared_book = build_initial_book(sc, stream_seed(sc.seed, options.point, -1, Stream::Population));
  auto initial_book = [&](std::int64_t path) {
    return per_run ? shared_book
                   : build_initial_book(sc, stream_seed(sc.seed, options.point, path, Stream::Population));
  };
  results.initial_positions = describe_positions(per_run ? shared_book : initial_book(0));

  // Recorded paths within this range get a time-series slot each.
  std::vector<std::int64_t> slot_of(n_paths, -1);
  for (int p : sc.output.timeseries_paths)
    if (p >= begin && p < end) slot_of[static_cast<std::size_t>(p - begin)] = 0;
  for (std::size_t i = 0; i < n_paths; ++i) {
    if (slot_of[i] != 0) continue;
    slot_of[i] = static_cast<std::int64_t>(results.timeseries.size());
    results.timeseries.emplace_back();
  }
  std::vector<std::vector<LiquidationEvent>> events(sc.output.events ? n_paths : 0);

  std::mutex progress_mutex;
  std::int64_t done = 0;
  auto run_one = [&](std::size_t i) {
    throw_if_interrupted();
    const std::int64_t path = begin + static_cast<std::int64_t>(i);
    PathSinks sinks;
    if (slot_of[i] >= 0) sinks.timeseries = &results.timeseries[static_cast<std::size_t>(slot_of[i])];
    if (sc.output.events) sinks.events = &events[i];
    Engine engine(plan, initial_book(path), stream_seed(sc.seed, options.point, path, Stream::Prices),
                  options.point, path, sinks);
    results.outcomes[i] = engine.run();
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      options.progress(++done, static_cast<std::int64_t>(n_paths));
    }
  };

  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n_paths, 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t i = r.begin(); i != r.end(); ++i) run_one(i);
                      });
  });
  throw_if_interrupted();

  if (sc.output.events) {
    std::size_t total = 0;
    for (const auto& e : events) total += e.size();
    results.events.reserve(total);
    for (auto& e : events) results.events.insert(results.events.end(), e.begin(), e.end());
  }
  return results;
}

}  // namespace cascade
