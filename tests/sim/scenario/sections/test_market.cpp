// `market:`, the per-asset market keys (garch, index_coupling, book.depth_class,
// book.depth_curve) and their errors, as the loader reads them (docs/scenario.md, docs/market.md).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/sim/scenario/support.hpp"

using cascade::load_scenario;
using cascade::Scenario;
using namespace cascade::test;

namespace {

// Lines 1-12: three assets and two groups; tests append from line 13 on.
const std::string kMarketBase =
    "exchange: {profile: binance}\n"
    "groups:\n"
    "  crypto: [BTC, ETH]\n"
    "  gold: [PAXG]\n"
    "assets:\n"
    "  BTC:\n"
    "    {price: 90000, volatility: 0.5, tiers: [{floor: 0, max_leverage: 100, mmr: 0.005}]}\n"
    "  ETH:\n"
    "    {price: 3000, volatility: 0.7, tiers: [{floor: 0, max_leverage: 100, mmr: 0.005}]}\n"
    "  PAXG:\n"
    "    {price: 4000, volatility: 0.15, tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]}\n"
    "steps: 10\n";

Scenario load_text(const std::string& yaml) {
  TempDir tmp;
  return load_scenario(tmp.write("s.yaml", yaml));
}

double rho(const Scenario& s, std::size_t regime, int a, int b) {
  const std::size_t n = s.assets.size();
  return s.market.correlation[regime]
      .matrix[static_cast<std::size_t>(a) * n + static_cast<std::size_t>(b)];
}

}  // namespace

TEST_CASE("Scenario.Market.AbsentMeansIndependentNormal") {
  const Scenario s = load_text(kMarketBase);
  CHECK(s.market.innovations == cascade::Innovations::Normal);
  CHECK(s.market.correlation.empty());
  CHECK(s.market.jumps.empty());
  REQUIRE(s.groups.size() == 2);
  CHECK(s.groups[0].name == "crypto");
  CHECK(s.groups[0].assets == std::vector<int>{0, 1});
  CHECK(s.groups[0].loc.line == 3);
  for (const auto& a : s.assets) {
    CHECK_FALSE(a.process.garch.has_value());
    CHECK(a.index_coupling == 0.0);
    CHECK_FALSE(a.depth_curve.has_value());
  }
}

TEST_CASE("Scenario.Market.CorrelationDefaultsGroupsPairsAndRegimes") {
  const Scenario s = load_text(kMarketBase + R"(market:
  innovations: student_t
  nu: 4
  correlation:
    default: 0.1
    groups: {crypto: 0.8}
    pairs: {crypto/PAXG: 0.42, ETH/gold: 0.3}
  regimes:
    - from: 43200
      correlation: {groups: {crypto: 0.95}, pairs: {BTC/PAXG: -0.18}}
  jumps:
    - {group: crypto, rate_per_day: 0.5, mean: -0.08, sd: 0.05, common: true}
    - {assets: [PAXG], rate_per_day: 0.1, mean: 0.02}
)");
  CHECK(s.market.innovations == cascade::Innovations::StudentT);
  CHECK(s.market.nu == 4.0);
  REQUIRE(s.market.correlation.size() == 2);
  CHECK(s.market.correlation[0].from_s == 0.0);
  CHECK(rho(s, 0, 0, 0) == 1.0);
  CHECK(rho(s, 0, 0, 1) == 0.8);
  CHECK(rho(s, 0, 1, 0) == 0.8);
  CHECK(rho(s, 0, 0, 2) == 0.42);  // crypto/PAXG
  CHECK(rho(s, 0, 1, 2) == 0.3);   // ETH/gold, later than crypto/PAXG
  CHECK(rho(s, 0, 2, 1) == 0.3);
  CHECK(s.market.correlation[1].from_s == 43200.0);
  CHECK(rho(s, 1, 0, 1) == 0.95);
  CHECK(rho(s, 1, 0, 2) == -0.18);
  CHECK(rho(s, 1, 1, 2) == 0.0);  // a regime is complete: no inheritance, default 0
  REQUIRE(s.market.jumps.size() == 2);
  CHECK(s.market.jumps[0].assets == std::vector<int>{0, 1});
  CHECK(s.market.jumps[0].common);
  CHECK(s.market.jumps[0].rate_per_day == 0.5);
  CHECK(s.market.jumps[0].mean_log == -0.08);
  CHECK(s.market.jumps[0].sd_log == 0.05);
  CHECK(s.market.jumps[1].assets == std::vector<int>{2});
  CHECK_FALSE(s.market.jumps[1].common);
  CHECK(s.market.jumps[1].sd_log == 0.0);
}

TEST_CASE("Scenario.Market.FullMatrixForm") {
  const Scenario s = load_text(kMarketBase + R"(market:
  correlation:
    assets: [PAXG, BTC]
    matrix:
      - [1, 0.42]
      - [0.42, 1]
)");
  REQUIRE(s.market.correlation.size() == 1);
  CHECK(rho(s, 0, 0, 2) == 0.42);
  CHECK(rho(s, 0, 2, 0) == 0.42);
  CHECK(rho(s, 0, 0, 1) == 0.0);
}

TEST_CASE("Scenario.Market.AssetKeys") {
  TempDir tmp;
  tmp.write("depth.csv",
            "distance,bid_depth,ask_depth\n0.005,1e6,0.8e6\n0.01,2.5e6,2e6\n0.05,9e6,8e6\n");
  const Scenario s = load_scenario(tmp.write("s.yaml", R"(exchange: {profile: binance}
assets:
  BTC:
    price: 90000
    volatility: 0.5
    garch: {alpha: 0.08, beta: 0.9}
    index_coupling: 0.3
    tiers: [{floor: 0, max_leverage: 100, mmr: 0.005}]
    book: {depth_curve: depth.csv, tau_refill: 120}
  FET:
    price: 1.2
    garch: {alpha: 0.1, beta: 0.8, omega: 1e-6}
    tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]
    book: {depth_class: small_cap, eta: 0.5}
  ETH:
    price: 3000
    tiers: [{floor: 0, max_leverage: 100, mmr: 0.005}]
    book: {depth_class: large_cap, depth_1pct: 2e7}
)"));
  const auto& btc = s.assets[0];
  REQUIRE(btc.process.garch.has_value());
  CHECK(btc.process.garch->alpha == 0.08);
  CHECK(btc.process.garch->beta == 0.9);
  CHECK_FALSE(btc.process.garch->omega.has_value());
  CHECK(btc.index_coupling == 0.3);
  REQUIRE(btc.depth_curve.has_value());
  CHECK(btc.depth_curve->file == tmp.path("depth.csv"));
  CHECK(btc.depth_curve->curve.knots() == 3);
  CHECK(btc.depth_curve->curve.depth_within(-1, 0.01) == 2.5e6);
  CHECK(btc.depth_curve->curve.depth_within(1, 0.01) == 2e6);
  CHECK(btc.book.tau_refill_s == 120.0);
  const auto& fet = s.assets[1];
  CHECK(*fet.process.garch->omega == 1e-6);
  CHECK(fet.book.depth_1pct_usd == 1.5e5);  // small_cap
  CHECK(fet.book.tau_refill_s == 1800.0);
  CHECK(fet.book.eta == 0.5);
  CHECK(s.assets[2].book.depth_1pct_usd == 2e7);  // explicit beats the class
  CHECK(s.assets[2].book.tau_refill_s == 300.0);  // from large_cap
}

TEST_CASE("Scenario.Market.ResolvedTextReloads") {
  TempDir tmp;
  const std::string file = tmp.write("s.yaml", kMarketBase + R"(market:
  correlation: {default: 0.2, pairs: {BTC/PAXG: -0.1}}
  regimes: [{from: 3600, correlation: {default: 0.5}}]
)");
  const Scenario a = load_scenario(file);
  const Scenario b = load_scenario(tmp.write("again.yaml", a.resolved_yaml));
  REQUIRE(b.market.correlation.size() == 2);
  CHECK(a.market.correlation[0].matrix == b.market.correlation[0].matrix);
  CHECK(a.market.correlation[1].matrix == b.market.correlation[1].matrix);
}

// ---- errors ----------------------------------------------------------------------------------

TEST_CASE("Scenario.Market.Error.NotPositiveSemiDefinite") {
  // BTC and ETH both 0.9 with PAXG but -0.9 with each other: impossible together.
  expect_error(
      kMarketBase +
          "market:\n  correlation:\n    pairs: {BTC/ETH: -0.9, BTC/PAXG: 0.9, ETH/PAXG: 0.9}\n",
      "15:5",
      "market.correlation: not a correlation matrix: not positive semi-definite (smallest "
      "eigenvalue -");
  // In a regime, the regime's block is named.
  expect_error(
      kMarketBase +
          "market:\n  regimes:\n    - from: 60\n      correlation:\n"
          "        default: -0.9\n",
      "17:9",
      "market.regimes[0].correlation: not a correlation matrix: not positive semi-definite");
}

TEST_CASE("Scenario.Market.Error.MatrixChecks") {
  const std::string head =
      kMarketBase + "market:\n  correlation:\n    assets: [BTC, PAXG]\n    matrix:\n";
  expect_error(head + "      - [1, 0.4]\n      - [0.3, 1]\n", "18:10",
               "not symmetric: PAXG/BTC is 0.3 but BTC/PAXG is 0.4");
  expect_error(head + "      - [0.9, 0.4]\n      - [0.4, 1]\n", "17:10",
               "diagonal element BTC/BTC must be 1");
  expect_error(head + "      - [1, 1.4]\n      - [1.4, 1]\n", "17:13",
               "expected a number in [-1, 1], got 1.4");
  expect_error(head + "      - [1, 0.4]\n", "17:7", "expected 2 rows");
  expect_error(head + "      - [1, 0.4]\n      - [1]\n", "18:9", "expected 2 numbers, got 1");
  expect_error(kMarketBase + "market:\n  correlation:\n    matrix: [[1]]\n", "15:5",
               "'matrix' and 'assets' (its row and column order) go together");
}

TEST_CASE("Scenario.Market.Error.PairsAndGroups") {
  const std::string head = kMarketBase + "market:\n  correlation:\n";
  expect_error(head + "    pairs: {BTC/PAXGG: 0.4}\n", "15:13",
               "'PAXGG' is neither an asset nor a group (did you mean 'PAXG'?)");
  expect_error(head + "    pairs: {BTC-PAXG: 0.4}\n", "15:13", "expected a pair 'A/B'");
  expect_error(head + "    pairs: {crypto/BTC: 0.4}\n", "15:13", "asset 'BTC' is on both sides");
  expect_error(head + "    pairs: {BTC/PAXG: -1.5}\n", "15:23",
               "expected a number in [-1, 1], got -1.5");
  expect_error(head + "    groups: {cryptoo: 0.8}\n", "15:14",
               "unknown group 'cryptoo' (did you mean 'crypto'?)");
  expect_error(head + "    default: 2\n", "15:14",
               "market.correlation.default: expected a number in [-1, 1], got 2");
  expect_error(head + "    defualt: 0.2\n", "15:5", "unknown key (did you mean 'default'?)");
}

TEST_CASE("Scenario.Market.Error.RegimesInnovationsJumps") {
  const std::string head = kMarketBase + "market:\n";
  expect_error(
      head + "  regimes:\n    - {from: 600, correlation: {}}\n    - {from: 600, correlation: {}}\n",
      "16:14", "strictly increasing");
  expect_error(head + "  regimes:\n    - {from: 600}\n", "15:7",
               "missing required key 'correlation'");
  expect_error(head + "  innovations: cauchy\n", "14:16", "expected one of: normal, student_t");
  expect_error(head + "  nu: 4\n", "14:7", "'nu' applies only to 'innovations: student_t'");
  expect_error(head + "  innovations: student_t\n  nu: 2\n", "15:7",
               "expected a number > 2, got 2");
  expect_error(head + "  jumps:\n    - {group: ai, rate_per_day: 1, mean: -0.1}\n", "15:15",
               "unknown group 'ai'");
  expect_error(
      head + "  jumps:\n    - {assets: [BTC], group: crypto, rate_per_day: 1, mean: -0.1}\n",
      "15:23", "give exactly one of 'assets' (a list) or 'group' (a name)");
  expect_error(head + "  jumps:\n    - {assets: [BTC], rate_per_day: -1, mean: -0.1}\n", "15:37",
               "expected a number in [0, 10000], got -1");
  expect_error(head + "  jumps:\n    - {assets: [BTC], rate_per_day: 1}\n", "15:7",
               "missing required key 'mean'");
}

TEST_CASE("Scenario.Market.Error.AssetKeys") {
  expect_error(kBase + "    garch: {alpha: 0.2, beta: 0.85}\n", "9:12",
               "alpha + beta must be < 1 for a stationary variance (got 0.2 + 0.85 = 1.05)");
  expect_error(kBase + "    garch: {alpha: 0.1, beta: 0.85}\n", "9:12",
               "needs 'omega' or the asset's 'volatility' > 0");
  expect_error(kBase + "    garch: {alpha: 0.1}\n", "9:5", "missing required key 'beta'");
  expect_error(kBase + "    index_coupling: 1.5\n", "9:21", "expected a number in [0, 1], got 1.5");
  expect_error(kBase + "    book: {depth_class: huge}\n", "9:25",
               "expected one of: major, large_cap, mid_cap, small_cap");
  expect_error(kBase + "    book: {depth_curve: d.csv, beta: 1.5}\n", "9:32",
               "assets.BTC.book.beta: not used with 'depth_curve'");
  expect_error(kBase + "    book: {depth_curve: missing.csv}\n", "9:25",
               "assets.BTC.book.depth_curve: cannot open");
}

TEST_CASE("Scenario.Market.Error.DepthCurveFile") {
  TempDir tmp;
  auto check = [&](const std::string& csv, const std::string& where, const std::string& part) {
    tmp.write("d.csv", csv);
    const std::string msg =
        error_of(tmp.write("s.yaml", kBase + "    book: {depth_curve: d.csv}\n"));
    INFO("message: " << msg);
    CHECK(starts_with(msg, tmp.path("d.csv") + ":" + where + ": error: "));
    CHECK(contains(msg, part));
  };
  check("distance,bid_depth,ask_depth\n0.01,1e6,1e6\n0.01,2e6,2e6\n", "3:1",
        "distances must be strictly increasing");
  check("distance,bid_depth,ask_depth\n0.01,1e6,1e6\n0.02,1e6,2e6\n", "3:6",
        "column 'bid_depth': cumulative depth must increase");
  check("distance,bid_depth,ask_depth\n1.5,1e6,1e6\n", "2:1", "expected a distance in (0, 1)");
  check("distance,bid_depth,ask_depth\n0.01,1e6,abc\n", "2:10",
        "column 'ask_depth': expected a number, got 'abc'");
  check("distance,bid,ask_depth\n", "1:10", "bid");
}
