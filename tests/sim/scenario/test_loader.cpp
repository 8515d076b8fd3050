// The scenario loader as a specification: what it accepts (INTERFACE.md examples, the full
// schema), the resolved text, and where and how it reports what the YAML gets wrong. The CSV
// files are specified in sections/test_files.cpp, --set in test_overrides.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/sim/scenario/support.hpp"

using cascade::load_scenario;
using cascade::Scenario;
using namespace cascade::test;

// ---- accepted scenarios --------------------------------------------------------------------

TEST_CASE("Scenario.Load.MinimalBinance") {
  const Scenario s = load_scenario(kData + "/minimal/minimal_binance.yaml");
  CHECK(s.name == "minimal_binance");
  CHECK(s.steps == 0);
  CHECK(s.dt_s == 60.0);
  CHECK(s.paths == 1);
  CHECK(s.seed == 0);
  CHECK(s.exchange.profile == "binance");
  CHECK(s.exchange.liquidation_fee == 0.005);
  CHECK(s.exchange.insurance_fund_usd == 1.0e8);
  CHECK(s.engine.max_rounds == 50);
  CHECK(s.sample == cascade::SampleMode::PerPath);
  CHECK(s.output.timeseries_paths == std::vector<int>{0});
  CHECK_FALSE(s.output.events);
  CHECK_FALSE(s.replay.has_value());
  REQUIRE(s.assets.size() == 1);
  const cascade::AssetSpec& btc = s.assets[0];
  CHECK(btc.name == "BTC");
  CHECK(btc.price_usd == 32481.98);
  CHECK(btc.loc.line == 4);
  REQUIRE(btc.tiers.rows().size() == 2);
  CHECK(btc.tiers.rows()[1].floor_usd == 50000.0);
  CHECK(btc.tiers.rows()[1].max_leverage == 100.0);
  CHECK(btc.tiers.rows()[1].cum_usd == doctest::Approx(50.0));
  CHECK(btc.book.depth_1pct_usd == cascade::BookParams{}.depth_1pct_usd);
  CHECK_FALSE(btc.population.has_value());

  REQUIRE(s.positions.size() == 3);
  REQUIRE(s.accounts.size() == 2);
  CHECK(s.accounts[0].name == "alice");
  CHECK(s.accounts[1].name == "bob");
  CHECK_FALSE(s.accounts[0].wallet_usd.has_value());
  const cascade::PositionSpec& bob = s.positions[1];
  CHECK(bob.account == 1);
  CHECK(bob.asset == 0);
  CHECK(bob.side == -1);
  CHECK(bob.size == 2.0);
  CHECK(bob.entry_usd == 33000.0);
  CHECK(bob.margin_usd == 1000.0);
  CHECK_FALSE(bob.cross);
  CHECK(bob.line == 3);
  CHECK(s.positions[2].account == 0);
}

TEST_CASE("Scenario.Load.DeterministicReplay") {
  const Scenario s = load_scenario(kData + "/deterministic/deterministic.yaml");
  CHECK(s.name == "deterministic");
  CHECK(s.steps == 120);
  CHECK(s.dt_s == 60.0);
  CHECK(s.exchange.insurance_fund_usd == 1.0e12);
  CHECK(s.output.events);
  REQUIRE(s.assets.size() == 1);
  const cascade::AssetSpec& aix = s.assets[0];
  REQUIRE(aix.tiers.rows().size() == 3);
  CHECK(aix.tiers.rows()[0].cum_usd == 0.0);
  CHECK(aix.tiers.rows()[1].cum_usd == doctest::Approx(25.0));
  CHECK(aix.tiers.rows()[2].cum_usd == doctest::Approx(650.0));
  CHECK(aix.book.depth_1pct_usd == 250000.0);
  CHECK(aix.book.tau_refill_s == 600.0);
  CHECK(aix.book.w_min == cascade::BookParams{}.w_min);
  REQUIRE(s.replay.has_value());
  REQUIRE(s.replay->prices.size() == 121);
  CHECK(s.replay->prices[0][0] == 2.0);
  CHECK(s.replay->prices[120][0] == doctest::Approx(1.4));
  CHECK(aix.price_usd == 2.0);
  // Columns in any order; the whale sits exactly at its tier's 10x limit.
  REQUIRE(s.positions.size() == 3);
  CHECK(s.positions[0].size == 20000.0);
  CHECK(s.positions[0].margin_usd == 4000.0);
  CHECK(s.positions[2].side == -1);
}

TEST_CASE("Scenario.Load.FullSchema") {
  TempDir tmp;
  tmp.write("positions.csv",
            "account,asset,side,size,entry_price,margin,mode\n"
            "fund,FET,long,1000,1.5,,cross\n"
            "\"fund\",BTC,short,0.1,30000,,cross\r\n"
            "\n"
            "joe,TAO,long,10,300,500,isolated\n");
  tmp.write("accounts.csv", "wallet,account\n5e5,fund\n100,idle\n");
  const std::string file = tmp.write("crash.yaml", R"(name: ai_token_crash
description: "AI tokens fall 20 %"
steps: 288
dt: 300
paths: 1000
seed: 18446744073709551615
exchange: {profile: binance, liquidation_fee: 0.01, insurance_fund: 0}
engine: {max_rounds: 7}
groups:
  ai: [FET, TAO]
assets:
  FET:
    price: 1.5
    drift: -0.1
    volatility: 1.2
    tiers:
      - floor: 0
        max_leverage: 50
        mmr: 0.01
        cum: 0
      - {floor: 10000, max_leverage: 20, mmr: 0.025, cum: 150}
    book:
      depth_1pct: 2.5e5
      beta: 1.5
      tau_refill: 900
      eta: 0.5
      vol_base: 0.9
      vol_halflife: 1800
      w_min: 0.2
      displacement_cap: 0.9
    population:
      count: 2000
      long_share: 0.6
      leverage_mean: 20
      leverage_dispersion: 0.4
      notional_median: 5000
      notional_dispersion: 1.5
      entry_spread: 0.03
  TAO:
    price: 300
    tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]
  BTC:
    price: 30000
    tiers: [{floor: 0, max_leverage: 125, mmr: 0.004}]
shocks:
  - {at: 3600, group: ai, move: -0.2, over: 1800}
  - {at: 0, assets: [BTC, FET], move: 0.05}
population:
  sample: per_run
positions:
  file: positions.csv
  accounts: accounts.csv
output:
  events: true
  timeseries_paths: 3
)");
  const Scenario s = load_scenario(file);
  CHECK(s.name == "ai_token_crash");
  CHECK(s.steps == 288);
  CHECK(s.dt_s == 300.0);
  CHECK(s.paths == 1000);
  CHECK(s.seed == 18446744073709551615ULL);
  CHECK(s.exchange.liquidation_fee == 0.01);
  CHECK(s.exchange.insurance_fund_usd == 0.0);
  CHECK(s.engine.max_rounds == 7);
  REQUIRE(s.assets.size() == 3);
  CHECK(s.assets[0].name == "FET");  // YAML order, not alphabetical
  CHECK(s.assets[1].name == "TAO");
  CHECK(s.assets[2].name == "BTC");
  const cascade::AssetSpec& fet = s.assets[0];
  CHECK(fet.process.drift_annual == -0.1);
  CHECK(fet.process.volatility_annual == 1.2);
  CHECK(fet.tiers.rows()[1].cum_usd == doctest::Approx(150.0));
  CHECK(fet.book.depth_1pct_usd == 2.5e5);
  CHECK(fet.book.beta == 1.5);
  CHECK(fet.book.tau_refill_s == 900.0);
  CHECK(fet.book.eta == 0.5);
  CHECK(fet.book.vol_base_annual == 0.9);
  CHECK(fet.book.vol_halflife_s == 1800.0);
  CHECK(fet.book.w_min == 0.2);
  CHECK(fet.book.displacement_cap == 0.9);
  REQUIRE(fet.population.has_value());
  CHECK(fet.population->count == 2000);
  CHECK(fet.population->long_share == 0.6);
  CHECK(fet.population->leverage_mean == 20.0);
  CHECK(fet.population->leverage_dispersion == 0.4);
  CHECK(fet.population->notional_median_usd == 5000.0);
  CHECK(fet.population->notional_dispersion == 1.5);
  CHECK(fet.population->entry_spread == 0.03);
  CHECK(fet.population->loc.line == 31);
  REQUIRE(s.shocks.size() == 2);
  CHECK(s.shocks[0].assets == std::vector<int>{0, 1});
  CHECK(s.shocks[0].at_s == 3600.0);
  CHECK(s.shocks[0].over_s == 1800.0);
  CHECK(s.shocks[0].move == -0.2);
  CHECK(s.shocks[1].assets == std::vector<int>{2, 0});
  CHECK(s.shocks[1].over_s == 0.0);
  CHECK(s.sample == cascade::SampleMode::PerRun);
  CHECK(s.output.events);
  CHECK(s.output.timeseries_paths == std::vector<int>{0, 1, 2});

  REQUIRE(s.positions.size() == 3);
  CHECK(s.positions[0].cross);
  CHECK(s.positions[0].margin_usd == 0.0);
  CHECK(s.positions[1].account == 0);
  CHECK(s.positions[1].asset == 2);
  CHECK(s.positions[2].line == 5);
  REQUIRE(s.accounts.size() == 3);  // fund, joe (positions), idle (accounts file only)
  CHECK(s.accounts[0].wallet_usd == 5e5);
  CHECK_FALSE(s.accounts[1].wallet_usd.has_value());
  CHECK(s.accounts[2].name == "idle");
  CHECK(s.accounts[2].wallet_usd == 100.0);
}

TEST_CASE("Scenario.Load.TimeseriesPaths") {
  TempDir tmp;
  const std::string f1 = tmp.write("a.yaml", kBase + "paths: 2\noutput: {timeseries_paths: 5}\n");
  CHECK(load_scenario(f1).output.timeseries_paths == std::vector<int>{0, 1});
  const std::string f2 =
      tmp.write("b.yaml", kBase + "paths: 9\noutput: {timeseries_paths: [4, 2]}\n");
  CHECK(load_scenario(f2).output.timeseries_paths == std::vector<int>{4, 2});
  const std::string f3 = tmp.write("c.yaml", kBase + "output: {timeseries_paths: []}\n");
  CHECK(load_scenario(f3).output.timeseries_paths.empty());
}

TEST_CASE("Scenario.Load.StepsFromReplay") {
  TempDir tmp;
  tmp.write("p.csv", "asset,time,price\nBTC,0,100\nBTC,30,90\nBTC,60.0000000000001,80\n");
  const Scenario s = load_scenario(tmp.write("s.yaml", kBase + "dt: 30\nreplay: p.csv\n"));
  CHECK(s.steps == 2);
  CHECK(s.assets[0].price_usd == 100.0);
  REQUIRE(s.replay->prices.size() == 3);
  CHECK(s.replay->prices[2][0] == 80.0);
  CHECK(s.replay->file == tmp.path("p.csv"));
}

// ---- YAML errors -----------------------------------------------------------------------------

TEST_CASE("Scenario.Error.MissingFile") {
  const std::string msg = error_of("/nonexistent/cascade.yaml");
  CHECK(starts_with(msg, "/nonexistent/cascade.yaml: error: cannot open"));
}

TEST_CASE("Scenario.Error.YamlSyntax") {
  expect_error(kBase + "shocks: [{at: 1\n", "10:1", "YAML syntax error");
  expect_error("assets:\n  BTC:\n   price: 1\n  - x\n", "4:3", "YAML syntax error");
}

TEST_CASE("Scenario.Error.UnknownKey") {
  // Near miss: transposition, and a case-insensitive match.
  expect_error(kHead + "    prcie: 30000\n" + kTiers, "5:5",
               "assets.BTC.prcie: unknown key (did you mean 'price'?)");
  expect_error(kBase + "Steps: 10\n", "9:1", "Steps: unknown key (did you mean 'steps'?)");
  expect_error(kBase + "exchange_rate: 3\n", "9:1", "exchange_rate: unknown key");
  TempDir tmp;
  const std::string msg = error_of(tmp.write("s.yaml", kBase + "frobnicate: 3\n"));
  CHECK_FALSE(contains(msg, "did you mean"));
  expect_error(kBase + "    book: {depth: 3}\n", "9:12",
               "assets.BTC.book.depth: unknown key (did you mean 'depth_1pct'?)");
}

TEST_CASE("Scenario.Error.DuplicateKey") {
  expect_error(kBase + "    price: 31000\n", "9:5",
               "assets.BTC.price: duplicate key (first defined at line 5)");
  expect_error(kBase + "exchange: {}\n", "9:1",
               "exchange: duplicate key (first defined at line 1)");
  expect_error(kHead + "    price: 1\n    tiers:\n      - {floor: 0, mmr: 0.1, floor: 0}\n", "7:30",
               "assets.BTC.tiers[0].floor: duplicate key");
}

TEST_CASE("Scenario.Error.WrongType") {
  expect_error(kHead + "    price: abc\n" + kTiers, "5:12",
               "assets.BTC.price: expected a number > 0, got 'abc'");
  expect_error(kHead + "    price: \"30000\"\n" + kTiers, "5:12",
               "assets.BTC.price: expected a number");
  expect_error(kHead + "    price: [1]\n" + kTiers, "5:12", "got a list");
  expect_error(kBase + "steps: 2.5\n", "9:8", "steps: expected an integer");
  expect_error(kBase + "seed: -1\n", "9:7", "seed: expected an integer");
  expect_error(kBase + "output: {events: yes}\n", "9:18", "output.events: expected true or false");
  expect_error(kBase + "    book: 5\n", "9:11", "assets.BTC.book: expected a map");
  expect_error(kHead + "    price: 1\n    tiers: {floor: 0}\n", "6:12",
               "assets.BTC.tiers: expected a list");
  expect_error(kBase + "population: {sample: sometimes}\n", "9:22",
               "population.sample: expected one of: per_path, per_run");
  expect_error("- 1\n- 2\n", "1:1", "expected a map");
}

TEST_CASE("Scenario.Error.MissingKey") {
  expect_error(kHead + kTiers, "4:3", "assets.BTC: missing required key 'price'");
  expect_error(kHead + "    price: 1\n", "4:3", "assets.BTC: missing required key 'tiers'");
  expect_error(kHead + "    price: 1\n    tiers:\n      - {floor: 0, mmr: 0.1}\n", "7:9",
               "assets.BTC.tiers[0]: missing required key 'max_leverage'");
  expect_error("# no assets\nexchange: {profile: binance}\n", "2:1",
               "missing required key 'assets'");
  expect_error("", "1:1", "missing required key 'assets'");
  expect_error(kBase + "    population: {long_share: 0.5}\n", "9:5",
               "assets.BTC.population: missing required key 'count'");
  expect_error(kBase + "shocks:\n  - {assets: [BTC], move: -0.1}\n", "10:5",
               "shocks[0]: missing required key 'at'");
}

TEST_CASE("Scenario.Error.OutOfRange") {
  expect_error(kBase + "    book: {depth_1pct: -5}\n", "9:24",
               "assets.BTC.book.depth_1pct: expected a number > 0, got -5");
  expect_error(kHead + "    price: 0\n" + kTiers, "5:12",
               "assets.BTC.price: expected a number > 0");
  expect_error(kBase + "dt: 0\n", "9:5", "dt: expected a number in (0, 31536000]");
  expect_error(kBase + "paths: 0\n", "9:8", "paths: expected an integer >= 1");
  expect_error(kBase + "steps: -1\n", "9:8", "steps: expected an integer");
  expect_error("exchange: {liquidation_fee: 1}\n" + kBase.substr(kBase.find("assets")), "1:29",
               "exchange.liquidation_fee: expected a number in [0, 1)");
  expect_error(kBase + "engine: {max_rounds: 0}\n", "9:22", "engine.max_rounds");
  expect_error(kBase + "    book: {w_min: 0}\n", "9:19",
               "assets.BTC.book.w_min: expected a number in (0, 1]");
  expect_error(kBase + "    book: {displacement_cap: 1}\n", "9:30",
               "assets.BTC.book.displacement_cap");
  expect_error(kBase + "    volatility: -0.1\n", "9:17",
               "assets.BTC.volatility: expected a number in [0, 10]");
  expect_error(kBase + "    population: {count: 10, long_share: 1.5}\n", "9:41",
               "assets.BTC.population.long_share");
  expect_error(kBase + "shocks: [{at: 0, assets: [BTC], move: -1}]\n", "9:39",
               "shocks[0].move: expected a number > -1");
  expect_error(kBase + "shocks: [{at: -5, assets: [BTC], move: 0.1}]\n", "9:15", "shocks[0].at");
  expect_error(kBase + "paths: 2\noutput: {timeseries_paths: [0, 2]}\n", "10:32",
               "output.timeseries_paths[1]: expected an integer in [0, 1]");
}

TEST_CASE("Scenario.Error.Tiers") {
  const std::string head =
      kHead + "    price: 1\n    tiers:\n      - {floor: 0, max_leverage: 125, mmr: 0.004}\n";
  // Row 1 is line 8; "{floor: " puts floor's value at column 16.
  expect_error(head + "      - {floor: 50000, max_leverage: 100, mmr: 1.5}\n", "8:48",
               "assets.BTC.tiers[1].mmr: mmr must be in (0, 1)");
  expect_error(head + "      - {floor: 50000, max_leverage: 100, mmr: 0}\n", "8:48",
               "tiers[1].mmr");
  expect_error(head + "      - {floor: 0, max_leverage: 100, mmr: 0.005}\n", "8:17",
               "assets.BTC.tiers[1].floor: tier floors must be strictly increasing");
  expect_error(
      kHead + "    price: 1\n    tiers:\n      - {floor: 10, max_leverage: 125, mmr: 0.004}\n",
      "7:17", "assets.BTC.tiers[0].floor: the first tier must have floor 0");
  expect_error(head + "      - {floor: 50000, max_leverage: 100, mmr: 0.02}\n", "8:38",
               "assets.BTC.tiers[1].max_leverage: initial-margin rate 1/max_leverage must be above mmr");
  expect_error(head + "      - {floor: 50000, max_leverage: 100, mmr: 0.005, cum: 60}\n", "8:60",
               "assets.BTC.tiers[1].cum: cum 60.0");
  expect_error(kHead + "    price: 1\n    tiers: []\n", "6:12",
               "assets.BTC.tiers: at least one tier");
}

TEST_CASE("Scenario.Error.Profile") {
  TempDir tmp;
  const std::string f =
      tmp.write("s.yaml", "exchange:\n  profile: okx\n" + kBase.substr(kBase.find("assets")));
  CHECK(error_of(f) ==
        f + ":2:12: error: exchange.profile: unknown profile 'okx' (expected one of: binance, "
                "bybit, hyperliquid, dydx)");
}

TEST_CASE("Scenario.Error.Names") {
  expect_error(kBase + "  BT-C:\n    price: 1\n", "9:3",
               "assets.BT-C: asset names may contain only");
  expect_error(kBase + "groups:\n  ai: [BTC, FTE]\n", "10:13", "groups.ai[1]: unknown asset 'FTE'");
  expect_error(kBase + "groups:\n  ai: [BTC, BTC]\n", "10:13", "asset 'BTC' is listed twice");
  expect_error(kBase + "shocks:\n  - {at: 0, assets: [BTCC], move: 0.1}\n", "10:22",
               "shocks[0].assets[0]: unknown asset 'BTCC' (did you mean 'BTC'?)");
  expect_error(kBase + "groups: {ai: [BTC]}\nshocks:\n  - {at: 0, group: aj, move: 0.1}\n", "11:20",
               "shocks[0].group: unknown group 'aj' (did you mean 'ai'?)");
  expect_error(kBase + "shocks:\n  - {at: 0, group: ai, assets: [BTC], move: 0.1}\n", "10:13",
               "shocks[0]: give exactly one of 'assets' (a list) or 'group'");
  expect_error(kBase + "shocks:\n  - {at: 0, move: 0.1}\n", "10:5", "give exactly one of");
}

TEST_CASE("Scenario.Error.MissingDataFile") {
  expect_error(kBase + "positions:\n  file: nowhere.csv\n", "10:9", "positions.file: cannot open");
  expect_error(kBase + "positions: {accounts: acc.csv}\n", "9:23",
               "positions.accounts: cannot open");
  expect_error(kBase + "replay: prices.csv\n", "9:9", "replay: cannot open");
}

// ---- the resolved scenario -------------------------------------------------------------------

namespace {

void check_same(const Scenario& a, const Scenario& b) {
  CHECK(a.name == b.name);
  CHECK(a.steps == b.steps);
  CHECK(a.dt_s == b.dt_s);
  CHECK(a.paths == b.paths);
  CHECK(a.seed == b.seed);
  CHECK(a.exchange.profile == b.exchange.profile);
  CHECK(a.exchange.liquidation_fee == b.exchange.liquidation_fee);
  CHECK(a.exchange.insurance_fund_usd == b.exchange.insurance_fund_usd);
  CHECK(a.engine.max_rounds == b.engine.max_rounds);
  CHECK(a.sample == b.sample);
  CHECK(a.output.events == b.output.events);
  CHECK(a.output.timeseries_paths == b.output.timeseries_paths);
  REQUIRE(a.assets.size() == b.assets.size());
  for (std::size_t k = 0; k < a.assets.size(); ++k) {
    const cascade::AssetSpec& x = a.assets[k];
    const cascade::AssetSpec& y = b.assets[k];
    CHECK(x.name == y.name);
    CHECK(x.price_usd == y.price_usd);
    CHECK(x.process.drift_annual == y.process.drift_annual);
    CHECK(x.process.volatility_annual == y.process.volatility_annual);
    REQUIRE(x.tiers.rows().size() == y.tiers.rows().size());
    for (std::size_t i = 0; i < x.tiers.rows().size(); ++i) {
      CHECK(x.tiers.rows()[i].floor_usd == y.tiers.rows()[i].floor_usd);
      CHECK(x.tiers.rows()[i].max_leverage == y.tiers.rows()[i].max_leverage);
      CHECK(x.tiers.rows()[i].mmr == y.tiers.rows()[i].mmr);
      CHECK(x.tiers.rows()[i].cum_usd == y.tiers.rows()[i].cum_usd);
    }
    CHECK(x.book.depth_1pct_usd == y.book.depth_1pct_usd);
    CHECK(x.book.beta == y.book.beta);
    CHECK(x.book.tau_refill_s == y.book.tau_refill_s);
    CHECK(x.book.eta == y.book.eta);
    CHECK(x.book.vol_base_annual == y.book.vol_base_annual);
    CHECK(x.book.vol_halflife_s == y.book.vol_halflife_s);
    CHECK(x.book.w_min == y.book.w_min);
    CHECK(x.book.displacement_cap == y.book.displacement_cap);
    REQUIRE(x.population.has_value() == y.population.has_value());
    if (x.population) {
      CHECK(x.population->count == y.population->count);
      CHECK(x.population->long_share == y.population->long_share);
      CHECK(x.population->leverage_mean == y.population->leverage_mean);
      CHECK(x.population->notional_median_usd == y.population->notional_median_usd);
    }
  }
  REQUIRE(a.shocks.size() == b.shocks.size());
  for (std::size_t i = 0; i < a.shocks.size(); ++i) {
    CHECK(a.shocks[i].at_s == b.shocks[i].at_s);
    CHECK(a.shocks[i].over_s == b.shocks[i].over_s);
    CHECK(a.shocks[i].move == b.shocks[i].move);
    CHECK(a.shocks[i].assets == b.shocks[i].assets);
  }
  REQUIRE(a.positions.size() == b.positions.size());
  for (std::size_t i = 0; i < a.positions.size(); ++i) {
    CHECK(a.positions[i].account == b.positions[i].account);
    CHECK(a.positions[i].asset == b.positions[i].asset);
    CHECK(a.positions[i].side == b.positions[i].side);
    CHECK(a.positions[i].size == b.positions[i].size);
    CHECK(a.positions[i].entry_usd == b.positions[i].entry_usd);
    CHECK(a.positions[i].margin_usd == b.positions[i].margin_usd);
    CHECK(a.positions[i].cross == b.positions[i].cross);
  }
  REQUIRE(a.accounts.size() == b.accounts.size());
  for (std::size_t i = 0; i < a.accounts.size(); ++i) {
    CHECK(a.accounts[i].name == b.accounts[i].name);
    CHECK(a.accounts[i].wallet_usd == b.accounts[i].wallet_usd);
  }
  REQUIRE(a.replay.has_value() == b.replay.has_value());
  if (a.replay) CHECK(a.replay->prices == b.replay->prices);
}

}  // namespace

TEST_CASE("Scenario.Resolved.RoundTrip") {
  TempDir tmp;
  tmp.write("positions.csv",
            kPosHeader + "a,BTC,long,1,30000,500,isolated\nf,ETH,short,3,2000,,cross\n");
  tmp.write("accounts.csv", "account,wallet\nf,1000\n");
  tmp.write("prices.csv", "time,asset,price\n0,BTC,30000\n0,ETH,2000\n60,BTC,29000\n60,ETH,1900\n");
  const std::string f = tmp.write("true.yaml", kBase + R"(    book: {depth_1pct: 1.0e6, beta: 1.5}
    population: {count: 10, long_share: 0.75}
  ETH:
    price: 2000.123456789012345
    drift: 0.1
    volatility: 0.7
    tiers:
      - {floor: 0, max_leverage: 100, mmr: 0.005}
      - {floor: 1e5, max_leverage: 50, mmr: 0.01, cum: 500}
description: "a: tricky, \"quoted\" string"
seed: 7
dt: 60
replay: prices.csv
groups: {majors: [BTC, ETH]}
shocks:
  - {at: 0, group: majors, move: -0.1, over: 60}
population: {sample: per_run}
positions: {file: positions.csv, accounts: accounts.csv}
output:
  timeseries_paths: [0]
)");
  const Scenario a =
      load_scenario(f, {"paths=4", "assets.ETH.book.eta=0.25", "output.events=true"});
  CHECK(a.name == "true");
  CHECK(contains(a.resolved_yaml, "paths: 4"));
  const std::string g = tmp.write("resolved.yaml", a.resolved_yaml);
  const Scenario b = load_scenario(g);
  check_same(a, b);
  CHECK(b.resolved_yaml == a.resolved_yaml);
  CHECK(b.assets[1].book.eta == 0.25);
}
