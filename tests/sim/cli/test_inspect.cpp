// Specification of `cascade inspect`: percentiles as numpy computes them, human-readable numbers,
// and a summary of the sample run whose values can be checked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "sim/cli/inspect.hpp"
#include "sim/results/writer.hpp"
#include "tests/sim/results/sample.hpp"

namespace cascade {
namespace {

/// The first line of `text` whose first word is `key`.
std::string line_of(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == key) return line;
  }
  return "";
}

/// True when `line` holds `tokens` in this order.
bool in_order(const std::string& line, const std::vector<std::string>& tokens) {
  std::size_t at = 0;
  for (const auto& t : tokens) {
    at = line.find(t, at);
    if (at == std::string::npos) return false;
    at += t.size();
  }
  return true;
}

}  // namespace

TEST_CASE("Results.Inspect.Percentiles") {
  const double nan = std::nan("");
  CHECK(percentile({1.0, 2.0, 3.0, 4.0}, 0.5) == doctest::Approx(2.5));
  CHECK(percentile({4.0, 1.0, 3.0, 2.0}, 0.05) == doctest::Approx(1.15));
  CHECK(percentile({1.0, 2.0, 3.0, 4.0}, 0.95) == doctest::Approx(3.85));
  CHECK(percentile({1.0, 2.0, 3.0, 4.0}, 0.0) == 1.0);
  CHECK(percentile({1.0, 2.0, 3.0, 4.0}, 1.0) == 4.0);
  CHECK(percentile({7.0}, 0.05) == 7.0);
  CHECK(percentile({nan, 1.0, nan, 3.0}, 0.5) == doctest::Approx(2.0));
  CHECK(std::isnan(percentile({}, 0.5)));
  CHECK(std::isnan(percentile({nan}, 0.5)));
}

TEST_CASE("Results.Inspect.Format") {
  CHECK(format_quantity(1.234e6, "USD") == "1.23M USD");
  CHECK(format_quantity(-45'600.0, "USD") == "-45.6k USD");
  CHECK(format_quantity(999.6, "USD") == "1.00k USD");
  CHECK(format_quantity(999'999.0, "USD") == "1.00M USD");
  CHECK(format_quantity(2.5e9, "USD") == "2.50B USD");
  CHECK(format_quantity(0.0, "USD") == "0 USD");
  CHECK(format_quantity(3.2e-9, "USD") == "3.20e-09 USD");
  CHECK(format_quantity(12.34, "bps") == "12.3 bps");
  CHECK(format_quantity(0.85, "fraction") == "85.0%");
  CHECK(format_quantity(12.0, "count") == "12");
  CHECK(format_quantity(1234.0, "count") == "1.23k");
  CHECK(format_quantity(std::nan(""), "USD") == "-");
}

TEST_CASE("Results.Inspect.Summary") {
  test::ScratchDir dir("inspect");
  const std::string out = dir.file("out.h5");
  write_results(out, test::sample_info(), test::sample_results(), false);
  std::ostringstream text;
  CHECK(inspect_results(out, text) == 0);
  const std::string s = text.str();
  INFO(s);

  CHECK(line_of(s, "scenario").find("sample") != std::string::npos);
  CHECK(in_order(line_of(s, "paths"), {"3 per point", "1 point"}));
  CHECK(in_order(line_of(s, "steps"), {"4", "60 s", "4 min"}));
  CHECK(line_of(s, "seed").find("18446744073709551600") != std::string::npos);
  CHECK(line_of(s, "assets").find("AIX, BTC") != std::string::npos);
  CHECK(line_of(s, "events").find("5 liquidations") != std::string::npos);

  // liquidated_notional over paths = {1, 2, 4} M USD: p5 1.1, p50 2, p95 3.8, mean 2.33, max 4.
  CHECK(in_order(line_of(s, "liquidated_notional"),
                 {"1.10M USD", "2.00M USD", "3.80M USD", "2.33M USD", "4.00M USD"}));
  CHECK(in_order(line_of(s, "liquidations"), {"10.1", "11", "11.9", "11", "12"}));
  CHECK(in_order(line_of(s, "max_cascade_depth"), {"2.1", "3", "3.9", "3", "4"}));
  CHECK(in_order(line_of(s, "insurance_fund_min"), {"900k USD", "900k USD", "900k USD"}));
  CHECK(in_order(line_of(s, "bad_debt"), {"0.7 USD", "7 USD", "13.3 USD", "7 USD", "14 USD"}));
  CHECK(in_order(line_of(s, "conservation_residual"), {"1.10e-09 USD", "2.00e-09 USD"}));
  CHECK(in_order(line_of(s, "peak_slippage_bps"),
                 {"11 bps", "20 bps", "29 bps", "20 bps", "30 bps"}));

  // AIX: liquidated {0.75, 1.5, 3} M, 60 % long, min price ratio {0.80, 0.85, 0.90},
  // peak slippage {20, 30, 40} bps.
  CHECK(
      in_order(line_of(s, "AIX"), {"1.50M USD", "2.85M USD", "60.0%", "80.5%", "85.0%", "39 bps"}));
  // BTC: liquidated {0.25, 0.5, 1} M, min price ratio {0.81, 0.86, 0.91}, slippage {21, 31, 41}.
  CHECK(in_order(line_of(s, "BTC"), {"500k USD", "950k USD", "60.0%", "81.5%", "86.0%", "40 bps"}));
}

TEST_CASE("Results.Inspect.AdlAndVaultOutcomes") {
  test::ScratchDir dir("inspect_adl");
  const std::string out = dir.file("out.h5");
  RunResults r = test::sample_results();  // adl_count {0, 1, 2}
  for (std::size_t p = 0; p < r.outcomes.size(); ++p) {
    auto& o = r.outcomes[p];
    const double k = static_cast<double>(p);
    o.adl_haircut = 1000.0 * k;          // {0, 1k, 2k}
    o.adl_deficit_covered = 400.0 * k;   // {0, 400, 800}
    o.adl_overshoot = 600.0 * k;         // {0, 600, 1.2k}
    o.vault_takeovers = 3 * p;           // {0, 3, 6}
    o.vault_pnl = -5.0e4 * k;            // {0, -50k, -100k}
  }
  write_results(out, test::sample_info(), r, false);
  std::ostringstream text;
  CHECK(inspect_results(out, text) == 0);
  const std::string s = text.str();
  INFO(s);
  CHECK(s.find("ADL and backstop") != std::string::npos);
  CHECK(in_order(line_of(s, "adl_count"), {"0.1", "1", "1.9", "1", "2"}));
  CHECK(in_order(line_of(s, "adl_haircut"), {"100 USD", "1.00k USD", "1.90k USD", "1.00k USD", "2.00k USD"}));
  CHECK(in_order(line_of(s, "adl_overshoot"), {"60 USD", "600 USD", "1.14k USD", "600 USD", "1.20k USD"}));
  CHECK(in_order(line_of(s, "vault_takeovers"), {"0.3", "3", "5.7", "3", "6"}));
  CHECK(in_order(line_of(s, "vault_pnl"), {"-95.0k USD", "-50.0k USD", "-5.00k USD"}));
  CHECK(line_of(s, "partial_liquidations").empty());  // no path has one
  CHECK(line_of(s, "socialized_loss").empty());

  // Without any of them: one line that says so.
  RunResults none = test::sample_results();
  for (auto& o : none.outcomes) o.adl_count = 0;
  const std::string out2 = dir.file("none.h5");
  write_results(out2, test::sample_info(), none, false);
  std::ostringstream text2;
  CHECK(inspect_results(out2, text2) == 0);
  CHECK(text2.str().find("no auto-deleveraging, partial liquidation, vault takeover") != std::string::npos);
  CHECK(line_of(text2.str(), "adl_haircut").empty());
}

TEST_CASE("Results.Inspect.PerPointForSweeps") {
  test::ScratchDir dir("inspect_sweep");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  info.sweep = {{"exchange.liquidation_fee", "fraction", {0.005, 0.01}}};
  RunResults results = test::sample_results();
  results.outcomes[2].point = 1;
  write_results(out, info, results, false);
  std::ostringstream text;
  CHECK(inspect_results(out, text) == 0);
  const std::string s = text.str();
  INFO(s);
  CHECK(s.find("point 0: exchange.liquidation_fee = 0.005") != std::string::npos);
  CHECK(s.find("point 1: exchange.liquidation_fee = 0.01") != std::string::npos);
  CHECK(s.find("outcomes over 2 paths") != std::string::npos);
  CHECK(s.find("outcomes over 1 path ") != std::string::npos);
  // The overview: one line per point with its swept value and the path count.
  CHECK(s.find("sweep overview") != std::string::npos);
  CHECK(in_order(line_of(s, "1"), {"0.01", "1", "USD"}));

  std::ostringstream one;
  InspectOptions only;
  only.point = 1;
  CHECK(inspect_results(out, one, only) == 0);
  CHECK(one.str().find("point 1: exchange.liquidation_fee = 0.01") != std::string::npos);
  CHECK(one.str().find("point 0:") == std::string::npos);
  only.point = 7;
  CHECK_THROWS_AS(inspect_results(out, one, only), std::runtime_error);

  // Many points: the overview only.
  std::ostringstream brief;
  InspectOptions few;
  few.max_point_tables = 1;
  CHECK(inspect_results(out, brief, few) == 0);
  CHECK(brief.str().find("point 0:") == std::string::npos);
  CHECK(brief.str().find("--point P") != std::string::npos);
}

TEST_CASE("Results.Inspect.ShowsTheShard") {
  test::ScratchDir dir("inspect_shard");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  info.shard = ShardInfo{2, 3, 6, 9, 9};
  write_results(out, info, test::sample_results(), false);
  std::ostringstream text;
  CHECK(inspect_results(out, text) == 0);
  CHECK(text.str().find("shard       2/3: rows [6, 9) of 9") != std::string::npos);
}

TEST_CASE("Results.Inspect.RefusesUnreadableFile") {
  test::ScratchDir dir("inspect_missing");
  std::ostringstream text;
  CHECK_THROWS_AS(inspect_results(dir.file("absent.h5"), text), std::runtime_error);
}

}  // namespace cascade
