// Specification of the `exchange:` section and the profile-dependent tier rows (docs/scenario.md,
// docs/exchanges.md): the four profile names, the per-profile liquidation fee default,
// Hyperliquid's derived maintenance rates, and the errors for bad input.
#include <doctest/doctest.h>

#include <string>

#include "models/margin_profile.hpp"
#include "tests/sim/scenario/support.hpp"
#include "sim/plan/run_plan.hpp"

using namespace cascade;
using namespace cascade::test;

namespace {

std::string scenario(const std::string& exchange, const std::string& tiers) {
  return exchange +
         "assets:\n"
         "  BTC:\n"
         "    price: 100000\n"
         "    tiers:\n" +
         tiers;
}

const std::string kTwoTiers =
    "      - {floor: 0, max_leverage: 125, mmr: 0.004}\n"
    "      - {floor: 50000, max_leverage: 100, mmr: 0.005}\n";

/// "LINE:COL" of the first occurrence of `part` in `text` (1-based).
std::string where(const std::string& text, const std::string& part) {
  const std::size_t at = text.find(part);
  REQUIRE(at != std::string::npos);
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return std::to_string(line) + ":" + std::to_string(at - line_start + 1);
}

Scenario load_text(const std::string& yaml) {
  TempDir tmp;
  return load_scenario(tmp.write("s.yaml", yaml));
}

}  // namespace

TEST_CASE("Scenario.Exchange.ProfileNames") {
  for (const std::string_view name : profile_names()) {
    CAPTURE(name);
    const Scenario s =
        load_text(scenario("exchange:\n  profile: " + std::string(name) + "\n", kTwoTiers));
    CHECK(s.exchange.profile == name);
    CHECK(traits(scenario_profile(s)).name == name);
  }
}

TEST_CASE("Scenario.Exchange.LiquidationFeeDefaultsToTheProfile") {
  for (const Profile p : {Profile::Binance, Profile::Bybit, Profile::Hyperliquid, Profile::Dydx}) {
    const std::string name(traits(p).name);
    CAPTURE(name);
    const Scenario s = load_text(scenario("exchange:\n  profile: " + name + "\n", kTwoTiers));
    CHECK(s.exchange.liquidation_fee == traits(p).default_liquidation_fee);
    const Scenario given = load_text(
        scenario("exchange:\n  profile: " + name + "\n  liquidation_fee: 0.02\n", kTwoTiers));
    CHECK(given.exchange.liquidation_fee == 0.02);
  }
  // No exchange section: binance, with its fee.
  CHECK(load_text(scenario("", kTwoTiers)).exchange.liquidation_fee == 0.005);
  // A --set of the profile changes the default with it.
  TempDir tmp;
  const std::string f = tmp.write("s.yaml", scenario("exchange:\n  profile: binance\n", kTwoTiers));
  CHECK(load_scenario(f, {"exchange.profile=dydx"}).exchange.liquidation_fee == 0.015);
}

TEST_CASE("Scenario.Exchange.UnknownProfile") {
  const std::string list = "(expected one of: binance, bybit, hyperliquid, dydx)";
  expect_error(scenario("exchange:\n  profile: okx\n", kTwoTiers), "2:12",
               "exchange.profile: unknown profile 'okx' " + list);
  expect_error(scenario("exchange:\n  profile: hyperliqiud\n", kTwoTiers), "2:12",
               "unknown profile 'hyperliqiud' (did you mean 'hyperliquid'?) " + list);
  expect_error(scenario("exchange:\n  profile: Bybit\n", kTwoTiers), "2:12",
               "unknown profile 'Bybit' (did you mean 'bybit'?)");
}

TEST_CASE("Scenario.Exchange.HyperliquidDerivesMmr") {
  // Hyperliquid's mainnet BTC margin table: 40x to 150M USDC, 20x above.
  const Scenario s = load_text(scenario("exchange:\n  profile: hyperliquid\n",
                                        "      - {floor: 0, max_leverage: 40}\n"
                                        "      - {floor: 150000000, max_leverage: 20}\n"));
  const auto& rows = s.assets[0].tiers.rows();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].mmr == 0.0125);
  CHECK(rows[1].mmr == 0.025);
  CHECK(rows[1].cum_usd == doctest::Approx(1875000.0));
  // A given mmr that agrees is accepted, also as a rounded percentage (16.7 % at 3x); the
  // derived value is used.
  const Scenario r = load_text(scenario("exchange:\n  profile: hyperliquid\n",
                                        "      - {floor: 0, max_leverage: 40, mmr: 0.0125}\n"
                                        "      - {floor: 100000, max_leverage: 3, mmr: 0.167}\n"));
  CHECK(r.assets[0].tiers.rows()[1].mmr == 1.0 / 6);
}

TEST_CASE("Scenario.Exchange.HyperliquidMmrMismatch") {
  const std::string yaml = scenario("exchange:\n  profile: hyperliquid\n",
                                    "      - {floor: 0, max_leverage: 40}\n"
                                    "      - {floor: 150000000, max_leverage: 20, mmr: 0.02}\n");
  expect_error(yaml, where(yaml, "0.02}"),
               "assets.BTC.tiers[1].mmr: mmr 0.02 disagrees with the hyperliquid rate "
               "1/(2*max_leverage) = 0.025 for max_leverage 20 (omit mmr to derive it)");
  // A max_leverage below 1 is reported as such, not as a derived mmr out of range.
  const std::string low =
      scenario("exchange:\n  profile: hyperliquid\n", "      - {floor: 0, max_leverage: 0.5}\n");
  expect_error(low, where(low, "0.5}"),
               "assets.BTC.tiers[0].max_leverage: max_leverage must be >= 1");
}

TEST_CASE("Scenario.Exchange.MmrRequiredOutsideHyperliquid") {
  for (const char* name : {"binance", "bybit", "dydx"}) {
    CAPTURE(name);
    const std::string yaml = scenario(std::string("exchange:\n  profile: ") + name + "\n",
                                      "      - {floor: 0, max_leverage: 20}\n");
    expect_error(yaml, where(yaml, "{floor"), "assets.BTC.tiers[0]: missing required key 'mmr'");
  }
}

TEST_CASE("Scenario.Exchange.DydxSingleFraction") {
  // dYdX v4: one maintenance fraction per market (Large-Cap: IMF 5 %, MMF 3 %).
  const Scenario s = load_text(scenario("exchange:\n  profile: dydx\n",
                                        "      - {floor: 0, max_leverage: 20, mmr: 0.03}\n"));
  REQUIRE(s.assets[0].tiers.rows().size() == 1);
  const MarginRule rule(scenario_profile(s), s.assets[0].tiers);
  // dYdX's published isolated example with MMF 3 %: (1000 + 9000)/(0.09 + 3).
  CHECK(rule.liquidation_price({-1, 3.0, 3000.0, 1000.0}) ==
        doctest::Approx(10000.0 / 3.09).epsilon(1e-14));
}

TEST_CASE("Scenario.Exchange.PositionBeyondTierLeverage") {
  // The positions CSV is checked against the max leverage of the tier of its entry notional,
  // whatever the profile: 41x on Hyperliquid's 40x BTC tier is an error at the margin field.
  TempDir tmp;
  tmp.write("p.csv", kPosHeader + "a,BTC,long,1,100000,2439,isolated\n");
  const std::string yaml =
      scenario("exchange:\n  profile: hyperliquid\n", "      - {floor: 0, max_leverage: 40}\n") +
      "positions:\n  file: p.csv\n";
  const std::string f = tmp.write("s.yaml", yaml);
  const std::string msg = error_of(f);
  INFO(msg);
  CHECK(starts_with(msg, tmp.path("p.csv") + ":2:"));
  CHECK(contains(msg, "column 'margin': leverage 41.0004x"));
  CHECK(contains(msg, "exceeds the limit 40x"));
  tmp.write("p.csv", kPosHeader + "a,BTC,long,1,100000,2500,isolated\n");
  CHECK(load_scenario(f).positions.size() == 1);
}
