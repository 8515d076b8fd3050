// Specification of tiered margin (MODEL.md section 4, exact, Binance convention).
#include <doctest/doctest.h>

#include <cmath>

#include "models/margin_rule.hpp"

using namespace cascade;

namespace {
// The AIX table of INTERFACE.md: cum = 0, 25, 650.
TierTable aix() {
  return TierTable({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}, {25000, 10, 0.05, 0}});
}
double root_gap(const TierTable& t, const IsolatedPosition& p, double lp) {
  return BinanceTiers::equity(p, lp) - t.maintenance_margin(p.size * lp);
}
}  // namespace

TEST_CASE("Models.TierTable.CumIsDerived") {
  const TierTable t = aix();
  CHECK(t.rows()[0].cum_usd == 0.0);
  CHECK(t.rows()[1].cum_usd == doctest::Approx(25.0));
  CHECK(t.rows()[2].cum_usd == doctest::Approx(650.0));
  // MM is continuous across floors.
  CHECK(t.maintenance_margin(5000.0 - 1e-9) == doctest::Approx(t.maintenance_margin(5000.0)));
  CHECK(t.maintenance_margin(25000.0) == doctest::Approx(25000.0 * 0.05 - 650.0));
  CHECK(t.bracket_index(0.0) == 0);
  CHECK(t.bracket_index(4999.99) == 0);
  CHECK(t.bracket_index(5000.0) == 1);
  CHECK(t.bracket_index(1e9) == 2);
}

TEST_CASE("Models.TierTable.RejectsInconsistentRows") {
  using Rows = std::vector<Tier>;
  auto problem = [](Rows rows, std::vector<std::optional<double>> cum = {}) {
    return TierTable::validate(rows, cum);
  };
  CHECK_FALSE(problem({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}}));
  CHECK(problem({{10, 20, 0.02, 0}})->field == "floor");
  CHECK(problem({{0, 20, 0.02, 0}, {0, 15, 0.025, 0}})->field == "floor");
  CHECK(problem({{0, 20, 1.5, 0}})->field == "mmr");
  CHECK(problem({{0, 20, 0.0, 0}})->field == "mmr");
  CHECK(problem({{0, 100, 0.02, 0}})->field == "max_leverage");  // 1 % initial < 2 % maintenance
  // Initial equal to maintenance: a position opened at max leverage is liquidated at once.
  CHECK(problem({{0, 50, 0.02, 0}})->field == "max_leverage");
  CHECK_FALSE(problem({{0, 49, 0.02, 0}}));
  auto p = problem({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}}, {std::nullopt, 30.0});
  REQUIRE(p);
  CHECK(p->field == "cum");
  CHECK(p->row == 1);
  CHECK_FALSE(problem({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}}, {0.0, 25.0}));
}

TEST_CASE("Models.BinanceTiers.LiquidationPriceFirstTier") {
  const TierTable t = aix();
  const BinanceTiers rule(t);
  // Long 1000 AIX at 2.00 with 100 USD (20x): LP = (2000 - 100 - 0) / (1000 * 0.98).
  const IsolatedPosition lng{1, 1000.0, 2.0, 100.0};
  CHECK(rule.liquidation_price(lng) == doctest::Approx(1900.0 / 980.0).epsilon(1e-14));
  CHECK(BinanceTiers::bankruptcy_price(lng) == doctest::Approx(1.9));
  // Short: LP = (-2000 - 100 - 0) / (1000 * (-1.02)).
  const IsolatedPosition sht{-1, 1000.0, 2.0, 100.0};
  CHECK(rule.liquidation_price(sht) == doctest::Approx(2100.0 / 1020.0).epsilon(1e-14));
  CHECK(BinanceTiers::bankruptcy_price(sht) == doctest::Approx(2.1));
}

TEST_CASE("Models.BinanceTiers.LiquidationPriceHigherTiers") {
  const TierTable t = aix();
  const BinanceTiers rule(t);
  // 20000 AIX long at 2.00 with 3500 USD: LP notional ~ 33k, third bracket.
  const IsolatedPosition big{1, 20000.0, 2.0, 3500.0};
  const double lp = rule.liquidation_price(big);
  CHECK(lp == doctest::Approx((40000.0 - 3500.0 - 650.0) / (20000.0 * 0.95)).epsilon(1e-14));
  CHECK(t.bracket_index(big.size * lp) == 2);
  CHECK(std::abs(root_gap(t, big, lp)) < 1e-9);
  // Short whose LP falls in the second bracket.
  const IsolatedPosition mid{-1, 4000.0, 2.0, 500.0};
  const double lps = rule.liquidation_price(mid);
  CHECK(lps == doctest::Approx((-8000.0 - 500.0 - 25.0) / (4000.0 * -1.025)).epsilon(1e-14));
  CHECK(t.bracket_index(mid.size * lps) == 1);
}

TEST_CASE("Models.BinanceTiers.LiquidationPriceAtTierBoundary") {
  const TierTable t = aix();
  const BinanceTiers rule(t);
  // Choose the margin so that the root sits exactly on the 5000 USD floor: LP = 5 with n = 1000.
  // equity(5) = MM(5): m + 1000*(5 - E) = 5000*0.02 - 0 (= 5000*0.025 - 25).
  const double e = 5.2;
  const IsolatedPosition p{1, 1000.0, e, 100.0 - 1000.0 * (5.0 - e)};
  const double lp = rule.liquidation_price(p);
  CHECK(lp == doctest::Approx(5.0).epsilon(1e-13));
  CHECK(std::abs(root_gap(t, p, lp)) < 1e-9);
  // Either bracket's closed form agrees at the floor.
  const double lp0 = (1000.0 * e - p.margin - 0.0) / (1000.0 * (1 - 0.02));
  const double lp1 = (1000.0 * e - p.margin - 25.0) / (1000.0 * (1 - 0.025));
  CHECK(lp0 == doctest::Approx(lp1).epsilon(1e-13));
  // Sweep margins across the boundary: the root is always a root, in its own bracket.
  for (double m = 100.0; m < 1200.0; m += 7.3) {
    const IsolatedPosition q{1, 1000.0, e, m};
    const double x = rule.liquidation_price(q);
    CAPTURE(m);
    CHECK(std::abs(root_gap(t, q, x)) < 1e-9 * q.size * q.entry);
    const IsolatedPosition s{-1, 1000.0, e, m};
    const double y = rule.liquidation_price(s);
    CHECK(std::abs(root_gap(t, s, y)) < 1e-9 * s.size * s.entry);
  }
}

TEST_CASE("Models.BinanceTiers.NeverLiquidatedWhenFullyCollateralised") {
  const TierTable t = aix();
  const BinanceTiers rule(t);
  CHECK(std::isnan(rule.liquidation_price({1, 1000.0, 2.0, 2000.0})));
  CHECK(std::isnan(rule.liquidation_price({1, 1000.0, 2.0, 2500.0})));
  CHECK_FALSE(std::isnan(rule.liquidation_price({-1, 1000.0, 2.0, 2500.0})));
}

TEST_CASE("Models.BinanceTiers.CrossingRule") {
  CHECK(BinanceTiers::crossed(1, 1.9, 1.9));
  CHECK(BinanceTiers::crossed(1, 1.9, 1.8));
  CHECK_FALSE(BinanceTiers::crossed(1, 1.9, 1.91));
  CHECK(BinanceTiers::crossed(-1, 2.1, 2.1));
  CHECK_FALSE(BinanceTiers::crossed(-1, 2.1, 2.09));
}

TEST_CASE("Models.Settlement.FeeAndInsuranceFund") {
  const IsolatedPosition lng{1, 1000.0, 2.0, 100.0};
  // Filled at 1.93: rest = 100 - 70 = 30; fee = min(0.005*1930, 30) = 9.65.
  auto s = settle_liquidation(lng, 1.93, 0.005);
  CHECK(s.notional == doctest::Approx(1930.0));
  CHECK(s.rest == doctest::Approx(30.0));
  CHECK(s.fee == doctest::Approx(9.65));
  CHECK(s.rest == doctest::Approx(30.0));
  // Filled at 1.905: rest = 5 < fee 9.525, so the fee takes all that is left.
  s = settle_liquidation(lng, 1.905, 0.005);
  CHECK(s.fee == doctest::Approx(5.0));
  // Filled below bankruptcy: a deficit the fund pays, no fee.
  s = settle_liquidation(lng, 1.85, 0.005);
  CHECK(s.rest == doctest::Approx(-50.0));
  CHECK(s.fee == 0.0);
  CHECK(s.rest == doctest::Approx(-50.0));
}
