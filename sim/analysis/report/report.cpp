// The report page (sim/analysis/report/report.hpp): provenance, scorecard, tables, figures.
#include "sim/analysis/report/report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "sim/analysis/compare.hpp"
#include "sim/analysis/format.hpp"
#include "sim/analysis/outcomes.hpp"
#include "sim/analysis/scorecard.hpp"
#include "sim/analysis/statistics.hpp"

namespace cascade {
namespace {

using svg::escape;

constexpr std::size_t kMaxPointTables = 6;

constexpr const char* kStyle = R"(
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 1180px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 0; } h2 { font-size: 19px; border-bottom: 1px solid #ccc;
  margin-top: 28px; } h3 { font-size: 15px; }
.sub { color: #666; margin-top: 2px; }
table { border-collapse: collapse; margin: 8px 0 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 9px; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f3f3f3; }
table.meta td { text-align: left; }
pre { background: #f7f7f7; padding: 8px; font-size: 12px; overflow: auto; max-height: 420px; }
figure { display: inline-block; margin: 6px 10px 16px 0; vertical-align: top; }
figcaption { font-size: 12px; color: #555; max-width: 560px; }
svg.plot { border: 1px solid #ddd; }
svg .title { font-size: 13px; font-weight: 600; text-anchor: middle; }
svg .tick, svg .legend { font-size: 10.5px; fill: #333; }
svg .label { font-size: 11.5px; fill: #222; }
svg .note { font-size: 13px; fill: #888; text-anchor: middle; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .frame { fill: none; stroke: #888; stroke-width: 1; }
svg .marker { stroke: #000; stroke-width: 1; }
.small { font-size: 12px; color: #555; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 11px; }
  h2 { break-after: avoid; } table, figure, pre { break-inside: avoid; }
  pre { max-height: none; white-space: pre-wrap; }
  figure { display: block; }
}
)";

std::string cell(double value, double se, const std::string& unit) {
  const std::string u = unit == "probability" ? "fraction" : unit;
  if (std::isnan(value)) return "-";
  std::string s = format_quantity(value, u);
  if (!std::isnan(se)) s += " ± " + format_quantity(se, u);
  return escape(s);
}

std::string point_title(const RunInfo& info, std::int32_t point) {
  if (info.sweep.empty()) return "";
  std::string values;
  for (const auto& a : info.sweep)
    if (point < static_cast<std::int32_t>(a.values.size()))
      values += fmt::format("{}{} = {:g}", values.empty() ? "" : ", ", a.key,
                            a.values[static_cast<std::size_t>(point)]);
  return fmt::format("point {}: {}", point, values);
}

std::string provenance(const ResultsFile& f, const std::string& source) {
  const RunInfo& i = f.info;
  const std::size_t points = i.sweep.empty() ? 1 : i.sweep.front().values.size();
  std::string rows;
  const auto row = [&](const std::string& k, const std::string& v) {
    rows += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", escape(k), escape(v));
  };
  row("scenario", i.scenario_name.empty() ? "(unnamed)" : i.scenario_name);
  row("results file", source);
  row("cascade version", i.cascade_version + fmt::format(" (results format {})", f.format_version));
  row("command line", i.command_line);
  row("seed", std::to_string(i.seed));
  row("paths", fmt::format("{} per point, {} point{}, {} rows in the file", i.paths, points,
                           points == 1 ? "" : "s", f.results.outcomes.size()));
  row("horizon",
      fmt::format("{} steps of {:g} s = {:g} h", i.steps, i.dt_s, i.steps * i.dt_s / 3600));
  std::string assets;
  for (const auto& a : i.assets) assets += (assets.empty() ? "" : ", ") + a;
  row("assets", assets);
  for (const auto& a : i.sweep) {
    std::string values;
    std::set<double> seen;
    for (double v : a.values)
      if (seen.insert(v).second) values += fmt::format("{}{:g}", values.empty() ? "" : ", ", v);
    row("sweep", fmt::format("{} = {} ({}; axis {})", a.key, values, a.unit, a.axis));
  }
  row("random numbers", i.independent_points == 1 ? "independent per sweep point"
                        : i.independent_points == 0
                            ? "common to every sweep point"
                            : "per point (a file older than common random numbers)");
  if (!i.run_fingerprint.empty()) row("run fingerprint", i.run_fingerprint);
  if (i.shard)
    row("shard", fmt::format("{}/{}: rows [{}, {}) of {}", i.shard->index, i.shard->count,
                             i.shard->row_begin, i.shard->row_end, i.shard->rows_total));
  return fmt::format(
      "<section id=\"provenance\"><h2>Provenance</h2><table class=\"meta\">{}</table>"
      "<h3>Scenario (resolved YAML)</h3><pre>{}</pre></section>\n",
      rows, escape(i.scenario_yaml));
}

std::string scorecard_section(const ResultsFile& f, const std::map<std::int32_t, Rows>& by_point) {
  std::vector<std::int32_t> points;
  for (const auto& [p, rows] : by_point) points.push_back(p);
  if (points.size() > 10) points.resize(10);
  std::vector<Scorecard> cards;
  for (auto p : points) cards.push_back(scorecard(by_point.at(p)));
  std::string head = "<tr><th>entry</th>";
  for (auto p : points)
    head += fmt::format("<th>{}</th>",
                        f.info.sweep.empty() ? "value ± stderr" : "point " + std::to_string(p));
  head += "</tr>";
  std::string body;
  for (std::size_t e = 0; e < cards.front().entries.size(); ++e) {
    body += "<tr><td>" + escape(cards.front().entries[e].label) + "</td>";
    for (const auto& c : cards)
      body += "<td>" +
              (e < c.entries.size() ? cell(c.entries[e].estimate.value,
                                           c.entries[e].estimate.stderr_, c.entries[e].unit)
                                    : std::string("-")) +
              "</td>";
    body += "</tr>\n";
  }
  return fmt::format(
      "<section id=\"scorecard\"><h2>Risk scorecard</h2><table><thead>{}</thead><tbody>{}</tbody>"
      "</table><p class=\"small\">± one Monte Carlo standard error: binomial for probabilities, "
      "the order-statistic interval for VaR, the asymptotic error for ES (expected shortfall: "
      "the mean of the worst paths beyond the level). Fund draw = insurance fund at the start "
      "− its minimum.{}</p></section>\n",
      head, body, by_point.size() > points.size() ? " The first 10 sweep points are shown." : "");
}

std::string outcome_tables(const ResultsFile& f, std::int32_t point, const Rows& rows) {
  std::string s = fmt::format("<h3>{}over {} paths</h3>",
                              f.info.sweep.empty() ? "" : escape(point_title(f.info, point)) + ", ",
                              rows.size());
  s += "<table><thead><tr><th>outcome</th><th>p5</th><th>p50</th><th>p95</th><th>p99</th>"
       "<th>mean</th></tr></thead><tbody>";
  for (auto name : kMainOutcomes) {
    const SummaryMetric* m = summary_metric(name);
    if (m == nullptr) continue;
    const auto v = column(rows, *m);
    s += fmt::format("<tr><td>{}</td>", m->name);
    for (double x : {percentile(v, 0.05), percentile(v, 0.5), percentile(v, 0.95),
                     percentile(v, 0.99), mean_estimate(v).value})
      s += "<td>" + escape(format_quantity(x, m->unit)) + "</td>";
    s += "</tr>";
  }
  s += "</tbody></table><table><thead><tr><th>asset</th><th>liquidated p50</th><th>p95</th>"
       "<th>long share</th><th>min price p5</th><th>min price p50</th><th>slippage p95</th>"
       "</tr></thead><tbody>";
  const AssetMetric *liq = asset_metric("liquidated_notional"),
                    *longs = asset_metric("long_liquidated_notional"),
                    *ratio = asset_metric("min_price_ratio"),
                    *slip = asset_metric("peak_slippage_bps");
  for (std::size_t a = 0; a < f.info.assets.size(); ++a) {
    const auto total = column(rows, *liq, a), lv = column(rows, *longs, a);
    double t = 0, l = 0;
    for (std::size_t r = 0; r < total.size(); ++r) {
      t += total[r];
      l += lv[r];
    }
    const auto rv = column(rows, *ratio, a), sv = column(rows, *slip, a);
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(f.info.assets[a]), escape(format_quantity(percentile(total, 0.5), "USD")),
        escape(format_quantity(percentile(total, 0.95), "USD")),
        escape(format_quantity(t > 0 ? l / t : std::nan(""), "fraction")),
        escape(format_quantity(percentile(rv, 0.05), "fraction")),
        escape(format_quantity(percentile(rv, 0.5), "fraction")),
        escape(format_quantity(percentile(sv, 0.95), "bps")));
  }
  return s + "</tbody></table>";
}

std::string outcomes_section(const ResultsFile& f, const std::map<std::int32_t, Rows>& by_point) {
  std::string s = "<section id=\"outcomes\"><h2>Outcomes</h2>";
  std::size_t shown = 0;
  for (const auto& [point, rows] : by_point) {
    if (shown++ == kMaxPointTables) {
      s += fmt::format(
          "<p class=\"small\">{} more points: `cascade inspect --point P` shows "
          "each.</p>",
          by_point.size() - kMaxPointTables);
      break;
    }
    s += outcome_tables(f, point, rows);
  }
  return s + "</section>\n";
}

}  // namespace

std::string render_report(const ResultsFile& f, const std::string& source) {
  const auto by_point = rows_by_point(f.results.outcomes);
  const std::string name = f.info.scenario_name.empty() ? "(unnamed)" : f.info.scenario_name;
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Cascade report: {0}</title>\n<style>{1}</style></head>\n<body>\n"
      "<header><h1>Cascade report: {0}</h1><p class=\"sub\">{2} paths per point × {3} steps of "
      "{4:g} s, seed {5}, cascade {6}</p></header>\n",
      escape(name), kStyle, f.info.paths, f.info.steps, f.info.dt_s, f.info.seed,
      escape(f.info.cascade_version));
  if (by_point.empty()) return html + "<p>No paths in this file.</p></body></html>\n";
  html += scorecard_section(f, by_point);
  html += outcomes_section(f, by_point);
  html += "<section id=\"plots\"><h2>Plots</h2>\n";
  for (const auto& fig : report_figures(f))
    html += fmt::format("<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>\n",
                        escape(fig.id), svg::render(fig.plot), escape(fig.caption));
  html += "</section>\n" + provenance(f, source);
  return html +
         "<footer class=\"small\">Written by `cascade report` from the results file; no "
         "script and no external resource.</footer>\n</body></html>\n";
}

}  // namespace cascade
