// The comparison and the risk scorecard of sim/analysis/ on hand-made rows.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/analysis/compare.hpp"
#include "sim/analysis/scorecard.hpp"

using namespace cascade;

namespace {

std::vector<PathOutcome> paths(std::size_t n, double liq0) {
  std::vector<PathOutcome> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i].path = static_cast<std::int64_t>(i);
    v[i].liquidated_notional = liq0 + 10.0 * static_cast<double>(i % 7);
    v[i].insurance_fund_start = 100.0;
    v[i].insurance_fund_min = 100.0;
  }
  return v;
}

Rows rows_of(const std::vector<PathOutcome>& v) {
  Rows r;
  for (const auto& o : v) r.push_back(&o);
  return r;
}

const ScoreEntry& entry(const Scorecard& c, const std::string& key) {
  for (const auto& e : c.entries)
    if (e.key == key) return e;
  FAIL("no entry ", key);
  return c.entries.front();
}

}  // namespace

TEST_CASE("Analysis.Scorecard.ProbabilitiesAndTails") {
  std::vector<PathOutcome> v = paths(4, 0.0);
  const double mins[] = {100.0, 50.0, 0.0, 0.0};
  const std::int64_t adl[] = {0, 1, 0, 2};
  const double debt[] = {0.0, 0.0, 10.0, 30.0};
  for (std::size_t i = 0; i < 4; ++i) {
    v[i].insurance_fund_min = mins[i];
    v[i].adl_count = adl[i];
    v[i].bad_debt = debt[i];
  }
  const Scorecard c = scorecard(rows_of(v));
  CHECK(entry(c, "p_fund_exhausted").estimate.value == 0.5);
  CHECK(entry(c, "p_fund_exhausted").estimate.stderr_ == doctest::Approx(0.25));
  CHECK(entry(c, "p_any_adl").estimate.value == 0.5);
  CHECK(entry(c, "p_bad_debt").estimate.value == 0.5);
  // draws 0, 50, 100, 100: the worst 5 % of 4 paths is the worst one.
  CHECK(entry(c, "fund_draw_es95").estimate.value == 100.0);
  CHECK(entry(c, "bad_debt_var95").estimate.value == doctest::Approx(10.0 + 0.85 * 20.0));
  CHECK(entry(c, "bad_debt_es99").estimate.value == 30.0);
  // Without a vault in the results, no vault entries.
  for (const auto& e : c.entries) CHECK(e.key.find("vault") == std::string::npos);
}

TEST_CASE("Analysis.Compare.PairedWhenSeedAndPathsMatch") {
  const auto a = paths(20, 1000.0), b = paths(20, 1005.0);
  CompareSide sa{"A", 7, rows_of(a)}, sb{"B", 7, rows_of(b)};
  const Comparison c = compare(sa, sb);
  CHECK(c.paired);
  const MetricComparison* liq = nullptr;
  for (const auto& m : c.metrics)
    if (std::string(m.metric->name) == "liquidated_notional") liq = &m;
  REQUIRE(liq != nullptr);
  CHECK(liq->difference.difference.value == doctest::Approx(5.0));
  CHECK(liq->difference.difference.stderr_ == 0.0);
  CHECK(liq->difference.significant);
  CHECK(liq->a.p50 == doctest::Approx(1030.0));
  // Another seed: unpaired (Welch), and the shift of 5 in a spread of ~20 is not significant.
  sb.seed = 8;
  const Comparison w = compare(sa, sb);
  CHECK(!w.paired);
  CHECK(w.pairing.find("seeds differ") != std::string::npos);
  for (const auto& m : w.metrics)
    if (std::string(m.metric->name) == "liquidated_notional") {
      CHECK(m.difference.difference.value == doctest::Approx(5.0));
      CHECK(!m.difference.significant);
    }
  // Paths matched by index, not by position in the file.
  std::vector<PathOutcome> reversed(b.rbegin(), b.rend());
  sb = {"B", 7, rows_of(reversed)};
  CHECK(compare(sa, sb).paired);
  for (const auto& m : compare(sa, sb).metrics)
    if (std::string(m.metric->name) == "liquidated_notional")
      CHECK(m.difference.difference.stderr_ == 0.0);
}

TEST_CASE("Analysis.Compare.JsonHasTheInterfaceKeys") {
  const auto a = paths(5, 1.0), b = paths(5, 2.0);
  const CompareSide sa{"A \"x\"", 1, rows_of(a)}, sb{"B", 1, rows_of(b)};
  const std::string j = comparison_json(sa, sb, compare(sa, sb));
  CHECK(j.find(R"("metrics": {"liquidated_notional": {"unit": "USD", "a": {"p5": )") !=
        std::string::npos);
  CHECK(j.find(R"("difference": 1, "stderr": 0, "significant": true)") != std::string::npos);
  CHECK(j.find(R"("a": "A \"x\"")") != std::string::npos);
  CHECK(json_number(std::nan("")) == "null");
  CHECK(json_number(0.1) == "0.1");
  CHECK(json_number(925358.9182421904) == "925358.9182421904");
}
