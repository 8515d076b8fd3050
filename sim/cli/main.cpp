// `cascade`: the command line (INTERFACE.md). Parsing and dispatch only; each subcommand
// lives in its own command_*.cpp.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cascade/version.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/inspect.hpp"
#include "sim/ensemble/interrupt.hpp"
#include "sim/ensemble/mpi_session.hpp"

namespace {

std::string join_command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

void add_scenario_options(CLI::App* cmd, cascade::ScenarioArgs& a) {
  cmd->add_option("scenario", a.scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", a.overrides, "Override a scalar scenario key: key.path=value (repeatable)")
      ->allow_extra_args(false);
}

void add_run_options(CLI::App* cmd, cascade::RunArgs& run) {
  add_scenario_options(cmd, run);
  cmd->add_option("-o,--output", run.output, "Results file (.h5)")->required();
  cmd->add_option("--paths", run.paths, "Number of Monte Carlo paths (overrides `paths`)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", run.threads,
                  "Worker threads per process (default: all cores; under MPI, the node's cores "
                  "divided by its ranks)")
      ->check(CLI::Range(0, cascade::kMaxThreads));
  cmd->add_option("--seed", run.seed,
                  "Master seed, a decimal integer in [0, 2^64) as the YAML key (overrides `seed`)");
  cmd->add_option("--shard", run.shard,
                  "Run only block i of n (0-based, e.g. 3/10) of the (point, path) rows; "
                  "`cascade merge` joins the shard files");
  cmd->add_flag("--force", run.force, "Overwrite an existing output file");
  cmd->add_flag("--allow-large", run.allow_large,
                "Run even when the memory estimate (`cascade check`) exceeds this machine's memory");
  cmd->add_flag("-q,--quiet", run.quiet, "No progress bar and no summary");
}

/// An ostream that discards everything: the output of MPI ranks other than 0.
class NullStream : public std::ostream {
 public:
  NullStream() : std::ostream(nullptr) {}
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Cascade: liquidation cascades in leveraged crypto perpetual futures"};
  app.set_version_flag("--version", std::string("cascade ") + cascade::kVersion);
  app.require_subcommand(1);

  cascade::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Monte Carlo run of a scenario, results to HDF5");
  add_run_options(run_cmd, run);

  cascade::SweepArgs sweep;
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Monte Carlo run over a grid of scenario values (--param/--values or sweep: block)");
  add_run_options(sweep_cmd, sweep);
  sweep_cmd
      ->add_option("--param", sweep.params,
                   "Scenario key to sweep; several keys separated by commas take the values "
                   "together (repeatable: several --param form a grid)")
      ->allow_extra_args(false);
  sweep_cmd->add_option("--values", sweep.values, "Values of the matching --param: A,B,C (repeatable)")
      ->allow_extra_args(false);
  sweep_cmd->add_flag("--independent-points", sweep.independent_points,
                      "Each point draws its own random numbers (default: common random numbers, "
                      "the same draws at every point)");

  cascade::ScenarioArgs check;
  auto* check_cmd = app.add_subcommand("check", "Validate a scenario and print the resolved plan");
  add_scenario_options(check_cmd, check);

  cascade::LevelsArgs levels;
  auto* levels_cmd = app.add_subcommand("levels", "Liquidation map of the initial book");
  add_scenario_options(levels_cmd, levels);
  levels_cmd->add_option("--csv", levels.csv, "Write one row per position to this CSV file");
  levels_cmd->add_option("--bucket", levels.bucket_percent, "Price bucket width, % of start price")
      ->check(CLI::Range(0.01, 100.0));
  levels_cmd->add_option("--range", levels.range_percent, "Show buckets within +- this % of start price")
      ->check(CLI::Range(0.1, 1000.0));

  cascade::MergeArgs merge;
  auto* merge_cmd = app.add_subcommand(
      "merge", "Combine the shard files of one run or sweep into one results file");
  merge_cmd->add_option("shards", merge.inputs, "Shard files (.h5), any order")->required();
  merge_cmd->add_option("-o,--output", merge.output, "Merged results file (.h5)")->required();
  merge_cmd->add_flag("--force", merge.force, "Overwrite an existing output file");
  merge_cmd->add_flag("-q,--quiet", merge.quiet, "No summary");

  cascade::InspectOptions inspect;
  std::string inspect_path;
  auto* inspect_cmd = app.add_subcommand("inspect", "Summarise a results file");
  inspect_cmd->add_option("results", inspect_path, "Results file (.h5)")->required()->check(CLI::ExistingFile);
  inspect_cmd->add_option("--point", inspect.point,
                          "Show only this sweep point's tables (default: every point, up to 20)");

  cascade::CompareArgs compare;
  auto* compare_cmd = app.add_subcommand(
      "compare", "Two runs (or two points of a sweep) side by side, with paired differences");
  compare_cmd
      ->add_option("results", compare.inputs,
                   "Results files (.h5): A B, or one with --point i --point j")
      ->required()
      ->check(CLI::ExistingFile);
  compare_cmd
      ->add_option("--point", compare.points,
                   "Sweep point of A, then of B (repeat: --point i --point j)")
      ->allow_extra_args(false);
  compare_cmd->add_flag("--json", compare.json, "Print JSON for scripts (docs/analysis.md)");

  cascade::SolveArgs solve;
  auto* solve_cmd = app.add_subcommand(
      "solve", "The value of a key at which a quantile of an outcome meets a target");
  add_scenario_options(solve_cmd, solve);
  solve_cmd->add_option("--param", solve.param, "Scenario key to solve for")->required();
  solve_cmd->add_option("--range", solve.range, "LO,HI: the range to search")->required();
  solve_cmd->add_option("--metric", solve.metric, "A /summary metric, e.g. bad_debt")->required();
  solve_cmd->add_option("--quantile", solve.quantile, "Quantile over paths, e.g. 0.99")->required();
  solve_cmd->add_option("--target", solve.target, "The value the quantile must meet")->required();
  solve_cmd->add_option("--tolerance", solve.tolerance,
                        "Stop when the bracket is this narrow (default: (HI - LO) / 1000)");
  solve_cmd->add_option("--max-runs", solve.max_runs, "Most runs to make (default 40)")
      ->check(CLI::Range(2, 1000));
  solve_cmd->add_option("--paths", solve.paths, "Paths per run (overrides `paths`)")
      ->check(CLI::PositiveNumber);
  solve_cmd->add_option("--seed", solve.seed,
                        "Master seed, a decimal integer in [0, 2^64) (overrides `seed`)");
  solve_cmd->add_option("--threads", solve.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(0, cascade::kMaxThreads));
  solve_cmd->add_flag("--json", solve.json, "Print JSON for scripts");

  cascade::ReportArgs report;
  auto* report_cmd = app.add_subcommand(
      "report", "A self-contained HTML report of a results file (offline, printable)");
  report_cmd->add_option("results", report.input, "Results file (.h5)")
      ->required()
      ->check(CLI::ExistingFile);
  report_cmd->add_option("-o,--output", report.output, "The HTML file to write")->required();
  report_cmd->add_flag("--force", report.force, "Overwrite an existing output file");
  report_cmd->add_flag("-q,--quiet", report.quiet, "No summary line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help/version on stdout, errors on stderr
    return code == 0 ? 0 : 2;
  }

  cascade::install_interrupt_handlers();
  const std::string command_line = join_command_line(argc, argv);
  const std::string command = app.get_subcommands().front()->get_name();
  auto dispatch = [&]() -> int {
    if (*run_cmd || *sweep_cmd) {
      cascade::RunArgs& args = *run_cmd ? run : sweep;
      const char* name = *run_cmd ? "run" : "sweep";
      // Under an MPI launcher, every rank runs a block of rows and rank 0 writes (docs/batch.md).
      const bool under_mpi = cascade::mpi::launched_by_mpi();
      if (under_mpi && !cascade::mpi::built_with_mpi() && cascade::mpi::announced_world_size() > 1) {
        std::cerr << "cascade " << name << ": error: started by mpirun with "
                  << cascade::mpi::announced_world_size()
                  << " processes, but this cascade was built without MPI (configure with "
                     "-DCASCADE_WITH_MPI=ON); every process would run the whole job\n";
        return 2;
      }
      cascade::mpi::Session session(&argc, &argv, under_mpi);
      NullStream quiet;
      const bool root = session.rank() == 0;
      args.command_line = command_line;
      args.mpi = &session;
      args.progress = root && !args.quiet && isatty(fileno(stderr));
      std::ostream& out = root ? static_cast<std::ostream&>(std::cout) : quiet;
      std::ostream& err = root ? static_cast<std::ostream&>(std::cerr) : quiet;
      return *run_cmd ? cascade::command_run(run, out, err) : cascade::command_sweep(sweep, out, err);
    }
    if (*check_cmd) return cascade::command_check(check, std::cout, std::cerr);
    if (*compare_cmd) return cascade::command_compare(compare, std::cout, std::cerr);
    if (*solve_cmd) return cascade::command_solve(solve, std::cout, std::cerr);
    if (*report_cmd) return cascade::command_report(report, std::cout, std::cerr);
    if (*levels_cmd) return cascade::command_levels(levels, std::cout, std::cerr);
    if (*merge_cmd) {
      merge.command_line = command_line;
      return cascade::command_merge(merge, std::cout, std::cerr);
    }
    try {
      return cascade::inspect_results(inspect_path, std::cout, inspect);
    } catch (const std::exception& e) {
      std::cerr << "cascade inspect: error: " << e.what() << "\n";
      return 1;
    }
  };
  // Every command reports what escapes it (an exhausted memory, a file system error, a
  // library's exception) as a runtime failure with a message, never as std::terminate's abort.
  try {
    return dispatch();
  } catch (const std::bad_alloc&) {
    std::cerr << "cascade " << command
              << ": error: out of memory (`cascade check` estimates what a run needs; "
                 "lower paths, steps or the population)\n";
  } catch (const std::exception& e) {
    std::cerr << "cascade " << command << ": error: " << e.what() << "\n";
  }
  return 1;
}
