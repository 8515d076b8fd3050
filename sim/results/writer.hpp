#pragma once
// Writes a run's results as one HDF5 file (layout: docs/results.md).
//
// The layout is driven by the tables of sim/results/schema.hpp: the metric tables for /summary
// and /timeseries, the column tables for /events/liquidations and /positions/initial. The
// writer, the reader (sim/results/reader.hpp), the MPI transport and the docs iterate the same
// tables, so a new metric is one line in schema.hpp.
//
// Atomicity: the file is written under a temporary name next to the output and renamed over it
// only once complete (root attribute `complete` = 1, written last), so a failed or interrupted run
// never leaves a file at the output path that looks complete.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/results/schema.hpp"

namespace cascade {

/// A run produced NaN or an infinity in an outcome: write_results refuses to write the file.
class NonFiniteOutcome : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The temporary name an output is written under before the rename: in the output's directory,
/// short whatever the output's name (`.cascade.tmp.PID`), so that it fits beside a name of the
/// file system's maximum length. Only a killed run (SIGKILL, a crash, a power cut) leaves one
/// behind (docs/results.md).
std::string temporary_path(const std::string& output);

/// Writes `results` to `out_path` atomically: writes temporary_path(out_path), then renames it over
/// `out_path`; the root attribute `complete` = 1 is written last, just before close and rename.
/// On any exception (including Interrupted) the temporary file is removed and the exception
/// rethrown. Refuses (std::runtime_error "OUT exists (use --force to overwrite)") when `out_path`
/// exists and !force. Inconsistent input (a per-asset vector or time series of the wrong length)
/// throws std::invalid_argument, and a NaN or infinite outcome NonFiniteOutcome, before any file
/// is created. Called from one thread only.
///
/// `poll` (when set) is called between datasets and aborts the write by throwing (the command line passes
/// throw_if_interrupted, so SIGINT/SIGTERM stop the write; tests inject failures through it). The
/// writer itself knows nothing of signals.
///
/// `parallel` (when set) runs body(j) for j in [0, n), possibly in parallel: the row tables'
/// chunks are compressed through it (the HDF5 calls stay on the calling thread).
using ParallelLoop = std::function<void(std::size_t n, const std::function<void(std::size_t)>& body)>;
void write_results(const std::string& out_path, const RunInfo& info, const RunResults& results,
                   bool force, const std::function<void()>& poll = {}, const ParallelLoop& parallel = {});

}  // namespace cascade
