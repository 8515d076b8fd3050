#pragma once
// The Monte Carlo driver: runs (point, path) rows in parallel with TBB and gathers their results.
//
// A sweep's grid is flattened point-major (row = point * paths + path) and any contiguous block
// of rows — a whole sweep, a shard, an MPI rank's share — runs in ONE parallel loop, so a sweep
// of many points with few paths each keeps every core busy. Each path is an independent Engine
// seeded from (seed, stream point, path) only (sim/plan/random_streams.hpp: sweep points share
// their streams unless independent_points) and writes into its own preallocated slot, so results
// are bitwise identical for any thread count, block split or process count (tested).
#include <cstdint>
#include <functional>
#include <span>

#include "sim/results/schema.hpp"
#include "sim/scenario/scenario.hpp"

namespace cascade {

struct RunOptions {
  int threads = 0;             ///< 0 = all cores
  std::int32_t point = 0;      ///< sweep point (0 for a plain run)
  std::int64_t path_begin = 0; ///< first path to run
  std::int64_t path_end = -1;  ///< one past the last; -1 = scenario paths
  /// Called (serialised) after each finished path with (done, total).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

/// Runs the paths of one scenario (one sweep point) and returns their outcomes in path order,
/// with /positions/initial from path 0's book. Throws Interrupted on SIGINT.
RunResults run_monte_carlo(const Scenario& sc, const RunOptions& options);

struct GridOptions {
  int threads = 0;  ///< 0 = all cores
  /// Called (serialised) after each finished row with (done, total).
  std::function<void(std::int64_t, std::int64_t)> progress;
  /// Also fill initial_positions and account_names with the initial book of path 0 of the first
  /// point of the rows, reusing the book the run was started from when the population is
  /// sampled once per run (instead of sampling it again: docs/performance.md).
  bool describe_initial = false;
};

/// Runs rows [row_begin, row_end) of a sweep's grid. `points[i]` is the scenario of sweep point
/// `first_point + i`; together they must cover the rows' points, and all have the same `paths`,
/// steps, assets and output settings (sim/ensemble/sweep.hpp checks). Returns outcomes, time series (the
/// paths in each point's `output.timeseries_paths`) and events in row order; initial_positions
/// and account_names are left empty unless options.describe_initial (otherwise
/// describe_initial_book fills them). Throws Interrupted.
RunResults run_rows(std::span<const Scenario> points, std::int32_t first_point,
                    std::int64_t row_begin, std::int64_t row_end, const GridOptions& options);

/// Runs body(j) for every j in [0, n) with TBB in the current task arena (a ForEach of
/// sim/book/start_book.hpp: the book's builders and the writer's chunk loop get it); the hand-over
/// to and from the workers is made visible to ThreadSanitizer (tools/tsan-tbb.supp).
void parallel_for_each(std::size_t n, const std::function<void(std::size_t)>& body);

/// Sets results.initial_positions and account_names: the initial book of path 0 of `sc` at sweep
/// point `point` (the run-wide book when the population is sampled once per run).
void describe_initial_book(const Scenario& sc, std::int32_t point, RunResults& results);

}  // namespace cascade
