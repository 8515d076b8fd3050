#pragma once
// The `cascade` subcommands, callable from main() and from tests. Each returns the process
// exit status (0 success, 1 runtime failure, 2 invalid input or usage) and reports input
// errors itself, on `err`, as `FILE:LINE:COL: error: ...`.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace cascade {

namespace mpi {
class Session;
}

/// The most worker threads `--threads` accepts (more is refused with exit 2, not clamped).
inline constexpr int kMaxThreads = 4096;

struct ScenarioArgs {
  std::string scenario;
  std::vector<std::string> overrides;  ///< --set key.path=value
};

struct RunArgs : ScenarioArgs {
  std::string output;
  std::optional<std::int64_t> paths;
  /// --seed as written: checked by the loader like the YAML key `seed` (decimal, [0, 2^64)).
  std::optional<std::string> seed;
  int threads = 0;        ///< per process (per MPI rank); 0 = all cores (shared by the node's ranks)
  std::string shard;      ///< "i/n": run only block i of n of the (point, path) rows; empty: all
  bool force = false;
  bool allow_large = false;  ///< run even when the memory estimate exceeds the machine's memory
  bool quiet = false;
  bool progress = false;  ///< draw a progress bar on err (main sets it when stderr is a tty)
  std::string command_line;
  const mpi::Session* mpi = nullptr;  ///< the MPI job this process is a rank of (null: none)
};

/// `cascade sweep`: a run over a grid of scenario values.
struct SweepArgs : RunArgs {
  std::vector<std::string> params;  ///< --param KEY[,KEY...] (repeatable)
  std::vector<std::string> values;  ///< --values V1,V2,... (one per --param)
  bool independent_points = false;  ///< --independent-points: no common random numbers
};

/// `cascade merge`: shard files of one run into one results file.
struct MergeArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false;
  bool quiet = false;
  std::string command_line;
};

/// `cascade compare`: two results files, or two points of one.
struct CompareArgs {
  std::vector<std::string> inputs;   ///< one or two results files
  std::vector<std::int64_t> points;  ///< --point (none, or two)
  bool json = false;
};

/// `cascade solve`: the value of one key at which a quantile of an outcome meets a target.
struct SolveArgs : ScenarioArgs {
  std::optional<std::int64_t> paths;
  std::optional<std::string> seed;  ///< as written, checked like the YAML key `seed`
  int threads = 0;
  std::string param;   ///< --param KEY
  std::string range;   ///< --range LO,HI
  std::string metric;  ///< --metric: a /summary metric
  double quantile = 0.5;
  double target = 0.0;
  double tolerance = 0.0;  ///< --tolerance: bracket width to stop at; 0 = (HI - LO) / 1000
  int max_runs = 40;
  bool json = false;
};

/// `cascade report`: the HTML report of a results file.
struct ReportArgs {
  std::string input;
  std::string output;
  bool force = false;
  bool quiet = false;
};

struct LevelsArgs : ScenarioArgs {
  std::string csv;             ///< per-position CSV output (empty: none)
  double bucket_percent = 1.0; ///< price bucket width, % of the start price
  double range_percent = 50.0; ///< show buckets within +- this % of the start price
};

int command_run(const RunArgs& args, std::ostream& out, std::ostream& err);
int command_sweep(const SweepArgs& args, std::ostream& out, std::ostream& err);
int command_merge(const MergeArgs& args, std::ostream& out, std::ostream& err);
int command_check(const ScenarioArgs& args, std::ostream& out, std::ostream& err);
int command_levels(const LevelsArgs& args, std::ostream& out, std::ostream& err);
int command_compare(const CompareArgs& args, std::ostream& out, std::ostream& err);
int command_solve(const SolveArgs& args, std::ostream& out, std::ostream& err);
int command_report(const ReportArgs& args, std::ostream& out, std::ostream& err);

/// Writes `text` to `path` atomically (temporary name, then rename). Throws on failure.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace cascade
