// Specification of the agents' scenario keys (docs/scenario.md, docs/agents.md): the population's
// agent keys, `supply`, `unlocks:`, `flows:` and `population.groups`, with the errors for bad
// input at their line:column.
#include <doctest/doctest.h>

#include <string>

#include "tests/sim/scenario/support.hpp"

using namespace cascade;
using namespace cascade::test;

namespace {

Scenario load_text(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  TempDir tmp;
  return load_scenario(tmp.write("s.yaml", yaml), overrides);
}

// Two AI tokens in a group and one major; lines 1-16.
const std::string kTwoAi =
    "assets:\n"                                                  // 1
    "  FET:\n"                                                   // 2
    "    price: 1.2\n"                                           // 3
    "    supply: 2.6e9\n"                                        // 4
    "    tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]\n"     // 5
    "  TAO:\n"                                                   // 6
    "    price: 420\n"                                           // 7
    "    tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]\n"     // 8
    "    population: {count: 7, leverage_mean: 30}\n"            // 9
    "  BTC:\n"                                                   // 10
    "    price: 95000\n"                                         // 11
    "    tiers: [{floor: 0, max_leverage: 125, mmr: 0.004}]\n"   // 12
    "groups:\n"                                                  // 13
    "  ai: [FET, TAO]\n"                                         // 14
    "population:\n"                                              // 15
    "  sample: per_run\n";                                       // 16

}  // namespace

TEST_CASE("Scenario.Agents.PopulationKeys") {
  const Scenario s = load_text(kBase +
                               "    population:\n"
                               "      count: 10\n"
                               "      leverage_table: [{leverage: 5, weight: 2}, {leverage: 20}]\n"
                               "      entry_days: 30\n"
                               "      entry_trend: 1.5\n"
                               "      stop_share: 0.3\n"
                               "      stop_distance: 0.04\n"
                               "      stop_dispersion: 0.2\n"
                               "      arrivals_per_day: 250\n"
                               "      margin_call: {warning_ratio: 0.7, top_up: 0.4, top_up_amount: 0.25,\n"
                               "                    wallet: 2, reduce: 0.35, reduce_fraction: 0.3}\n");
  const PopulationSpec& p = *s.assets[0].population;
  REQUIRE(p.leverage_table.size() == 2);
  CHECK(p.leverage_table[0].leverage == 5.0);
  CHECK(p.leverage_table[0].weight == 2.0);
  CHECK(p.leverage_table[1].weight == 1.0);
  CHECK(p.entry_days == 30.0);
  CHECK(p.entry_trend == 1.5);
  CHECK(p.stop_share == 0.3);
  CHECK(p.stop_distance == 0.04);
  CHECK(p.stop_dispersion == 0.2);
  CHECK(p.arrivals_per_day == 250.0);
  REQUIRE(p.margin_call);
  CHECK(p.margin_call->warning_ratio == 0.7);
  CHECK(p.margin_call->top_up_probability == 0.4);
  CHECK(p.margin_call->top_up_amount == 0.25);
  CHECK(p.margin_call->wallet == 2.0);
  CHECK(p.margin_call->reduce_probability == 0.35);
  CHECK(p.margin_call->reduce_fraction == 0.3);
}

TEST_CASE("Scenario.Agents.DefaultsAreOff") {
  const Scenario s = load_text(kBase + "    population: {count: 3}\n");
  const PopulationSpec& p = *s.assets[0].population;
  CHECK(p.leverage_table.empty());
  CHECK(p.entry_days == 0.0);
  CHECK(p.stop_share == 0.0);
  CHECK_FALSE(p.margin_call.has_value());
  CHECK(p.arrivals_per_day == 0.0);
  CHECK_FALSE(s.assets[0].supply.has_value());
  CHECK(s.unlocks.empty());
  CHECK(s.flows.empty());
}

TEST_CASE("Scenario.Agents.PopulationErrors") {
  const std::string pop = kBase + "    population:\n      count: 10\n";  // population keys: line 11
  expect_error(pop + "      stop_sahre: 0.3\n", "11:7", "did you mean 'stop_share'");
  expect_error(pop + "      stop_share: 1.5\n", "11:19", "stop_share: expected a number in [0, 1]");
  expect_error(pop + "      leverage_table: [{leverage: 0.5}]\n", "11:35", "expected a number >= 1");
  expect_error(pop + "      leverage_table: []\n", "11:23", "non-empty list");
  expect_error(pop + "      leverage_mean: 5\n      leverage_table: [{leverage: 2}]\n", "11:7",
               "not used with 'leverage_table'");
  expect_error(pop + "      entry_spread: 0.1\n      entry_days: 3\n", "11:7", "not used with 'entry_days'");
  expect_error(pop + "      entry_trend: 0.5\n", "11:7", "needs 'entry_days'");
  expect_error(pop + "      margin_call: {top_up: 0.7, reduce: 0.5}\n", "11:34", "top_up + reduce must be <= 1");
  expect_error(pop + "      margin_call: {warning_ratio: 1.2}\n", "11:36", "in (0, 1)");
  expect_error(pop + "      margin_call: {reduce_fraction: 0}\n", "11:38", "in (0, 1]");
  // The call must come before the liquidation: its ratio above every tier's mmr.
  expect_error(pop + "      margin_call: {warning_ratio: 0.005}\n", "11:21",
               "warning_ratio: 0.005 must be above every tier's mmr (the largest is");
}

TEST_CASE("Scenario.Agents.Unlocks") {
  const Scenario s = load_text(kTwoAi +
                               "unlocks:\n"
                               "  - {asset: FET, at: 43200, fraction_of_supply: 0.05, sell_fraction: 0.6,\n"
                               "     sell_over: 86400, recipient: team, pre_drift: -0.03, pre_drift_over: 7200}\n"
                               "  - {asset: FET, at: 0, fraction_of_supply: 0.01}\n");
  REQUIRE(s.assets[0].supply);
  CHECK(*s.assets[0].supply == 2.6e9);
  REQUIRE(s.unlocks.size() == 2);
  const UnlockSpec& u = s.unlocks[0];
  CHECK(u.asset == 0);
  CHECK(u.at_s == 43200.0);
  CHECK(u.fraction_of_supply == 0.05);
  CHECK(u.sell_fraction == 0.6);
  CHECK(u.sell_over_s == 86400.0);
  CHECK(u.recipient == "team");
  CHECK(u.pre_drift == -0.03);
  CHECK(u.pre_drift_over_s == 7200.0);
  CHECK(s.unlocks[1].sell_fraction == 1.0);
  CHECK(s.unlocks[1].sell_over_s == 0.0);
  CHECK(s.unlocks[1].recipient == "unlock");
}

TEST_CASE("Scenario.Agents.UnlockErrors") {
  expect_error(kTwoAi + "unlocks:\n  - {asset: TAO, at: 0, fraction_of_supply: 0.05}\n", "18:13",
               "asset 'TAO' has no 'supply'");
  expect_error(kTwoAi + "unlocks:\n  - {asset: FTE, at: 0, fraction_of_supply: 0.05}\n", "18:13",
               "did you mean 'FET'");
  expect_error(kTwoAi + "unlocks:\n  - {asset: FET, at: 0, fraction_of_supply: 0}\n", "18:45",
               "fraction_of_supply: expected a number in (0, 1]");
  expect_error(kTwoAi + "unlocks:\n  - {asset: FET, fraction_of_supply: 0.1}\n", "18:5",
               "missing required key 'at'");
  expect_error(kTwoAi + "unlocks:\n  - {asset: FET, at: 0, fraction_of_supply: 0.1, pre_drift: -0.1}\n",
               "18:50", "pre_drift needs pre_drift_over");
  expect_error(kTwoAi + "unlocks:\n  - {asset: FET, at: 0, fraction_of_supply: 0.1, sell_ovr: 60}\n", "18:50",
               "did you mean 'sell_over'");
  expect_error(kTwoAi.substr(0, kTwoAi.find("    supply")) + "    supply: -1\n" +
                   kTwoAi.substr(kTwoAi.find("    tiers")),
               "4:13", "supply: expected a number > 0");
}

TEST_CASE("Scenario.Agents.Flows") {
  const Scenario s = load_text(kTwoAi +
                               "flows:\n"
                               "  - {kind: panic_sell, group: ai, drawdown: 0.08, full_drawdown: 0.25,\n"
                               "     volatility_sensitivity: 1.5, rate: 2.0e6, budget: 5.0e7}\n"
                               "  - {kind: dip_buy, assets: [BTC], rate: 1.0e7, budget: 2.0e8}\n");
  REQUIRE(s.flows.size() == 2);
  const FlowSpec& p = s.flows[0];
  CHECK(p.kind == FlowKind::PanicSell);
  CHECK(p.assets == std::vector<int>{0, 1});
  CHECK(p.drawdown == 0.08);
  CHECK(p.full_drawdown == 0.25);
  CHECK(p.volatility_sensitivity == 1.5);
  CHECK(p.rate_usd_per_hour == 2.0e6);
  CHECK(p.budget_usd == 5.0e7);
  const FlowSpec& d = s.flows[1];
  CHECK(d.kind == FlowKind::DipBuy);
  CHECK(d.assets == std::vector<int>{2});
  CHECK(d.drawdown == 0.05);
  CHECK(d.full_drawdown == 0.2);
}

TEST_CASE("Scenario.Agents.FlowErrors") {
  const std::string f = kTwoAi + "flows:\n";  // entries: line 18
  expect_error(f + "  - {kind: panic, group: ai, rate: 1, budget: 1}\n", "18:12", "expected one of: panic_sell, dip_buy");
  expect_error(f + "  - {kind: dip_buy, group: majors, rate: 1, budget: 1}\n", "18:28", "unknown group 'majors'");
  expect_error(f + "  - {kind: dip_buy, group: ai, assets: [BTC], rate: 1, budget: 1}\n", "18:21",
               "give exactly one of 'assets' (a list) or 'group' (a name)");
  expect_error(f + "  - {kind: dip_buy, assets: [BTC], budget: 1}\n", "18:5", "missing required key 'rate'");
  expect_error(f + "  - {kind: dip_buy, assets: [BTC], rate: 1, budget: 1, drawdown: 0.3}\n", "18:5",
               "full_drawdown must be > drawdown");
}

TEST_CASE("Scenario.Agents.GroupPopulationAppliesToEachMember") {
  const Scenario s = load_text(kTwoAi +
                               "  groups:\n"
                               "    ai: {count: 5, leverage_mean: 20, stop_share: 0.2,\n"
                               "         margin_call: {top_up: 0.5}}\n");
  // FET has no block of its own: the group's.
  REQUIRE(s.assets[0].population);
  CHECK(s.assets[0].population->count == 5);
  CHECK(s.assets[0].population->leverage_mean == 20.0);
  CHECK(s.assets[0].population->stop_share == 0.2);
  REQUIRE(s.assets[0].population->margin_call);
  CHECK(s.assets[0].population->margin_call->top_up_probability == 0.5);
  // TAO's own keys win, the rest comes from the group.
  REQUIRE(s.assets[1].population);
  CHECK(s.assets[1].population->count == 7);
  CHECK(s.assets[1].population->leverage_mean == 30.0);
  CHECK(s.assets[1].population->stop_share == 0.2);
  // BTC is not in the group.
  CHECK_FALSE(s.assets[2].population.has_value());
  // A member's own leverage table replaces the group's lognormal instead of clashing with it.
  const Scenario t = load_text(kTwoAi +
                               "  groups:\n"
                               "    ai: {count: 5, leverage_mean: 20}\n",
                               {"assets.TAO.population={count: 7, leverage_table: [{leverage: 3}]}"});
  CHECK(t.assets[1].population->leverage_table.size() == 1);
  CHECK(t.assets[0].population->leverage_mean == 20.0);
  // Sweepable like any key.
  const Scenario u = load_text(kTwoAi + "  groups:\n    ai: {count: 5}\n", {"population.groups.ai.count=9"});
  CHECK(u.assets[0].population->count == 9);
}

TEST_CASE("Scenario.Agents.GroupPopulationErrors") {
  expect_error(kTwoAi + "  groups:\n    aii: {count: 5}\n", "18:5", "unknown group 'aii' (did you mean 'ai'?)");
  expect_error(kTwoAi + "  groups:\n    ai: 5\n", "18:9", "expected a population block");
  // A bad key in the group's block is reported where it is written.
  expect_error(kTwoAi + "  groups:\n    ai: {count: 5, stop_share: 2}\n", "18:32", "stop_share: expected a number in [0, 1]");
}

TEST_CASE("Scenario.Agents.CrossAccountKeys") {
  const std::string base =
      "assets:\n"                                                           // 1
      "  BTC:\n"                                                            // 2
      "    price: 30000\n"                                                  // 3
      "    tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]\n"              // 4
      "    population: {count: 10, cross_share: 0.5, arrivals_per_day: 10,\n"  // 5
      "                 arrival_cross_share: 0.25}\n";                      // 6
  const Scenario s = load_text(base +
                               "population:\n"
                               "  cross_accounts: 4\n"
                               "  cross_margin_call: {warning_ratio: 0.6, top_up: 1, wallet: 2}\n");
  REQUIRE(s.assets[0].population);
  CHECK(s.assets[0].population->arrival_cross_share == 0.25);
  REQUIRE(s.cross_margin_call);
  CHECK(s.cross_margin_call->warning_ratio == 0.6);
  CHECK(s.cross_margin_call->top_up_probability == 1.0);
  CHECK(s.cross_margin_call->wallet == 2.0);
  const Scenario off = load_text(base);
  CHECK_FALSE(off.cross_margin_call);

  expect_error(base + "population:\n  cross_margin_call: {warning_ratio: 0.005}\n", "8:23",
               "population.cross_margin_call.warning_ratio: 0.005 must be above every tier's mmr");
  expect_error(base + "population:\n  cross_margin_call: {top_up: 2}\n", "8:31", "in [0, 1]");
  expect_error(base + "population:\n  cross_margin_cal: {}\n", "8:3", "did you mean 'cross_margin_call'");
  expect_error(
      "assets:\n  BTC:\n    price: 30000\n    tiers: [{floor: 0, max_leverage: 50, mmr: 0.01}]\n"
      "    population: {count: 10, arrival_cross_share: 1.5}\n",
      "5:50", "arrival_cross_share: expected a number in [0, 1]");
}
