// The report's figures and page (sim/analysis/report/) on the sample results: each figure's data
// against a direct computation from the rows it is drawn from, and the page's self-containment.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/analysis/report/report.hpp"
#include "tests/sim/results/sample.hpp"

using namespace cascade;

namespace {

ResultsFile sample_file() {
  ResultsFile f;
  f.info = test::sample_info();
  f.results = test::sample_results();
  f.complete = true;
  f.format_version = kResultsFormatVersion;
  // Start prices are the recorded index at t = 0: 200 (AIX) and 201 (BTC). Liquidation prices
  // 5.5 % below AIX's, 10 % above BTC's, one 70 % away (outside the map), one never.
  auto& pos = f.results.initial_positions;
  pos[0].liquidation_price = 189.0;  // AIX long, -5.5 %: the bucket [-6 %, -5 %)
  pos[1].liquidation_price = 221.1;  // BTC short, +10 %
  pos[2].liquidation_price = 60.0;   // AIX long, -70 %: not drawn
  return f;
}

const Figure& figure(const std::vector<Figure>& figs, const std::string& id) {
  for (const auto& f : figs)
    if (f.id == id) return f;
  FAIL("no figure ", id);
  return figs.front();
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("Analysis.Report.FiguresFromTheirRows") {
  const ResultsFile f = sample_file();
  const auto figs = report_figures(f);
  const auto& aix = figure(figs, "liquidation-map-AIX").plot;
  REQUIRE(aix.bars.size() == 2);
  CHECK(sum(aix.bars[0].height) == doctest::Approx(1000.0 * 2.0));  // longs: position 0 only
  CHECK(sum(aix.bars[1].height) == 0.0);
  const auto at = std::find(aix.bars[0].x.begin(), aix.bars[0].x.end(), -5.5);
  REQUIRE(at != aix.bars[0].x.end());
  CHECK(aix.bars[0].height[static_cast<std::size_t>(at - aix.bars[0].x.begin())] == 2000.0);
  const auto& btc = figure(figs, "liquidation-map-BTC").plot;
  CHECK(sum(btc.bars[1].height) == doctest::Approx(1001.0 * 2.1));

  const auto& ccdf = figure(figs, "loss-ccdf").plot.lines.front();
  CHECK(ccdf.y.front() == 1.0);
  CHECK(std::is_sorted(ccdf.x.begin(), ccdf.x.end()));
  CHECK(std::is_sorted(ccdf.y.rbegin(), ccdf.y.rend()));

  const auto& fan = figure(figs, "price-fan-AIX").plot;
  CHECK(fan.lines.front().y.front() == 1.0);  // mark / start at t = 0
  CHECK(fan.lines.front().x.back() == doctest::Approx(4 * 60.0 / 3600.0));
  CHECK(figure(figs, "paths-insurance_fund").plot.lines.size() == 2);  // two recorded paths
  double shares = 0;
  for (const auto& b : figure(figs, "cascade-depth").plot.bars) shares += sum(b.height);
  CHECK(shares == doctest::Approx(1.0));
  // A plain run has no sweep curve.
  for (const auto& fig : figs) CHECK(fig.id.rfind("sweep-curve", 0) != 0);
}

TEST_CASE("Analysis.Report.SweepCurveBandsArePercentiles") {
  ResultsFile f = sample_file();
  f.info.sweep = {{"exchange.liquidation_fee", "fraction", {0.005, 0.01}, 0}};
  f.results.outcomes[2].point = 1;
  const auto figs = report_figures(f);
  const auto& curve = figure(figs, "sweep-curve-liquidated_notional").plot;
  REQUIRE(curve.lines.size() == 1);
  CHECK(curve.lines[0].x == std::vector<double>{0.005, 0.01});
  const double a = f.results.outcomes[0].liquidated_notional,
               b = f.results.outcomes[1].liquidated_notional;
  CHECK(curve.lines[0].y[0] == doctest::Approx(0.5 * (a + b)));  // median of two paths
  CHECK(curve.lines[0].y[1] == f.results.outcomes[2].liquidated_notional);
  CHECK(curve.bands[0].lo[0] == doctest::Approx(std::min(a, b) + 0.05 * std::fabs(a - b)));
}

TEST_CASE("Analysis.Report.PageIsSelfContained") {
  ResultsFile f = sample_file();
  f.info.scenario_yaml = "name: a < b & \"c\"\n";
  const std::string html = render_report(f, "out.h5");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("default-src 'none'") != std::string::npos);
  for (const char* bad : {"<script", "http://", "https://", "src=", "href="})
    CHECK(html.find(bad) == std::string::npos);
  CHECK(html.find("name: a &lt; b &amp; &quot;c&quot;") != std::string::npos);
  std::size_t svgs = 0;
  for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
    ++svgs;
  CHECK(svgs == report_figures(f).size());
  CHECK(html.find("P(insurance fund exhausted)") != std::string::npos);
}

TEST_CASE("Analysis.Report.SvgRenderer") {
  svg::Plot empty;
  empty.title = "t";
  CHECK(svg::render(empty).find("nothing to show") != std::string::npos);
  svg::Plot p;
  p.title = "x < y";
  p.log_y = true;
  p.lines.push_back({{1, 2, 3}, {0.0, 10.0, 100.0}, "#123456", "l"});
  const std::string s = svg::render(p);
  CHECK(s.find("x &lt; y") != std::string::npos);
  // The non-positive value is left out of the log axis: two points drawn.
  const auto points = s.substr(s.find("<polyline points=\"") + 18);
  CHECK(std::count(points.begin(), points.begin() + static_cast<std::ptrdiff_t>(points.find('"')),
                   ',') == 2);
  svg::Plot bars;
  bars.bars.push_back({{0.5, 1.5, 2.5}, {1.0, 0.0, 2.0}, 1.0, "#d62728", "b"});
  const std::string b = svg::render(bars);
  std::size_t rects = 0;
  for (std::size_t at = b.find("fill=\"#d62728\""); at != std::string::npos;
       at = b.find("fill=\"#d62728\"", at + 1))
    ++rects;
  CHECK(rects == 3);  // two bars (the zero one is not drawn) and the legend's swatch
}
