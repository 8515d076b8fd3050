// `--set key.path=value` overrides: applied before validation, errors located in the argument.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/sim/scenario/support.hpp"

using cascade::load_scenario;
using cascade::Scenario;
using namespace cascade::test;

// ---- --set overrides -------------------------------------------------------------------------

TEST_CASE("Scenario.Set.Applied") {
  TempDir tmp;
  const std::string f2 =
      tmp.write("t.yaml", kBase + "  ETH:\n    price: 1\n" + kTiers +
                              "shocks:\n  - {at: 0, assets: [BTC], move: 0.1}\n");
  const Scenario s = load_scenario(
      f2,
      {"assets.BTC.price=31000", "assets.BTC.tiers.1.mmr=0.006", "assets.ETH.tiers[0].mmr=0.005",
       "shocks.0.assets=[ETH, BTC]", "steps=5", "assets.BTC.book.beta=3", "output.events=true",
       "exchange.insurance_fund=0", "shocks.1={at: 60, assets: [ETH], move: -0.5}"});
  CHECK(s.assets[0].price_usd == 31000.0);
  CHECK(s.assets[0].tiers.rows()[1].mmr == 0.006);
  CHECK(s.assets[0].tiers.rows()[1].cum_usd == doctest::Approx(100.0));
  CHECK(s.assets[1].tiers.rows()[0].mmr == 0.005);
  CHECK(s.shocks[0].assets == std::vector<int>{1, 0});
  REQUIRE(s.shocks.size() == 2);
  CHECK(s.shocks[1].move == -0.5);
  CHECK(s.steps == 5);
  CHECK(s.assets[0].book.beta == 3.0);
  CHECK(s.output.events);
  CHECK(s.exchange.insurance_fund_usd == 0.0);
}

TEST_CASE("Scenario.Error.SetValue") {
  // The value is checked like a file value; its column is the value's in the argument.
  expect_error(kBase, "--set:1:18", "assets.BTC.price: expected a number > 0, got 'abc'",
               {"assets.BTC.price=abc"});
  expect_error(kBase, "--set:2:24", "assets.BTC.tiers[1].mmr: mmr must be in (0, 1)",
               {"steps=3", "assets.BTC.tiers.1.mmr=2"});
  expect_error(kBase, "--set:1:25", "assets.BTC.tiers[1].mmr", {"assets.BTC.tiers[1].mmr=-1"});
  // Inside a flow value: the column of the bad element.
  expect_error(kBase + "shocks:\n  - {at: 0, assets: [BTC], move: 0.1}\n", "--set:1:23",
               "shocks[0].assets[1]: unknown asset 'ETH'", {"shocks.0.assets=[BTC, ETH]"});
  expect_error(kBase, "--set:1:8", "shocks: YAML syntax error", {"shocks=[{at: 1"});
}

TEST_CASE("Scenario.Error.SetKey") {
  expect_error(kBase, "--set:1:1", "exchnge: unknown key (did you mean 'exchange'?)",
               {"exchnge.profile=x"});
  expect_error(kBase, "--set:1:12", "assets.BTC.prise: unknown key (did you mean 'price'?)",
               {"assets.BTC.prise=3"});
  expect_error(kBase, "--set:1:8",
               "assets.BTCC: no such asset in the scenario (did you mean 'BTC'?)",
               {"assets.BTCC.price=3"});
  expect_error(kBase, "--set:1:18",
               "assets.BTC.tiers[5]: index 5 is out of range (the list has 2 elements)",
               {"assets.BTC.tiers.5.mmr=3"});
  expect_error(kBase, "--set:1:18", "exchange.profile: is a single value ('binance')",
               {"exchange.profile.x=3"});
  expect_error(kBase, "--set:2:1", "malformed override 'steps' (expected key.path=value)",
               {"paths=2", "steps"});
  expect_error(kBase, "--set:1:8", "empty key", {"assets..price=1"});
}
