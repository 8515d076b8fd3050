#pragma once
// The Monte Carlo driver: runs paths in parallel with TBB and gathers their results.
//
// Each path is an independent Engine seeded from (seed, point, path) only, and writes into its
// own preallocated slot, so results are bitwise identical for any thread count (tested).
#include <cstdint>
#include <functional>

#include "sim/results.hpp"
#include "sim/scenario.hpp"

namespace cascade {

struct RunOptions {
  int threads = 0;             ///< 0 = all cores
  std::int32_t point = 0;      ///< sweep point (0 for a plain run)
  std::int64_t path_begin = 0; ///< first path to run
  std::int64_t path_end = -1;  ///< one past the last; -1 = scenario paths
  /// Called (serialised) after each finished path with (done, total).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

/// Runs the paths and returns their outcomes in path order. Throws Interrupted on SIGINT.
RunResults run_monte_carlo(const Scenario& sc, const RunOptions& options);

}  // namespace cascade
