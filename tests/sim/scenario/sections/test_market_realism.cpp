// The market-realism keys as the loader reads them: market.volatility_regimes, shocks of
// kind: bridge, engine.intrastep_extremes, exchange.funding.replay, assets.X.contract.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/sim/scenario/support.hpp"

using cascade::load_scenario;
using cascade::Scenario;
using namespace cascade::test;

namespace {

// Lines 1-10: three assets, one group, 12 hourly steps; tests append from line 11 on.
const std::string kBase3 =
    "exchange: {profile: binance}\n"
    "groups:\n"
    "  ai: [FET, TAO]\n"
    "assets:\n"
    "  BTC: {price: 90000, volatility: 0.5, tiers: [{floor: 0, max_leverage: 100, mmr: 0.005}]}\n"
    "  FET: {price: 0.6, volatility: 1.1, tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]}\n"
    "  TAO: {price: 400, volatility: 1.2, tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]}\n"
    "steps: 12\n"
    "dt: 3600\n"
    "paths: 1\n";

// kBase3 without its exchange line (lines 1-9), for tests that write their own.
const std::string kNoExchange = kBase3.substr(kBase3.find('\n') + 1);

}  // namespace

TEST_CASE("Scenario.MarketRealism.VolatilityRegimesByGroupAndAsset") {
  TempDir tmp;
  const Scenario s = load_scenario(tmp.write("s.yaml", kBase3 +
                                                          "market:\n"
                                                          "  volatility_regimes:\n"
                                                          "    - {from: 7200, volatility: {ai: 2.5, TAO: 3.0}}\n"
                                                          "    - {from: 36000, volatility: {BTC: 0.9}}\n"));
  REQUIRE(s.market.volatility_regimes.size() == 2);
  CHECK(s.market.volatility_regimes[0].volatility == std::vector<double>{0.5, 2.5, 3.0});
  // Each regime is complete: FET and TAO are back at their own volatility.
  CHECK(s.market.volatility_regimes[1].volatility == std::vector<double>{0.9, 1.1, 1.2});
}

TEST_CASE("Scenario.MarketRealism.Error.VolatilityRegimes") {
  expect_error(kBase3 + "market:\n  volatility_regimes:\n    - {from: 7200, volatility: {ai: 2.5}}\n"
                        "    - {from: 7200, volatility: {BTC: 1}}\n",
               "14:14", "strictly increasing");
  expect_error(kBase3 + "market:\n  volatility_regimes:\n    - {from: 0, volatility: {SOL: 2.5}}\n",
               "13:30", "neither an asset nor a group");
  expect_error(kBase3 + "market:\n  volatility_regimes:\n    - {from: 0, volatility: {FET: -1}}\n",
               "13:35", ">= 0");
}

TEST_CASE("Scenario.MarketRealism.BridgeShocks") {
  TempDir tmp;
  const Scenario s = load_scenario(
      tmp.write("s.yaml", kBase3 + "shocks:\n  - {kind: bridge, group: ai, to: -0.4, at: 21600}\n"));
  REQUIRE(s.shocks.size() == 1);
  CHECK(s.shocks[0].kind == cascade::ShockKind::Bridge);
  CHECK(s.shocks[0].move == -0.4);
  CHECK(s.shocks[0].assets == std::vector<int>{1, 2});
  expect_error(kBase3 + "shocks:\n  - {kind: bridge, group: ai, move: -0.4, at: 21600}\n", "12:31",
               "a bridge shock takes 'to'");
  expect_error(kBase3 + "shocks:\n  - {kind: bridge, group: ai, to: -1.2, at: 21600}\n", "12:35",
               "> -1");
  expect_error(kBase3 + "shocks:\n  - {kind: bridge, group: ai, to: -0.4, at: 90000}\n", "12:5",
               "beyond the horizon");
  expect_error(kBase3 + "shocks:\n  - {kind: bridge, group: ai, to: -0.4, at: 3600}\n"
                        "  - {kind: bridge, assets: [TAO], to: -0.1, at: 3000}\n",
               "13:5", "TAO is pinned twice in step 1");
  expect_error(kBase3 + "shocks:\n  - {group: ai, to: -0.4, at: 3600}\n", "12:17", "belongs to 'kind: bridge'");
}

TEST_CASE("Scenario.MarketRealism.IntrastepExtremes") {
  TempDir tmp;
  CHECK(load_scenario(tmp.write("s.yaml", kBase3 + "engine: {intrastep_extremes: true}\n"))
            .engine.intrastep_extremes);
  CHECK_FALSE(load_scenario(tmp.write("t.yaml", kBase3)).engine.intrastep_extremes);
  tmp.write("p.csv", "time,asset,price\n0,BTC,1\n");
  expect_error(kBase + "replay: p.csv\nengine: {intrastep_extremes: true}\n", "10:30",
               "need a price process");
}

TEST_CASE("Scenario.MarketRealism.FundingTape") {
  TempDir tmp;
  tmp.write("tape.csv", "time,asset,rate\n28800,BTC,0.0001\n28800,FET,-0.0025\n14400,TAO,0.003\n");
  const Scenario s = load_scenario(tmp.write("s.yaml", kNoExchange + "exchange: {profile: binance, funding: {replay: tape.csv}}\n"));
  CHECK(s.exchange.funding.enabled);
  REQUIRE(s.exchange.funding.replay);
  const auto& rows = s.exchange.funding.replay->rows;
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].time_s == 14400);  // sorted by time
  CHECK(rows[0].asset == 2);
  CHECK(rows[2].rate == -0.0025);
}

TEST_CASE("Scenario.MarketRealism.Error.FundingTape") {
  // Every CSV error points at file:line:col of the offending field.
  const std::string yaml = kNoExchange + "exchange: {funding: {replay: tape.csv}}\n";
  const auto check = [&](const std::string& csv, const std::string& where, const std::string& part) {
    TempDir tmp;
    const std::string tape = tmp.write("tape.csv", csv);
    const std::string msg = error_of(tmp.write("s.yaml", yaml));
    INFO("message: " << msg);
    CHECK(starts_with(msg, tape + ":" + where + ": error: "));
    CHECK(contains(msg, part));
  };
  check("time,asset,rate\n3600,BTC,0.5%\n", "2:10", "column 'rate': expected a number");
  check("time,asset,rate\n3600,SOL,0.001\n", "2:6", "unknown asset 'SOL'");
  check("time,asset,rate\n99999,BTC,0.001\n", "2:1", "beyond the horizon");
  check("time,asset,rate\n3600,BTC,0.001\n7200,FET,0.001\n3600,BTC,0.002\n", "4:1", "duplicate row for time 3600 s, asset BTC (first at line 2)");
  check("time,asset\n3600,BTC\n", "1", "missing column 'rate'");
  expect_error(kNoExchange + "exchange: {funding: {replay: tape.csv, cap: 0.01}}\n", "10:40", "does not apply");
  expect_error(kNoExchange + "exchange: {funding: {interval: 3600, replay: tape.csv}}\n", "10:22", "funding.interval");
}

TEST_CASE("Scenario.MarketRealism.InverseContracts") {
  TempDir tmp;
  tmp.write("pos.csv", kPosHeader + "a,BTC,long,10000,8000,0.5,isolated\n");
  const std::string yaml = "exchange: {profile: bybit}\nassets:\n  BTC:\n    contract: inverse\n    price: 8000\n" + kTiers +
                           "positions: {file: pos.csv}\n";
  const Scenario s = load_scenario(tmp.write("s.yaml", yaml));
  CHECK(s.assets[0].contract == cascade::ContractKind::Inverse);
  // The engine refuses it, at the key, until inverse contracts are simulated.
  try {
    cascade::require_simulated(s);
    FAIL("expected an InputError");
  } catch (const cascade::InputError& e) {
    const std::string msg = e.what();
    CHECK(starts_with(msg, tmp.path("s.yaml") + ":4:15: error: assets.BTC.contract: inverse contracts are not yet simulated"));
  }
  expect_error("exchange: {profile: hyperliquid}\nassets:\n  BTC:\n    contract: inverse\n    price: 8000\n" + kTiers,
               "4:15", "Binance COIN-M or Bybit inverse");
  tmp.write("cross.csv", kPosHeader + "a,BTC,long,10000,8000,,cross\n");
  const std::string msg = error_of(tmp.write("c.yaml", "exchange: {profile: bybit}\nassets:\n  BTC:\n    contract: inverse\n    price: 8000\n" + kTiers +
                                                  "positions: {file: cross.csv}\n"));
  CHECK(contains(msg, "cross inverse accounts are not modelled"));
}
