// The report's figures from a results file (sim/analysis/report/report.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "sim/analysis/outcomes.hpp"
#include "sim/analysis/report/report.hpp"
#include "sim/analysis/statistics.hpp"

namespace cascade {
namespace {

constexpr std::size_t kMaxCurves = 8;
constexpr double kHour = 3600.0;

/// At most kMaxCurves points, evenly spaced over those present.
std::vector<std::int32_t> shown_points(const std::map<std::int32_t, Rows>& by_point) {
  std::vector<std::int32_t> all;
  for (const auto& [p, rows] : by_point) all.push_back(p);
  if (all.size() <= kMaxCurves) return all;
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i < kMaxCurves; ++i)
    out.push_back(all[i * (all.size() - 1) / (kMaxCurves - 1)]);
  return out;
}

std::string point_label(const RunInfo& info, std::int32_t point) {
  if (info.sweep.empty()) return "";
  std::string s;
  std::set<std::int32_t> axes;
  for (const auto& a : info.sweep)
    if (axes.insert(a.axis).second && point < static_cast<std::int32_t>(a.values.size()))
      s += fmt::format("{}{:g}", s.empty() ? "" : ", ", a.values[static_cast<std::size_t>(point)]);
  return fmt::format("point {} ({})", point, s);
}

/// P(X >= x) over the values > 0, at most 300 points.
svg::Line ccdf(std::vector<double> v, const std::string& color, const std::string& label) {
  std::erase_if(v, [](double x) { return !(x > 0); });
  std::sort(v.begin(), v.end());
  svg::Line line;
  line.color = color;
  line.label = label;
  const std::size_t n = v.size(), step = std::max<std::size_t>(1, n / 300);
  for (std::size_t i = 0; i < n; i += step) {
    line.x.push_back(v[i]);
    line.y.push_back(static_cast<double>(n - i) / static_cast<double>(n));
  }
  return line;
}

/// Median and 25-75 %, 5-95 % bands of values against x, in one colour.
struct Fan {
  svg::Band outer, inner;
  svg::Line median;
  Fan(const std::string& color, bool labelled, std::string median_label)
      : outer{{}, {}, {}, color, 0.15, labelled ? "5–95 %" : ""},
        inner{{}, {}, {}, color, 0.3, labelled ? "25–75 %" : ""},
        median{{}, {}, color, std::move(median_label)} {}
  void add(double x, const std::vector<double>& values) {
    outer.x.push_back(x);
    inner.x.push_back(x);
    median.x.push_back(x);
    outer.lo.push_back(percentile(values, 0.05));
    outer.hi.push_back(percentile(values, 0.95));
    inner.lo.push_back(percentile(values, 0.25));
    inner.hi.push_back(percentile(values, 0.75));
    median.y.push_back(percentile(values, 0.5));
  }
  void draw_into(svg::Plot& p) {
    p.bands.push_back(std::move(outer));
    p.bands.push_back(std::move(inner));
    p.lines.push_back(std::move(median));
  }
};

Figure make_figure(std::string id, std::string title, std::string x_label, std::string y_label,
                   std::string x_unit = "", std::string y_unit = "") {
  Figure fig{std::move(id), "", {}};
  fig.plot.title = std::move(title);
  fig.plot.x_label = std::move(x_label);
  fig.plot.y_label = std::move(y_label);
  fig.plot.x_unit = std::move(x_unit);
  fig.plot.y_unit = std::move(y_unit);
  return fig;
}

std::vector<double> all_of(const Rows& rows, const char* name) {
  const SummaryMetric* m = summary_metric(name);
  return m ? column(rows, *m) : std::vector<double>();
}

double start_price(const ResultsFile& f, std::size_t asset) {
  for (const auto& m : kSeriesMetrics)
    if (std::string(m.name) == "index_price" && !f.results.timeseries.empty())
      return (f.results.timeseries.front().*m.field)[asset];  // step 0, asset `asset`
  // Else the notional-weighted median entry of the initial book.
  std::vector<std::pair<double, double>> entries;
  double total = 0;
  for (const auto& p : f.results.initial_positions)
    if (static_cast<std::size_t>(p.asset) == asset) {
      entries.emplace_back(p.entry_price, p.size * p.entry_price);
      total += p.size * p.entry_price;
    }
  std::sort(entries.begin(), entries.end());
  double acc = 0;
  for (const auto& [price, w] : entries)
    if ((acc += w) >= total / 2) return price;
  return std::nan("");
}

void loss_ccdf(const ResultsFile& f, const std::map<std::int32_t, Rows>& by_point,
               std::vector<Figure>& out) {
  Figure fig = make_figure("loss-ccdf", "Loss distribution: P(liquidated notional per path ≥ x)",
                           "liquidated notional per path (USD)", "share of paths", "USD");
  auto& p = fig.plot;
  p.log_x = p.log_y = true;
  std::size_t i = 0;
  for (std::int32_t point : shown_points(by_point))
    p.lines.push_back(ccdf(all_of(by_point.at(point), "liquidated_notional"), svg::palette(i++),
                           point_label(f.info, point)));
  fig.caption = "Complementary CDF over paths, log-log: the tail of the liquidated notional" +
                std::string(f.info.sweep.empty() ? "." : ", one curve per sweep point.");
  out.push_back(std::move(fig));
}

void sweep_curves(const ResultsFile& f, const std::map<std::int32_t, Rows>& by_point,
                  std::vector<Figure>& out) {
  if (f.info.sweep.empty()) return;
  const SweepAxis& x_axis = f.info.sweep.front();
  // Curves: points that agree on every key of the other axes.
  std::map<std::vector<double>, std::vector<std::int32_t>> curves;
  for (const auto& [point, rows] : by_point) {
    std::vector<double> others;
    for (const auto& a : f.info.sweep)
      if (a.axis != x_axis.axis) others.push_back(a.values[static_cast<std::size_t>(point)]);
    curves[others].push_back(point);
  }
  for (const char* name : {"liquidated_notional", "bad_debt"}) {
    const SummaryMetric* m = summary_metric(name);
    if (m == nullptr) continue;
    bool any = false;
    for (const auto& [point, rows] : by_point)
      for (double v : column(rows, *m)) any = any || v > 0;
    if (!any) continue;
    Figure fig = make_figure(fmt::format("sweep-curve-{}", name),
                             fmt::format("{} against {}", name, x_axis.key),
                             fmt::format("{} ({})", x_axis.key, x_axis.unit),
                             fmt::format("{} per path ({})", name, m->unit), "", m->unit);
    auto& p = fig.plot;
    std::size_t c = 0;
    for (const auto& [others, points] : curves) {
      if (c == 4) break;
      const std::size_t curve = c++;
      Fan fan(svg::palette(curve), curve == 0,
              curves.size() > 1 ? fmt::format("median, curve {}", curve + 1) : "median");
      for (std::int32_t point : points)
        fan.add(x_axis.values[static_cast<std::size_t>(point)], column(by_point.at(point), *m));
      fan.draw_into(p);
    }
    fig.caption = fmt::format(
        "Median and percentile bands of {} over the paths of each sweep point{}.", name,
        curves.size() > 1 ? "; one curve per value of the other grid axes (at most 4)" : "");
    out.push_back(std::move(fig));
  }
}

/// Recorded paths of the lowest point that has any.
std::vector<const PathTimeseries*> recorded(const ResultsFile& f) {
  std::vector<const PathTimeseries*> out;
  if (f.results.timeseries.empty()) return out;
  const std::int32_t point = f.results.timeseries.front().point;
  for (const auto& ts : f.results.timeseries)
    if (ts.point == point) out.push_back(&ts);
  return out;
}

void price_fans(const ResultsFile& f, std::vector<Figure>& out) {
  const auto paths = recorded(f);
  if (paths.empty()) return;
  const std::size_t n_assets = f.info.assets.size(),
                    n_steps = static_cast<std::size_t>(f.info.steps) + 1;
  for (std::size_t a = 0; a < n_assets && a < 8; ++a) {
    Figure fig = make_figure("price-fan-" + f.info.assets[a],
                             fmt::format("{}: mark / start price", f.info.assets[a]), "time (h)",
                             "mark / start", "", "fraction");
    auto& p = fig.plot;
    Fan fan(svg::palette(0), paths.size() > 1, "median");
    for (std::size_t s = 0; s < n_steps; ++s) {
      std::vector<double> ratio;
      for (const auto* ts : paths)
        ratio.push_back(ts->mark_price[s * n_assets + a] / ts->mark_price[a]);
      fan.add(static_cast<double>(s) * f.info.dt_s / kHour, ratio);
    }
    fan.draw_into(p);
    fig.caption = fmt::format("Mark over start price on the {} recorded path{} of point {}.",
                              paths.size(), paths.size() == 1 ? "" : "s", paths.front()->point);
    out.push_back(std::move(fig));
  }
}

void liquidation_maps(const ResultsFile& f, std::vector<Figure>& out) {
  const auto& positions = f.results.initial_positions;
  for (std::size_t a = 0; a < f.info.assets.size() && a < 8; ++a) {
    const double start = start_price(f, a);
    if (!(start > 0)) continue;
    constexpr int kSpan = 50;
    std::vector<double> centres, longs(2 * kSpan, 0.0), shorts(2 * kSpan, 0.0);
    for (int b = -kSpan; b < kSpan; ++b) centres.push_back(b + 0.5);
    bool any = false;
    for (const auto& p : positions) {
      if (static_cast<std::size_t>(p.asset) != a || !std::isfinite(p.liquidation_price)) continue;
      const double pct = 100.0 * (p.liquidation_price / start - 1.0);
      if (pct < -kSpan || pct >= kSpan) continue;
      const auto bucket = static_cast<std::size_t>(std::floor(pct) + kSpan);
      (p.side > 0 ? longs : shorts)[bucket] += p.size * p.entry_price;
      any = true;
    }
    if (!any) continue;
    Figure fig =
        make_figure("liquidation-map-" + f.info.assets[a],
                    fmt::format("{}: liquidation map of the initial book", f.info.assets[a]),
                    "liquidation price vs start (%)", "notional per 1 % bucket (USD)", "", "USD");
    auto& p = fig.plot;
    p.bars = {{centres, longs, 0.9, "#d62728", "longs"},
              {centres, shorts, 0.9, "#2ca02c", "shorts"}};
    p.x_markers = {0.0};
    fig.caption = fmt::format(
        "Notional of the initial book{} by liquidation price, 1 % buckets within ±50 % of the "
        "start price {:.6g} USD.",
        f.info.sweep.empty() ? "" : " (sweep point 0)", start);
    out.push_back(std::move(fig));
  }
}

void cascade_depth(const ResultsFile& f, const std::map<std::int32_t, Rows>& by_point,
                   std::vector<Figure>& out) {
  Figure fig = make_figure("cascade-depth", "Deepest cascade per path",
                           "most cascade rounds in one step", "share of paths", "", "fraction");
  auto& p = fig.plot;
  const auto points = shown_points(by_point);
  const double width = 0.8 / static_cast<double>(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::map<std::int64_t, double> counts;
    const Rows& rows = by_point.at(points[i]);
    for (const auto* o : rows)
      counts[o->max_cascade_depth] += 1.0 / static_cast<double>(rows.size());
    svg::Bars bars{{}, {}, width, svg::palette(i), point_label(f.info, points[i])};
    for (const auto& [depth, share] : counts) {
      bars.x.push_back(static_cast<double>(depth) - 0.4 + width * (static_cast<double>(i) + 0.5));
      bars.height.push_back(share);
    }
    p.bars.push_back(std::move(bars));
  }
  fig.caption = "Share of paths by their deepest cascade (rounds that liquidated in one step).";
  out.push_back(std::move(fig));
}

void backstop_paths(const ResultsFile& f, std::vector<Figure>& out) {
  const auto paths = recorded(f);
  if (paths.empty()) return;
  for (const auto& m : kSeriesMetrics) {
    if (m.per_asset) continue;  // the fund (and any vault series): one value per step
    Figure fig = make_figure(fmt::format("paths-{}", m.name),
                             fmt::format("{} on the recorded paths", m.name), "time (h)",
                             fmt::format("{} ({})", m.name, m.unit), "", m.unit);
    auto& p = fig.plot;
    for (std::size_t i = 0; i < paths.size() && i < 20; ++i) {
      svg::Line line{{}, {}, svg::palette(i), i < 6 ? fmt::format("path {}", paths[i]->path) : ""};
      const auto& v = paths[i]->*m.field;
      for (std::size_t s = 0; s < v.size(); ++s) {
        line.x.push_back(static_cast<double>(s) * f.info.dt_s / kHour);
        line.y.push_back(v[s]);
      }
      p.lines.push_back(std::move(line));
    }
    fig.caption = fmt::format("{} ({}) over time on each recorded path of point {}.", m.name,
                              m.description, paths.front()->point);
    out.push_back(std::move(fig));
  }
}

void adl_outcomes(const ResultsFile& f, const std::map<std::int32_t, Rows>& by_point,
                  std::vector<Figure>& out) {
  Figure fig = make_figure("adl-outcomes", "ADL and bad debt: P(X per path ≥ x)", "USD per path",
                           "share of paths", "USD");
  auto& p = fig.plot;
  p.log_x = p.log_y = true;
  const Rows& rows = by_point.begin()->second;
  std::size_t i = 0;
  for (const char* name :
       {"adl_notional", "bad_debt", "adl_deficit_covered", "adl_haircut", "adl_overshoot"}) {
    auto v = all_of(rows, name);
    if (std::none_of(v.begin(), v.end(), [](double x) { return x > 0; })) continue;
    p.lines.push_back(ccdf(std::move(v), svg::palette(i++), name));
  }
  if (p.lines.empty()) return;
  fig.caption = fmt::format(
      "Tail of the ADL outcomes over the paths{}.",
      f.info.sweep.empty() ? "" : " of " + point_label(f.info, by_point.begin()->first));
  out.push_back(std::move(fig));
}

}  // namespace

std::vector<Figure> report_figures(const ResultsFile& f) {
  std::vector<Figure> out;
  const auto by_point = rows_by_point(f.results.outcomes);
  if (by_point.empty()) return out;
  loss_ccdf(f, by_point, out);
  sweep_curves(f, by_point, out);
  price_fans(f, out);
  liquidation_maps(f, out);
  cascade_depth(f, by_point, out);
  backstop_paths(f, out);
  adl_outcomes(f, by_point, out);
  return out;
}

}  // namespace cascade
