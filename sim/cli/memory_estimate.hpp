#pragma once
// What a run will hold in memory, estimated from the scenario before anything is allocated.
//
// `cascade run` used to allocate until std::bad_alloc (a population of 1e9, 1e9 steps, events
// of 10^6 positions x 10^5 paths) and `cascade check`'s estimate overflowed `int`. The estimate
// is in 64-bit integers and sums what grows with the scenario's keys: the position books (one
// per worker thread, the start book shared), arrivals over the horizon, cross accounts, the
// outcomes of every (point, path) row, the recorded time series, the events (bounded by one per
// position per row) and the plan's per-step tables. It is an upper bound of the order of
// magnitude, not a prediction to the byte; its purpose is to refuse a run that cannot fit before
// it starts, and to name the key that makes it large.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace cascade {

struct MemoryEstimate {
  struct Part {
    std::string what;  ///< e.g. "position books (4 threads)"
    std::string key;   ///< the scenario key (or option) that drives it
    std::uint64_t bytes = 0;
  };
  std::vector<Part> parts;
  std::uint64_t total = 0;  ///< saturates at UINT64_MAX

  /// The largest part (what to lower).
  const Part& largest() const;
};

/// The estimate for `rows` (point, path) rows of scenario `sc` run on `threads` workers.
MemoryEstimate estimate_memory(const Scenario& sc, std::int64_t rows, int threads);

/// This machine's memory for one process: physical memory, or the cgroup's limit when lower;
/// 0 when unknown.
std::uint64_t machine_memory_bytes();

/// "12.3 MiB", "4.0 GiB", ...
std::string format_bytes(std::uint64_t bytes);

}  // namespace cascade
