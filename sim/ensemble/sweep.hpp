#pragma once
// Sweeps and shards: from the command line (or a scenario's `sweep:` block) to the scenarios of
// the grid points and the block of (point, path) rows one process runs.
//
// Every point is the base scenario with `key=value` overrides applied by the loader, exactly like
// `--set`, so a swept value is validated like a value written in the file; errors are reported at
// the value (`--values:N:COL`, or the file line of the `sweep:` block) and name the point. The
// base scenario's resolved YAML holds the sweep block (the command-line form is written into it),
// so a results file's `scenario_yaml` alone reproduces the sweep. The block never changes a point.
//
// Rows: the grid of (point, path) is flattened point-major, row = point * paths + path. A shard
// i of n holds the contiguous rows [floor(i*R/n), floor((i+1)*R/n)) of the R rows; MPI ranks split
// a shard's rows the same way.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/results/schema.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep_spec.hpp"

namespace cascade {

// ---- the job ------------------------------------------------------------------------------

/// Everything needed to load the points of a run or sweep.
struct SweepJob {
  std::string scenario_path;
  std::vector<std::string> overrides;  ///< --set (plus --paths/--seed), applied to every point
  Scenario base;   ///< the scenario with the sweep block; its resolved_yaml is the file's
  SweepSpec spec;  ///< empty for a plain run
  std::int64_t points() const noexcept { return spec.points(); }
  std::int64_t rows() const noexcept { return points() * base.paths; }
};

/// Loads the base scenario and the sweep. `cli`: the sweep from --param/--values (it replaces any
/// `sweep:` block); without it the file's block (after overrides) is used when `use_block`, else
/// the job is a plain run. `independent_points` (--independent-points) makes the points draw
/// independent random numbers whatever the block says; it is written into the base's sweep
/// block, so the results file's scenario_yaml (and so the run fingerprint) records it. Throws
/// InputError.
SweepJob prepare_sweep_job(const std::string& scenario_path, std::vector<std::string> overrides,
                           const SweepSpec* cli, bool use_block, bool independent_points = false);

/// The overrides of point `p`: "key=value" for every key of every axis.
std::vector<std::string> point_overrides(const SweepSpec& spec, std::int64_t point);

/// The scenario of point `p` (with Scenario::independent_points from the sweep). Throws InputError
/// located at the swept key or value when the value is rejected, naming the point; also when the
/// point changes what the results layout needs to be equal across points (steps, dt, paths, assets,
/// output), compared with `point0` unless it is null.
Scenario load_point(const SweepJob& job, std::int64_t point, const Scenario* point0);

/// The /sweep datasets: one SweepAxis per key, with its value at every point and its unit.
std::vector<SweepAxis> sweep_datasets(const SweepSpec& spec);

/// 16 hex digits identifying a run: what a shard holds must come from the same run to be merged.
/// Hashes the format version, the cascade version, the resolved scenario YAML (with the sweep
/// block, seed and paths), the CSV data it loaded (positions, accounts, replay prices) and the
/// row count.
std::string run_fingerprint(const SweepJob& job, const std::string& cascade_version);

// ---- shards -------------------------------------------------------------------------------

struct ShardSelector {
  std::int32_t index = 0;  ///< 0-based
  std::int32_t count = 1;
};

/// "i/n" with 0 <= i < n (0-based, like Slurm array and MPI ranks). Throws InputError located
/// `--shard:1:COL`.
ShardSelector parse_shard(const std::string& text);

/// Rows [begin, end) of block `index` of `count` contiguous, nearly equal blocks of `rows`.
struct RowRange {
  std::int64_t begin = 0, end = 0;
  std::int64_t size() const noexcept { return end - begin; }
};
RowRange block_rows(std::int64_t rows, std::int64_t index, std::int64_t count);

}  // namespace cascade
