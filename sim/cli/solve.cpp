// `cascade solve SCENARIO --param KEY --range LO,HI --metric M --quantile Q --target X`: the value
// of KEY at which quantile Q of outcome M over the paths meets X (docs/analysis.md, "Solving for
// a value"). Every run is the scenario with `KEY=value` applied like `--set` (the sweep job's
// point machinery, sim/ensemble/sweep.hpp), run in process with the same seed and paths, so all
// runs share their random numbers (a plain run is point 0 of the stream layout) and the quantile
// moves only with KEY. The search is sim/analysis/root_finder.hpp.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>
#include <limits>
#include <span>

#include "sim/analysis/compare.hpp"  // json_number, json_string
#include "sim/analysis/format.hpp"
#include "sim/analysis/outcomes.hpp"
#include "sim/analysis/root_finder.hpp"
#include "sim/analysis/statistics.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/job.hpp"
#include "sim/ensemble/interrupt.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "sim/ensemble/sweep.hpp"
#include "sim/scenario/yaml_check.hpp"

namespace cascade {
namespace {

/// An error in a generated --values argument, reported at --range where the user wrote it.
InputError at_range(const InputError& e) {
  SourceLoc loc = e.where();
  if (loc.file == "--values") {
    loc.file = "--range";
    loc.line = 1;
  }
  return InputError(loc, e.message());
}

const SummaryMetric& metric_named(const std::string& name) {
  if (const SummaryMetric* m = summary_metric(name)) return *m;
  std::vector<std::string> names;
  for (const auto& m : kSummaryMetrics) names.emplace_back(m.name);
  throw InputError({"--metric", 1, 1},
                   fmt::format("no summary metric '{}'{} (docs/results.md lists them)", name,
                               did_you_mean(name, names)));
}

/// The job of one run: the scenario with KEY = `text`.
SweepJob job_at(const SolveArgs& args, const std::vector<std::string>& overrides,
                const std::string& text) {
  const SweepSpec spec = parse_sweep_arguments({args.param}, {text});
  return prepare_sweep_job(args.scenario, overrides, &spec, false);
}

}  // namespace

int command_solve(const SolveArgs& args, std::ostream& out, std::ostream& err) {
  try {
    const SummaryMetric& metric = metric_named(args.metric);
    if (!(args.quantile >= 0.0 && args.quantile <= 1.0))
      throw InputError({"--quantile", 1, 1},
                       fmt::format("expected a quantile in [0, 1] (0.99 for the 99th percentile), "
                                   "got {}",
                                   args.quantile));
    const std::vector<std::string> overrides = run_overrides(args.overrides, args.paths, args.seed);
    // LO and HI: checked like sweep values (located in --range), loaded like sweep points.
    SweepSpec range;
    try {
      range = parse_sweep_arguments({args.param}, {args.range});
    } catch (const InputError& e) {
      throw at_range(e);
    }
    if (range.axes.front().keys.size() != 1)
      throw InputError({"--param", 1, 1}, "solve varies one key; give one --param KEY");
    const auto& numbers = range.axes.front().numbers;
    if (numbers.size() != 2 || !(numbers[0] < numbers[1]))
      throw InputError({"--range", 1, 1},
                       fmt::format("expected LO,HI with LO < HI, got '{}'", args.range));
    const double lo = numbers[0], hi = numbers[1];
    const double tolerance = args.tolerance > 0.0 ? args.tolerance : 1e-3 * (hi - lo);

    SweepJob range_job = prepare_sweep_job(args.scenario, overrides, &range, false);
    Scenario scenarios[2];
    try {
      scenarios[0] = load_point(range_job, 0, nullptr);
      scenarios[1] = load_point(range_job, 1, &scenarios[0]);
    } catch (const InputError& e) {
      throw at_range(e);
    }
    const std::int64_t paths = scenarios[0].paths;

    GridOptions grid;
    grid.threads = args.threads;
    std::vector<double> quantiles;
    const auto quantile_at = [&](double x) {
      Scenario sc;
      if (x == lo || x == hi) {
        sc = scenarios[x == lo ? 0 : 1];
      } else {
        sc = load_point(job_at(args, overrides, fmt::format("{:.17g}", x)), 0, nullptr);
      }
      const RunResults r = run_rows(std::span<const Scenario>(&sc, 1), 0, 0, paths, grid);
      Rows rows;
      for (const auto& o : r.outcomes) rows.push_back(&o);
      const double q = percentile(column(rows, metric), args.quantile);
      quantiles.push_back(q);
      return q - args.target;
    };
    RootResult result;
    try {
      result = find_crossing(quantile_at, {lo, hi, tolerance, args.max_runs});
    } catch (const NotBracketed& e) {
      const double q_lo = e.f_lo + args.target, q_hi = e.f_hi + args.target;
      throw InputError(
          {"--range", 1, 1},
          fmt::format("the target {} is not bracketed: the {} quantile of {} is {} at {} = {} "
                      "and {} at {} = {}, both {} the target; widen the range or change the "
                      "target",
                      format_quantity(args.target, metric.unit), args.quantile, metric.name,
                      format_quantity(q_lo, metric.unit), args.param, lo,
                      format_quantity(q_hi, metric.unit), args.param, hi,
                      e.f_lo > 0.0 ? "above" : "at or below"));
    }
    const double b_lo = std::min(result.within, result.above);
    const double b_hi = std::max(result.within, result.above);
    const std::size_t runs = result.evaluations.size();
    double q_value = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < runs; ++i)
      if (result.evaluations[i].x == result.value) q_value = quantiles[i];
    if (args.json) {
      std::string evals;
      for (std::size_t i = 0; i < runs; ++i)
        evals += fmt::format("{}{{\"value\": {}, \"quantile\": {}}}", i ? ", " : "",
                             json_number(result.evaluations[i].x), json_number(quantiles[i]));
      fmt::print(out,
                 "{{\"value\": {}, \"bracket\": [{}, {}], \"runs\": {}, \"converged\": {}, "
                 "\"param\": {}, \"metric\": {}, \"quantile\": {}, \"target\": {}, "
                 "\"quantile_at_value\": {}, \"paths\": {}, \"evaluations\": [{}]}}\n",
                 json_number(result.value), json_number(b_lo), json_number(b_hi), runs,
                 result.converged ? "true" : "false", json_string(args.param),
                 json_string(metric.name), json_number(args.quantile), json_number(args.target),
                 json_number(q_value), paths, evals);
      return 0;
    }
    fmt::print(out, "solve: {} = {:.6g} ({} quantile of {} = {}, target {})\n", args.param,
               result.value, args.quantile, metric.name, format_quantity(q_value, metric.unit),
               format_quantity(args.target, metric.unit));
    fmt::print(out, "  bracket [{:.6g}, {:.6g}]: the target is crossed inside it{}\n", b_lo, b_hi,
               result.converged
                   ? ""
                   : fmt::format(" (not converged to {:.3g} in {} runs: raise --max-runs)",
                                 tolerance, args.max_runs));
    fmt::print(
        out, "  {} runs of {} paths each (common random numbers: the same seed {} for every run)\n",
        runs, paths, scenarios[0].seed);
    for (std::size_t i = 0; i < runs; ++i)
      fmt::print(out, "    {:>4}  {} = {:<14.6g} {}\n", i + 1, args.param, result.evaluations[i].x,
                 format_quantity(quantiles[i], metric.unit));
    return 0;
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return 2;
  } catch (const Interrupted&) {
    err << "\ncascade solve: interrupted\n";
    return 1;
  } catch (const std::exception& e) {
    err << "cascade solve: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace cascade
