#pragma once
// Reads back a results file written by write_results (sim/results/writer.hpp): used by
// `cascade inspect`, `cascade merge` and the tests. Layout: docs/results.md.
#include <cstdint>
#include <string>

#include "sim/results/schema.hpp"

namespace cascade {

struct ResultsFile {
  RunInfo info;  ///< events_enabled is true when the file has /events/liquidations
  bool complete = false;
  std::int32_t format_version = 0;
  RunResults results;
};

/// Reads the whole file. Throws std::runtime_error naming `path` when it is not an HDF5 file, not
/// a cascade-results file, of a newer format_version, incomplete (`complete` != 1: the run that
/// wrote it did not finish), or when a dataset is missing or has the wrong shape.
ResultsFile read_results(const std::string& path);

/// Like read_results, but reads only the root attributes and /sweep (info, format_version,
/// complete): `results` stays empty. Same checks and errors.
ResultsFile read_results_header(const std::string& path);

}  // namespace cascade
