#pragma once
// `cascade inspect OUT.h5`: a human summary of a results file — run metadata, percentiles of the
// main outcomes across paths, and a per-asset table. Numbers are for reading, not for scripts
// (scripts read the HDF5 file, e.g. through tools/cascade_results.py).
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/analysis/format.hpp"      // format_quantity
#include "sim/analysis/statistics.hpp"  // percentile

namespace cascade {

struct InspectOptions {
  std::int64_t point = -1;         ///< show only this sweep point's tables (-1: every point)
  std::size_t max_point_tables = 20;  ///< above this many points, only the overview (and --point)
};

/// Prints the summary of the results file at `path` to `out` and returns 0 (the exit status).
/// Throws std::runtime_error (from read_results) when the file cannot be read, is not a
/// cascade-results file, or is incomplete. A sweep prints an overview with one line per point
/// (its swept values and the main percentiles), then one table set per point.
int inspect_results(const std::string& path, std::ostream& out, const InspectOptions& options = {});

}  // namespace cascade
