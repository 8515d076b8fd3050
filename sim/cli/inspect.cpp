#include "sim/cli/inspect.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include "sim/analysis/outcomes.hpp"
#include "sim/analysis/scorecard.hpp"
#include "sim/results/reader.hpp"
#include "sim/results/schema.hpp"

namespace cascade {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const SummaryMetric* find_summary(std::string_view name) { return summary_metric(name); }

const AssetMetric& find_asset(std::string_view name) {
  if (const AssetMetric* m = asset_metric(name)) return *m;
  throw std::logic_error(fmt::format("inspect: no per-asset metric {}", name));
}

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::string pad_right(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

double finite_mean(const std::vector<double>& values) {
  double sum = 0.0;
  std::size_t n = 0;
  for (double v : values)
    if (!std::isnan(v)) {
      sum += v;
      ++n;
    }
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

double finite_max(const std::vector<double>& values) {
  double best = kNaN;
  for (double v : values)
    if (!std::isnan(v) && (std::isnan(best) || v > best)) best = v;
  return best;
}

std::string duration(double seconds) {
  if (seconds >= 86400.0) return fmt::format("{:.3g} d", seconds / 86400.0);
  if (seconds >= 3600.0) return fmt::format("{:.3g} h", seconds / 3600.0);
  if (seconds >= 60.0) return fmt::format("{:.3g} min", seconds / 60.0);
  return fmt::format("{:.3g} s", seconds);
}

void print_metadata(const std::string& path, const ResultsFile& file, std::ostream& out) {
  const RunInfo& info = file.info;
  const RunResults& results = file.results;
  std::string name = info.scenario_name.empty() ? "(unnamed)" : info.scenario_name;
  out << fmt::format("{}: cascade results (format {}, cascade {})\n", path, file.format_version,
                     info.cascade_version);
  out << fmt::format("  scenario    {}\n", name);
  if (!info.command_line.empty()) out << fmt::format("  command     {}\n", info.command_line);
  const std::size_t points =
      std::max<std::size_t>(1, info.sweep.empty() ? 1 : info.sweep.front().values.size());
  out << fmt::format("  paths       {} per point, {} point{}, {} rows in the file\n", info.paths,
                     points, points == 1 ? "" : "s", results.outcomes.size());
  out << fmt::format("  steps       {} x {} s = {}\n", info.steps, info.dt_s,
                     duration(info.steps * info.dt_s));
  out << fmt::format("  seed        {}\n", info.seed);
  out << fmt::format("  assets      {}\n", fmt::join(info.assets, ", "));
  for (const auto& axis : info.sweep) {
    std::vector<double> distinct;  // the axis' values in grid order, without repeats
    for (double v : axis.values)
      if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
    out << fmt::format("  sweep       {} = {} ({}; axis {})\n", axis.key, fmt::join(distinct, ", "),
                       axis.unit, axis.axis);
  }
  if (info.shard)
    out << fmt::format("  shard       {}/{}: rows [{}, {}) of {} (`cascade merge` joins the shards)\n",
                       info.shard->index, info.shard->count, info.shard->row_begin,
                       info.shard->row_end, info.shard->rows_total);
  out << fmt::format("  events      {}\n",
                     info.events_enabled
                         ? fmt::format("{} liquidations recorded", results.events.size())
                         : std::string("not recorded"));
  out << fmt::format("  timeseries  {} path{} recorded\n", results.timeseries.size(),
                     results.timeseries.size() == 1 ? "" : "s");
}

/// The risk scorecard of `rows` (sim/analysis/scorecard.hpp): estimate ± standard error.
void print_scorecard(const std::vector<const PathOutcome*>& rows, std::ostream& out) {
  const Scorecard card = scorecard(rows);
  out << "\n  risk scorecard (± one Monte Carlo standard error)\n";
  for (const auto& e : card.entries) {
    const std::string unit = e.unit == "probability" ? "fraction" : e.unit;
    std::string value = format_quantity(e.estimate.value, unit);
    if (!std::isnan(e.estimate.stderr_)) value += " ± " + format_quantity(e.estimate.stderr_, unit);
    out << "    " << pad_right(e.label, 28) << value << '\n';
  }
}

/// The liquidation pipeline's outcomes (docs/exchanges.md "The liquidation pipeline"): ADL, partial
/// liquidations, the vault, socialised loss; only the rows some path has, one line when none has.
void print_pipeline(const std::vector<const PathOutcome*>& rows, std::size_t name_width,
                    std::size_t width, std::ostream& out) {
  static constexpr std::array<std::string_view, 13> kPipeline = {
      "adl_count",         "adl_deficit_covered", "adl_haircut",          "adl_overshoot",
      "adl_max_profit_share", "first_adl_time",   "liquidations_before_first_adl",
      "partial_liquidations", "vault_takeovers",  "vault_pnl",            "vault_min_equity",
      "vault_max_drawdown", "socialized_loss"};
  const auto values = [&](const SummaryMetric& m) {
    std::vector<double> v;
    v.reserve(rows.size());
    for (const auto* o : rows) v.push_back(m.value(*o));
    return v;
  };
  const auto any = [&](std::string_view name) {
    const SummaryMetric* m = find_summary(name);
    if (m == nullptr) return false;
    for (double x : values(*m))
      if (!std::isnan(x) && x != 0.0) return true;
    return false;
  };
  const bool adl = any("adl_count"), vault = any("vault_takeovers") || any("vault_pnl"),
             partial = any("partial_liquidations"), social = any("socialized_loss");
  if (!adl && !vault && !partial && !social) {
    out << "\n  ADL and backstop: no auto-deleveraging, partial liquidation, vault takeover or "
           "socialised loss on any path\n";
    return;
  }
  out << '\n' << pad_right("  ADL and backstop", name_width + 4);
  for (const char* h : {"p5", "p50", "p95", "mean", "max"}) out << pad_left(h, width);
  out << '\n';
  for (auto name : kPipeline) {
    const bool shown = name.starts_with("vault_")            ? vault
                       : name == "partial_liquidations"     ? partial
                       : name == "socialized_loss"          ? social
                                                            : adl;
    const SummaryMetric* m = find_summary(name);
    if (!shown || m == nullptr) continue;
    const auto v = values(*m);
    out << "    " << pad_right(m->name, name_width);
    for (double x : {percentile(v, 0.05), percentile(v, 0.50), percentile(v, 0.95), finite_mean(v),
                     finite_max(v)})
      out << pad_left(format_quantity(x, m->unit), width);
    out << '\n';
  }
}

void print_point(const ResultsFile& file, const std::vector<const PathOutcome*>& rows,
                 std::ostream& out) {
  constexpr std::size_t kWidth = 14;
  std::size_t name_width = 24;
  for (auto name : kMainOutcomes) name_width = std::max(name_width, name.size() + 2);

  out << pad_right(
      fmt::format("  outcomes over {} path{}", rows.size(), rows.size() == 1 ? "" : "s"),
      name_width + 4);
  for (const char* h : {"p5", "p50", "p95", "mean", "max"}) out << pad_left(h, kWidth);
  out << '\n';
  for (auto name : kMainOutcomes) {
    const SummaryMetric* m = find_summary(name);
    if (m == nullptr) continue;
    std::vector<double> v;
    v.reserve(rows.size());
    for (const auto* o : rows) v.push_back(m->value(*o));
    out << "    " << pad_right(m->name, name_width);
    for (double x : {percentile(v, 0.05), percentile(v, 0.50), percentile(v, 0.95), finite_mean(v),
                     finite_max(v)})
      out << pad_left(format_quantity(x, m->unit), kWidth);
    out << '\n';
  }

  const AssetMetric& liq = find_asset("liquidated_notional");
  const AssetMetric& liq_long = find_asset("long_liquidated_notional");
  const AssetMetric& min_ratio = find_asset("min_price_ratio");
  const AssetMetric& slip = find_asset("peak_slippage_bps");
  const auto& assets = file.info.assets;
  std::size_t asset_width = 8;
  for (const auto& a : assets) asset_width = std::max(asset_width, a.size() + 2);

  out << '\n' << pad_right("  per asset", asset_width + 4);
  for (const char* h :
       {"liq. p50", "liq. p95", "long share", "min px p5", "min px p50", "slip p95"})
    out << pad_left(h, kWidth);
  out << '\n';
  for (std::size_t a = 0; a < assets.size(); ++a) {
    auto column = [&](const AssetMetric& m) {
      std::vector<double> v;
      v.reserve(rows.size());
      for (const auto* o : rows) v.push_back(m.value(*o, a));
      return v;
    };
    const auto total = column(liq);
    const auto longs = column(liq_long);
    double sum_total = 0.0, sum_long = 0.0;
    for (std::size_t r = 0; r < total.size(); ++r) {
      sum_total += total[r];
      sum_long += longs[r];
    }
    const double long_share = sum_total > 0.0 ? sum_long / sum_total : kNaN;
    const auto ratio = column(min_ratio);
    const auto slippage = column(slip);
    out << "    " << pad_right(assets[a], asset_width)
        << pad_left(format_quantity(percentile(total, 0.50), liq.unit), kWidth)
        << pad_left(format_quantity(percentile(total, 0.95), liq.unit), kWidth)
        << pad_left(format_quantity(long_share, "fraction"), kWidth)
        << pad_left(format_quantity(percentile(ratio, 0.05), min_ratio.unit), kWidth)
        << pad_left(format_quantity(percentile(ratio, 0.50), min_ratio.unit), kWidth)
        << pad_left(format_quantity(percentile(slippage, 0.95), slip.unit), kWidth) << '\n';
  }
  print_pipeline(rows, name_width, kWidth, out);
  print_scorecard(rows, out);
}

/// The keys shown for a point: the first key of each grid axis (keys on one axis share values).
std::vector<const SweepAxis*> axis_heads(const RunInfo& info) {
  std::vector<const SweepAxis*> heads;
  for (const auto& axis : info.sweep) {
    const bool seen = std::any_of(heads.begin(), heads.end(),
                                  [&](const SweepAxis* h) { return h->axis == axis.axis; });
    if (!seen) heads.push_back(&axis);
  }
  return heads;
}

/// One line per point: its swept values and the main outcomes.
void print_overview(const ResultsFile& file,
                    const std::map<std::int32_t, std::vector<const PathOutcome*>>& by_point,
                    std::ostream& out) {
  constexpr std::size_t kWidth = 13;
  const auto heads = axis_heads(file.info);
  std::vector<std::size_t> widths;
  out << "\nsweep overview (per point, over its paths)\n" << pad_left("point", 9);
  for (const SweepAxis* h : heads) {
    widths.push_back(std::max<std::size_t>(h->key.size(), 8) + 2);
    out << pad_left(h->key, widths.back());
  }
  for (const char* c : {"paths", "liq. p5", "liq. p50", "liq. p95", "depth p50", "bad debt p95"})
    out << pad_left(c, kWidth);
  out << '\n';
  for (const auto& entry : by_point) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below (C++20 allows
    // it, P1091; clang implements it from 16).
    const auto point = entry.first;
    const auto& rows = entry.second;
    out << pad_left(std::to_string(point), 9);
    for (std::size_t a = 0; a < heads.size(); ++a) {
      const auto& v = heads[a]->values;
      out << pad_left(point >= 0 && static_cast<std::size_t>(point) < v.size()
                          ? fmt::format("{}", v[static_cast<std::size_t>(point)])
                          : std::string("?"),
                      widths[a]);
    }
    auto col = [&](const char* name) {
      const SummaryMetric* m = find_summary(name);
      std::vector<double> v;
      for (const auto* o : rows) v.push_back(m->value(*o));
      return v;
    };
    const auto liq = col("liquidated_notional");
    out << pad_left(std::to_string(rows.size()), kWidth)
        << pad_left(format_quantity(percentile(liq, 0.05), "USD"), kWidth)
        << pad_left(format_quantity(percentile(liq, 0.50), "USD"), kWidth)
        << pad_left(format_quantity(percentile(liq, 0.95), "USD"), kWidth)
        << pad_left(format_quantity(percentile(col("max_cascade_depth"), 0.5), "rounds"), kWidth)
        << pad_left(format_quantity(percentile(col("bad_debt"), 0.95), "USD"), kWidth) << '\n';
  }
}

}  // namespace

int inspect_results(const std::string& path, std::ostream& out, const InspectOptions& options) {
  const ResultsFile file = read_results(path);
  print_metadata(path, file, out);

  std::map<std::int32_t, std::vector<const PathOutcome*>> by_point;
  for (const auto& o : file.results.outcomes) by_point[o.point].push_back(&o);
  if (by_point.empty()) {
    out << "\n  no paths in this file\n";
    return 0;
  }
  const bool sweep = by_point.size() > 1 || !file.info.sweep.empty();
  if (sweep && options.point < 0) print_overview(file, by_point, out);
  if (options.point >= 0 && !by_point.contains(static_cast<std::int32_t>(options.point)))
    throw std::runtime_error(fmt::format("{} has no rows of sweep point {} (points {} to {})", path,
                                         options.point, by_point.begin()->first,
                                         by_point.rbegin()->first));
  if (options.point < 0 && by_point.size() > options.max_point_tables) {
    out << fmt::format("\n{} points: per-point tables with `cascade inspect {} --point P`\n",
                       by_point.size(), path);
    return 0;
  }
  for (const auto& [point, rows] : by_point) {
    if (options.point >= 0 && point != options.point) continue;
    out << '\n';
    if (sweep) {
      std::vector<std::string> values;
      for (const auto& axis : file.info.sweep)
        if (point >= 0 && static_cast<std::size_t>(point) < axis.values.size())
          values.push_back(
              fmt::format("{} = {}", axis.key, axis.values[static_cast<std::size_t>(point)]));
      out << fmt::format("point {}{}{}\n", point, values.empty() ? "" : ": ",
                         fmt::join(values, ", "));
    }
    print_point(file, rows, out);
  }
  return 0;
}

}  // namespace cascade
