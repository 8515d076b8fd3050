#pragma once
// Running a prepared job (sim/ensemble/sweep.hpp) end to end, for `cascade run` and `cascade sweep`: pick
// the block of rows this process owns (the shard's rows, split over MPI ranks), load and check
// the points, simulate, gather on rank 0, write the results file atomically, print a summary.
#include <optional>
#include <ostream>
#include <string_view>

#include "sim/cli/commands.hpp"
#include "sim/ensemble/sweep.hpp"

namespace cascade {

/// Runs `job` and returns the exit status; `command` ("run", "sweep") prefixes messages.
int execute_job(const SweepJob& job, const RunArgs& args, const std::optional<ShardSelector>& shard,
                std::string_view command, std::ostream& out, std::ostream& err);

/// The scenario overrides a run's options imply: --set, then `--paths=N` and `--seed=S`, which
/// the loader applies as the top-level keys and reports errors in as the option (`--paths:`).
std::vector<std::string> run_overrides(const RunArgs& args);
/// The same from the pieces (`cascade solve` has the options but is not a run).
std::vector<std::string> run_overrides(std::vector<std::string> set,
                                       const std::optional<std::int64_t>& paths,
                                       const std::optional<std::string>& seed);

}  // namespace cascade
