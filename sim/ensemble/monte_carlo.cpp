#include "sim/ensemble/monte_carlo.hpp"

#include <algorithm>
#include <memory>
#include <atomic>
#include <mutex>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "sim/engine/engine.hpp"
#include "sim/book/cross_levels.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/ensemble/interrupt.hpp"
#include "sim/ensemble/tbb_bodies.hpp"
#include "sim/plan/random_streams.hpp"

namespace cascade {
namespace {

/// Debian's libtbb is not built with ThreadSanitizer, so the hand-over of work to TBB's workers
/// and their join are invisible to it and it reports every result slot as a race. A release /
/// acquire pair on one atomic around each task states the same ordering where TSan can see it
/// (one uncontended atomic per path: free), so the tsan preset checks our code, not TBB's.
/// The atomic is a global, not a capture, so a worker reaches it before reading anything the
/// calling thread wrote.
std::atomic<std::uint64_t> g_handoff{0};
struct HandOff {
  static void release() noexcept { g_handoff.fetch_add(1, std::memory_order_release); }
  static void acquire() noexcept { (void)g_handoff.load(std::memory_order_acquire); }
};

/// Population seed of a path: the run-wide stream (path -1) when sampled once per run.
std::uint64_t population_seed(const Scenario& sc, std::int32_t point, std::int64_t path) {
  return stream_seed(sc.seed, stream_point(sc.independent_points, point),
                     sc.sample == SampleMode::PerRun ? -1 : path, Stream::Population);
}

}  // namespace

void parallel_for_each(std::size_t n, const std::function<void(std::size_t)>& body) {
  HandOff::release();  // what the bodies read was written before
  const auto one = [&body](std::size_t j) {
    HandOff::acquire();
    body(j);
    HandOff::release();
  };
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n), RowsBody<decltype(one)>{&one});
  HandOff::acquire();  // what the bodies wrote is read after
}

RunResults run_rows(std::span<const Scenario> points, std::int32_t first_point,
                    std::int64_t row_begin, std::int64_t row_end, const GridOptions& options) {
  RunResults results;
  const auto n_rows = static_cast<std::size_t>(std::max<std::int64_t>(0, row_end - row_begin));
  if (n_rows == 0) return results;
  const std::int64_t paths = points.front().paths;
  auto local = [&](std::int64_t row) {
    return static_cast<std::size_t>(row / paths - first_point);
  };
  const std::size_t lp_first = local(row_begin), lp_last = local(row_end - 1);

  // Shared per point: the plan, and the start of every path (book, threshold queues, ledgers)
  // when the population is sampled once per run; paths copy it in O(pages), not O(positions).
  std::vector<std::unique_ptr<RunPlan>> plans(points.size());
  std::vector<std::shared_ptr<const StartBook>> shared_starts(points.size());
  for (std::size_t lp = lp_first; lp <= lp_last; ++lp) {
    throw_if_interrupted();  // a sweep of many points spends its set-up here
    plans[lp] = std::make_unique<RunPlan>(points[lp]);
  }
  const int threads =
      options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    const auto body = [&](std::size_t lp) {
      HandOff::acquire();
      const Scenario& sc = points[lp];
      if (sc.sample == SampleMode::PerRun)
        shared_starts[lp] = std::make_shared<const StartBook>(make_start_book(
            *plans[lp],
            build_initial_book(sc, population_seed(sc, first_point + static_cast<std::int32_t>(lp), 0),
                               parallel_for_each),
            true, parallel_for_each));
      HandOff::release();
    };
    HandOff::release();
    tbb::parallel_for(lp_first, lp_last + 1, body);
  });
  HandOff::acquire();
  if (options.describe_initial) {
    const Scenario& sc = points[lp_first];
    if (shared_starts[lp_first]) {
      results.account_names = account_names(sc);
      results.initial_positions = describe_positions(shared_starts[lp_first]->positions);
      // Cross positions at their account's levels, as `cascade levels --csv` shows them.
      fill_cross_levels(*plans[lp_first], shared_starts[lp_first]->positions,
                        plans[lp_first]->start_prices, results.initial_positions);
    } else {
      describe_initial_book(sc, first_point + static_cast<std::int32_t>(lp_first), results);
    }
  }

  results.outcomes.resize(n_rows);
  // Recorded paths get a time-series slot each, in row order.
  // A sorted copy per point: a million recorded paths must not make this loop quadratic.
  std::vector<std::vector<int>> recorded(points.size());
  for (std::size_t lp = lp_first; lp <= lp_last; ++lp) {
    recorded[lp] = points[lp].output.timeseries_paths;
    std::sort(recorded[lp].begin(), recorded[lp].end());
  }
  std::vector<std::int64_t> slot_of(n_rows, -1);
  for (std::size_t i = 0; i < n_rows; ++i) {
    if (i % 4096 == 0) throw_if_interrupted();
    const std::int64_t row = row_begin + static_cast<std::int64_t>(i);
    const auto& rec = recorded[local(row)];
    if (!std::binary_search(rec.begin(), rec.end(), static_cast<int>(row % paths))) continue;
    slot_of[i] = static_cast<std::int64_t>(results.timeseries.size());
    results.timeseries.emplace_back();
  }
  const bool events_on = points[lp_first].output.events;
  std::vector<std::vector<LiquidationEvent>> events(events_on ? n_rows : 0);
  std::vector<std::vector<AdlEvent>> adl_events(events_on ? n_rows : 0);

  std::mutex progress_mutex;
  std::int64_t done = 0;
  auto run_one = [&](std::size_t i) {
    HandOff::acquire();
    throw_if_interrupted();
    const std::int64_t row = row_begin + static_cast<std::int64_t>(i);
    const std::size_t lp = local(row);
    const Scenario& sc = points[lp];
    const auto point = first_point + static_cast<std::int32_t>(lp);
    const std::int64_t path = row % paths;
    PathSinks sinks;
    if (slot_of[i] >= 0) sinks.timeseries = &results.timeseries[static_cast<std::size_t>(slot_of[i])];
    if (events_on) {
      sinks.events = &events[i];
      sinks.adl_events = &adl_events[i];
    }
    const std::uint64_t price_seed =
        stream_seed(sc.seed, stream_point(sc.independent_points, point), path, Stream::Prices);
    results.outcomes[i] =
        sc.sample == SampleMode::PerRun
            ? Engine(*plans[lp], shared_starts[lp], price_seed, point, path, sinks).run()
            : Engine(*plans[lp], build_initial_book(sc, population_seed(sc, point, path)), price_seed,
                     point, path, sinks)
                  .run();
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      options.progress(++done, static_cast<std::int64_t>(n_rows));
    }
    HandOff::release();
  };
  arena.execute([&] {
    const RowsBody<decltype(run_one)> body{&run_one};
    HandOff::release();  // after everything the workers will read has been written
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n_rows, 1), body);
  });
  HandOff::acquire();
  throw_if_interrupted();

  if (events_on) {
    std::size_t total = 0;
    for (const auto& e : events) total += e.size();
    results.events.reserve(total);
    for (auto& e : events) results.events.insert(results.events.end(), e.begin(), e.end());
    for (auto& e : adl_events) results.adl_events.insert(results.adl_events.end(), e.begin(), e.end());
  }
  return results;
}

void describe_initial_book(const Scenario& sc, std::int32_t point, RunResults& results) {
  results.account_names = account_names(sc);
  const PositionBook book = build_initial_book(sc, population_seed(sc, point, 0));
  results.initial_positions = describe_positions(book);
  // Cross positions at their account's levels, as `cascade levels --csv` shows them.
  const RunPlan plan(sc);
  fill_cross_levels(plan, book, plan.start_prices, results.initial_positions);
}

RunResults run_monte_carlo(const Scenario& sc, const RunOptions& options) {
  const std::int64_t base = static_cast<std::int64_t>(options.point) * sc.paths;
  const std::int64_t end = options.path_end < 0 ? sc.paths : options.path_end;
  GridOptions grid;
  grid.threads = options.threads;
  grid.progress = options.progress;
  grid.describe_initial = true;
  const std::int64_t row_begin = base + options.path_begin, row_end = base + std::max(end, options.path_begin);
  RunResults results = run_rows(std::span<const Scenario>(&sc, 1), options.point, row_begin, row_end, grid);
  if (row_end == row_begin) describe_initial_book(sc, options.point, results);  // no rows: not described
  return results;
}

}  // namespace cascade
