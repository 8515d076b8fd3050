// `cascade`: the command line (INTERFACE.md). Parsing and dispatch only; each subcommand
// lives in its own command_*.cpp.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cascade/version.hpp"
#include "sim/commands.hpp"
#include "sim/inspect.hpp"
#include "sim/interrupt.hpp"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Cascade: liquidation cascades in leveraged crypto perpetual futures"};
  app.set_version_flag("--version", std::string("cascade ") + cascade::kVersion);
  app.require_subcommand(1);

  cascade::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Monte Carlo run of a scenario, results to HDF5");
  add_scenario_options(run_cmd, run);
  run_cmd->add_option("-o,--output", run.output, "Results file (.h5)")->required();
  run_cmd->add_option("--paths", run.paths, "Number of Monte Carlo paths (overrides `paths`)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--seed", run.seed, "Master seed (overrides `seed`)");
  run_cmd->add_flag("--force", run.force, "Overwrite an existing output file");
  run_cmd->add_flag("-q,--quiet", run.quiet, "No progress bar and no summary");

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

  std::string inspect_path;
  auto* inspect_cmd = app.add_subcommand("inspect", "Summarise a results file");
  inspect_cmd->add_option("results", inspect_path, "Results file (.h5)")->required()->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help/version on stdout, errors on stderr
    return code == 0 ? 0 : 2;
  }

  cascade::install_interrupt_handlers();
  if (*run_cmd) {
    run.command_line = join_command_line(argc, argv);
    run.progress = !run.quiet && isatty(fileno(stderr));
    return cascade::command_run(run, std::cout, std::cerr);
  }
  if (*check_cmd) return cascade::command_check(check, std::cout, std::cerr);
  if (*levels_cmd) return cascade::command_levels(levels, std::cout, std::cerr);
  try {
    return cascade::inspect_results(inspect_path, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "cascade inspect: error: " << e.what() << "\n";
    return 1;
  }
}
