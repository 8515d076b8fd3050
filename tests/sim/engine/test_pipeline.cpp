// The liquidation pipeline of real venues (MODEL.md section 5.2, docs/exchanges.md): partial and
// tier-by-tier liquidation, the liquidator vault, the ADL policies and what happens after the
// fund. Each case is small enough to compute by hand; the expected numbers come from the venue
// rule written out in the comment, and the engine's reported fill prices are the only values
// taken from the run (the book walk itself is checked in tests/sim/book).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

Scenario replay(const std::string& profile, std::vector<double> prices, double dt_s, TierTable tiers,
                double depth_1pct = 1.0e8) {
  Scenario sc;
  sc.file = "pipeline";
  sc.steps = static_cast<int>(prices.size()) - 1;
  sc.dt_s = dt_s;
  sc.exchange.profile = profile;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets = {aix_asset("AIX", prices[0], depth_1pct)};
  sc.assets[0].tiers = std::move(tiers);
  ReplaySpec r;
  r.file = "prices.csv";
  for (double p : prices) r.prices.push_back({p});
  sc.replay = r;
  return sc;
}

void add(Scenario& sc, int side, double size, double entry, double margin) {
  const int account = static_cast<int>(sc.accounts.size());
  sc.accounts.push_back({"trader" + std::to_string(account), std::nullopt});
  sc.positions.push_back(PositionSpec{account, 0, side, size, entry, margin, false, 0});
}

struct Run {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  std::vector<AdlEvent> adl;
  PathTimeseries ts;
};

Run run(const Scenario& sc) {
  const RunPlan plan(sc);
  Run r;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{&r.ts, &r.events, &r.adl});
  r.out = e.run();
  return r;
}

/// A long of `n` at `entry` with margin `m`, after selling `y` of it at `v` with fee rate `f`:
/// its bankruptcy price E - m'/(n - y), m' = m + y*(v - E) - min(f*y*v, max(m + y*(v - E), 0)).
double long_bp_after_part(double n, double entry, double m, double y, double v, double f) {
  const double realized = y * (v - entry);
  const double fee = std::min(f * y * v, std::max(m + realized, 0.0));
  return entry - (m + realized - fee) / (n - y);
}

}  // namespace

TEST_CASE("Engine.Pipeline.HyperliquidLiquidatesAFifthAtATimeAndWholeWithinTheCooldown") {
  // A long of 250,000 AIX at 2.0 with 40,000 USD margin, Hyperliquid's rule (mmr 1/(2*20)); its
  // liquidation price is between 1.880 and 1.889. At 1.88 its notional (470,000) is above
  // partial_above (100,000), so 20 % (50,000) is sold. The rest keeps 40,000 - 50,000*0.12 less
  // the fee of the part: its new liquidation price is below 1.88 (on a book deep enough that
  // the sale barely moves the mark, it survives the step), above
  // 1.875 (the next index). Ten seconds later, within the 30 s cooldown, the position is
  // liquidated whole (200,000); a minute later the cooldown is over and it is another fifth.
  const TierTable tiers({{0, 20, 0.025, 0}, {5e6, 10, 0.05, 0}});
  const double fee = 0.005;
  for (const double dt : {10.0, 60.0}) {
    CAPTURE(dt);
    Scenario sc = replay("hyperliquid", {2.0, 1.88, 1.875, 1.875}, dt, tiers, 1.0e10);
    sc.exchange.liquidation_fee = fee;
    sc.exchange.liquidation.mode = LiquidationMode::Partial;
    add(sc, 1, 250000.0, 2.0, 40000.0);
    const MarginRule rule(Profile::Hyperliquid, tiers);
    const double lp0 = rule.liquidation_price({1, 250000.0, 2.0, 40000.0});
    REQUIRE(lp0 > 1.880);
    REQUIRE(lp0 < 1.889);
    const Run r = run(sc);
    REQUIRE(r.events.size() == 2);
    CHECK(r.events[0].step == 1);
    CHECK(r.events[0].size == doctest::Approx(50000.0).epsilon(1e-12));
    CHECK(r.events[0].fill_price == doctest::Approx(1.88).epsilon(1e-4));  // a deep book
    CHECK(r.events[1].step == 2);
    // The rest's margin and bankruptcy price follow from the first fill.
    const double v1 = r.events[0].fill_price;
    const double bp = long_bp_after_part(250000.0, 2.0, 40000.0, 50000.0, v1, fee);
    CHECK(r.events[1].bankruptcy_price == doctest::Approx(bp).epsilon(1e-12));
    const double m1 = (2.0 - bp) * 200000.0;
    const double lp1 = rule.liquidation_price({1, 200000.0, 2.0, m1});
    CHECK(lp1 < 1.8799);
    CHECK(lp1 > 1.875);
    CHECK(r.out.liquidations == 2);
    if (dt == 10.0) {
      CHECK(r.events[1].size == doctest::Approx(200000.0).epsilon(1e-12));
      CHECK(r.out.partial_liquidations == 1);
    } else {
      CHECK(r.events[1].size == doctest::Approx(40000.0).epsilon(1e-12));
      CHECK(r.out.partial_liquidations == 2);
      // 160,000 remain with a liquidation price below 1.875: open at the end.
      const double bp2 = long_bp_after_part(200000.0, 2.0, m1, 40000.0, r.events[1].fill_price, fee);
      CHECK(rule.liquidation_price({1, 160000.0, 2.0, (2.0 - bp2) * 160000.0}) < 1.875);
    }
  }
}

TEST_CASE("Engine.Pipeline.APositionBelowPartialAboveIsLiquidatedWhole") {
  const TierTable tiers({{0, 20, 0.025, 0}, {5e6, 10, 0.05, 0}});
  Scenario sc = replay("hyperliquid", {2.0, 1.80, 1.80}, 60.0, tiers);
  sc.exchange.liquidation.mode = LiquidationMode::Partial;
  add(sc, 1, 40000.0, 2.0, 6400.0);  // 72,000 USD at 1.80: below 100,000
  const Run r = run(sc);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].size == 40000.0);
  CHECK(r.out.partial_liquidations == 0);
}

TEST_CASE("Engine.Pipeline.BybitReducesToTheLimitOfTheTierBelow") {
  // Tiers by value at entry: 0-50,000 at 1 %, 50,000-200,000 at 2 %, above at 5 % (deductions
  // 0, 500, 6,500). A long of 30,000 at 10 (value 300,000, third tier) with 30,000 margin:
  // maintenance 300,000*0.05 - 6,500 = 8,500, liquidation price 10 - (30,000 - 8,500)/30,000
  // = 9.28333. At 9.28 it is reduced to the second tier's limit, 200,000 at entry: 10,000 sold.
  // The rest (20,000) keeps 30,000 - 10,000*(10 - v) - fee; maintenance 200,000*0.02 - 500 =
  // 3,500, liquidation price about 9.058: it survives. At 8.9 the same position goes down the
  // tiers in one step: 10,000 (round 1), then at the second tier's rate 15,000 to 50,000 at
  // entry (round 2), then the first tier is closed whole, 5,000 (round 3).
  const TierTable tiers({{0, 50, 0.01, 0}, {50000, 25, 0.02, 0}, {200000, 10, 0.05, 0}});
  const MarginRule rule(Profile::Bybit, tiers);
  REQUIRE(rule.liquidation_price({1, 30000.0, 10.0, 30000.0}) == doctest::Approx(10.0 - 21500.0 / 30000.0));
  const double fee = 0.0055;
  {
    Scenario sc = replay("bybit", {10.0, 9.28, 9.28}, 60.0, tiers);
    sc.exchange.liquidation_fee = fee;
    sc.exchange.liquidation.mode = LiquidationMode::Tiered;
    add(sc, 1, 30000.0, 10.0, 30000.0);
    const Run r = run(sc);
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].size == doctest::Approx(10000.0).epsilon(1e-12));
    CHECK(r.out.partial_liquidations == 1);
    const double bp = long_bp_after_part(30000.0, 10.0, 30000.0, 10000.0, r.events[0].fill_price, fee);
    const double m1 = (10.0 - bp) * 20000.0;
    CHECK(rule.liquidation_price({1, 20000.0, 10.0, m1}) == doctest::Approx(10.0 - (m1 - 3500.0) / 20000.0));
  }
  {
    Scenario sc = replay("bybit", {10.0, 8.9, 8.9}, 60.0, tiers);
    sc.exchange.liquidation_fee = fee;
    sc.exchange.liquidation.mode = LiquidationMode::Tiered;
    add(sc, 1, 30000.0, 10.0, 30000.0);
    const Run r = run(sc);
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0].round == 1);
    CHECK(r.events[1].round == 2);
    CHECK(r.events[2].round == 3);
    CHECK(r.events[0].size == doctest::Approx(10000.0).epsilon(1e-12));
    CHECK(r.events[1].size == doctest::Approx(15000.0).epsilon(1e-12));
    CHECK(r.events[2].size == doctest::Approx(5000.0).epsilon(1e-12));
    CHECK(r.out.partial_liquidations == 2);
    CHECK(r.out.liquidations == 3);
    CHECK(r.out.max_cascade_depth == 3);
    const double bp1 = long_bp_after_part(30000.0, 10.0, 30000.0, 10000.0, r.events[0].fill_price, fee);
    CHECK(r.events[1].bankruptcy_price == doctest::Approx(bp1).epsilon(1e-12));
    const double bp2 =
        long_bp_after_part(20000.0, 10.0, (10.0 - bp1) * 20000.0, 15000.0, r.events[1].fill_price, fee);
    CHECK(r.events[2].bankruptcy_price == doctest::Approx(bp2).epsilon(1e-12));
  }
}

TEST_CASE("Engine.Pipeline.TheVaultTakesOverBelowTwoThirdsOfMaintenanceAndUnwinds") {
  // Hyperliquid, one tier at 10x (mmr 0.05). A long of 10,000 at 2.0 with 2,000 margin; the
  // index gaps to 1.80: equity 2,000 - 2,000 = 0 < 2/3 of maintenance (900): the vault takes it
  // over at the mark, paying 20,000 - 2,000 = 18,000 for 10,000 AIX. It then sells a quarter of
  // its inventory each step: 7,500, then 5,625 left; its cash is its capital less 18,000 plus
  // what it sold for, and its PnL is cash + inventory at the mark less the capital.
  const TierTable tiers({{0, 10, 0.05, 0}});
  Scenario sc = replay("hyperliquid", {2.0, 1.80, 1.80, 1.80}, 60.0, tiers, 1.0e7);
  sc.exchange.backstop.kind = BackstopKind::Vault;
  sc.exchange.backstop.capital_usd = 1.0e6;
  sc.exchange.backstop.unwind_per_step = 0.25;
  add(sc, 1, 10000.0, 2.0, 2000.0);
  const Run r = run(sc);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].size == 10000.0);
  CHECK(r.events[0].fill_price == 1.80);  // taken over at the mark: nothing traded before
  CHECK(r.out.vault_takeovers == 1);
  CHECK(r.out.liquidations == 1);
  CHECK(r.out.insurance_fund_start == 1.0e6);
  const auto inv = [&](int t) { return r.ts.vault_inventory[static_cast<std::size_t>(t)]; };
  CHECK(inv(0) == 0.0);
  CHECK(inv(1) == 10000.0);
  CHECK(inv(2) == doctest::Approx(7500.0).epsilon(1e-12));
  CHECK(inv(3) == doctest::Approx(5625.0).epsilon(1e-12));
  // The unwinds are the only trades: the step's flow notional is what the vault sold for.
  const double sold = -(r.ts.flow_notional[2] + r.ts.flow_notional[3]);
  CHECK(sold / 4375.0 == doctest::Approx(1.80).epsilon(1e-3));
  const double cash = 1.0e6 - 18000.0 + sold;
  for (int t = 1; t <= 3; ++t) {
    const double at_mark = inv(t) * r.ts.mark_price[static_cast<std::size_t>(t)];
    const double c = t == 1 ? 1.0e6 - 18000.0 : t == 2 ? 1.0e6 - 18000.0 - r.ts.flow_notional[2] : cash;
    CHECK(r.ts.vault_equity[static_cast<std::size_t>(t)] == doctest::Approx(c + at_mark).epsilon(1e-12));
  }
  CHECK(r.out.vault_pnl == doctest::Approx(cash + inv(3) * r.ts.mark_price[3] - 1.0e6).epsilon(1e-9));
  CHECK(r.out.vault_pnl < 0.0);  // it sold into its own impact
  CHECK(r.out.bad_debt == 0.0);
  CHECK(r.out.adl_count == 0);
}

TEST_CASE("Engine.Pipeline.AnUnderwaterVaultIsDeleveragedAtThePriceThatRestoresIt") {
  // As above, with 100 USD of capital and no unwinding, and a profitable short of 10,000 at 2.0.
  // At 1.70 the vault's equity is 100 - 18,000 + 17,000 = -900: its inventory is closed against
  // the short at 1.70 + 900/10,000 = 1.79, which leaves the vault at exactly zero. The short
  // gives up 10,000*(1.79 - 1.70) = 900 against the mark (the haircut), equal to the deficit.
  const TierTable tiers({{0, 10, 0.05, 0}});
  Scenario sc = replay("hyperliquid", {2.0, 1.80, 1.70, 1.70}, 60.0, tiers, 1.0e7);
  sc.exchange.backstop.kind = BackstopKind::Vault;
  sc.exchange.backstop.capital_usd = 100.0;
  sc.exchange.backstop.unwind_per_step = 0.0;
  add(sc, 1, 10000.0, 2.0, 2000.0);
  add(sc, -1, 10000.0, 2.0, 4000.0);
  const Run r = run(sc);
  CHECK(r.out.vault_takeovers == 1);
  REQUIRE(r.adl.size() == 1);
  const AdlEvent& a = r.adl[0];
  CHECK(a.step == 2);
  CHECK(a.position == 1);
  CHECK(a.side == -1);
  CHECK(a.bankrupt_position == -1);
  CHECK(a.size == doctest::Approx(10000.0).epsilon(1e-12));
  CHECK(a.mark == 1.70);
  CHECK(a.price == doctest::Approx(1.79).epsilon(1e-12));
  CHECK(r.out.adl_deficit_covered == doctest::Approx(900.0).epsilon(1e-9));
  CHECK(r.out.adl_haircut == doctest::Approx(900.0).epsilon(1e-9));
  CHECK(std::abs(r.out.adl_overshoot) < 1e-6);
  CHECK(r.ts.vault_inventory[2] == 0.0);
  CHECK(std::abs(r.ts.vault_equity[2]) < 1e-6);
  CHECK(r.out.vault_min_equity == doctest::Approx(0.0).epsilon(1e-9));
  CHECK(r.out.vault_pnl == doctest::Approx(-100.0).epsilon(1e-9));
  CHECK(r.out.bad_debt == 0.0);
  CHECK(r.out.first_adl_time == 120.0);
}

namespace {

/// A long of `size` AIX at 2.0 with a tenth of that margin (bankruptcy price 1.90) gaps to 1.80 with an
/// empty insurance fund; `shorts` are (size, margin) at 2.0, all profitable.
Scenario bankrupt_long(AdlPolicy policy, const std::vector<std::pair<double, double>>& shorts,
                       double size = 100000.0) {
  Scenario sc = replay("binance", {2.0, 1.80, 1.80}, 60.0, TierTable({{0, 20, 0.01, 0}}), 1.0e7);
  sc.exchange.insurance_fund_usd = 0.0;
  sc.exchange.adl.policy = policy;
  add(sc, 1, size, 2.0, 0.1 * size);
  for (const auto& [n, m] : shorts) add(sc, -1, n, 2.0, m);
  return sc;
}

}  // namespace

TEST_CASE("Engine.Pipeline.ProRataTakesTheSameFractionFromEveryWinner") {
  // 100,000 to deleverage against 200,000 of shorts: each gives up half, at 1.90.
  const Run r = run(bankrupt_long(AdlPolicy::ProRata, {{40000, 20000}, {60000, 30000}, {100000, 40000}}));
  REQUIRE(r.adl.size() == 3);
  std::vector<double> by_position(4, 0.0);
  for (const AdlEvent& a : r.adl) {
    CHECK(a.bankrupt_position == 0);
    CHECK(a.price == doctest::Approx(1.90).epsilon(1e-12));
    CHECK(a.mark == doctest::Approx(1.80).epsilon(1e-4));
    by_position[static_cast<std::size_t>(a.position)] += a.size;
  }
  CHECK(by_position[1] == doctest::Approx(20000.0).epsilon(1e-12));
  CHECK(by_position[2] == doctest::Approx(30000.0).epsilon(1e-12));
  CHECK(by_position[3] == doctest::Approx(50000.0).epsilon(1e-12));
  CHECK(r.events.empty());  // deleveraged whole: nothing went through the book
  CHECK(r.out.bad_debt == 0.0);
}

TEST_CASE("Engine.Pipeline.LeverageDrainLeavesTheLargestLeverageAsSmallAsPossible") {
  // Shorts of 50,000 at 2.0 with 20,000, 10,000 and 5,000 margin; at the mark 1.80 their
  // equity is 30,000, 20,000, 15,000 and their effective leverage (notional at the mark over
  // the equity before the fill) 3, 4.5 and 6. Giving y leaves (50,000 - y)*1.8/e. Water-filling:
  //   demand 100,000 (a long of 100,000): all three reach L with sum of 50,000 - L*e/1.8 equal
  //     to 100,000: L = 90,000/65,000, giving 50,000*(1 - e/65,000) = 26,923.08, 34,615.38,
  //     38,461.54;
  //   demand 30,000: the 6x short alone would need L = 2.4, below the 4.5x short; both down to
  //     L = 3.6 (above the 3x short, untouched), giving 0, 10,000, 20,000.
  const std::vector<std::pair<double, double>> shorts = {{50000, 20000}, {50000, 10000}, {50000, 5000}};
  struct Case {
    double demand;
    double level;
    std::vector<double> given;
  };
  for (const Case& c : {Case{100000.0, 90000.0 / 65000.0,
                             {50000.0 * 35.0 / 65.0, 50000.0 * 45.0 / 65.0, 50000.0 * 50.0 / 65.0}},
                        Case{30000.0, 3.6, {0.0, 10000.0, 20000.0}}}) {
    CAPTURE(c.demand);
    const Run r = run(bankrupt_long(AdlPolicy::LeverageDrain, shorts, c.demand));
    std::vector<double> given(shorts.size(), 0.0);
    for (const AdlEvent& a : r.adl) {
      CHECK(a.price == doctest::Approx(1.90).epsilon(1e-12));
      given[static_cast<std::size_t>(a.position - 1)] += a.size;
    }
    for (std::size_t j = 0; j < shorts.size(); ++j) {
      CAPTURE(j);
      CHECK(given[j] == doctest::Approx(c.given[j]).epsilon(1e-9));
      if (c.given[j] > 0.0) {
        const double mark = r.adl.front().mark;
        const double e = shorts[j].second + shorts[j].first * (2.0 - mark);
        const double left = (shorts[j].first - given[j]) * mark / e;
        CHECK(left == doctest::Approx(c.level).epsilon(1e-3));  // the mark is 1.80 up to impact
      }
    }
  }
}

TEST_CASE("Engine.Pipeline.TheQueueClosesInRankOrder") {
  // Binance's ranking: profit ratio times leverage. The 20x short ranks first and covers the
  // whole 30,000; nobody else is touched.
  const Run r = run(bankrupt_long(AdlPolicy::Queue, {{50000, 20000}, {50000, 10000}, {50000, 5000}}, 30000.0));
  REQUIRE(r.adl.size() == 1);
  CHECK(r.adl[0].position == 3);
  CHECK(r.adl[0].size == doctest::Approx(30000.0).epsilon(1e-12));
}

TEST_CASE("Engine.Pipeline.SocializeTakesTheDeficitFromWinnersUnrealisedProfit") {
  // No fund, after_fund socialize: the long's deficit D at its fill (rest -(10,000 + 100,000*
  // (v - 2.0)), no fee) is taken from the two shorts' margins in proportion to their unrealised
  // profit (80,000 in all, more than D); with the same entry that is in proportion to their
  // sizes, 1/4 and 3/4. Their margins show in their bankruptcy prices when the index then rises
  // to 2.5 and liquidates them: E + m'/n; their own deficits there have no winner to come from
  // (the long is gone) and are bad debt. With bad_debt instead, D is bad debt too and the
  // shorts keep their margins.
  for (const AfterFund after : {AfterFund::Socialize, AfterFund::BadDebt}) {
    CAPTURE(static_cast<int>(after));
    Scenario sc = replay("binance", {2.0, 1.80, 2.5, 2.5}, 60.0, TierTable({{0, 20, 0.01, 0}}), 1.0e7);
    sc.exchange.insurance_fund_usd = 0.0;
    sc.exchange.adl.after_fund = after;
    add(sc, 1, 100000.0, 2.0, 10000.0);
    add(sc, -1, 100000.0, 2.0, 20000.0);
    add(sc, -1, 300000.0, 2.0, 60000.0);
    const Run r = run(sc);
    CHECK(r.adl.empty());
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0].position == 0);
    const double d = -(10000.0 + 100000.0 * (r.events[0].fill_price - 2.0));
    REQUIRE(d > 9000.0);
    const double taken = after == AfterFund::Socialize ? d : 0.0;
    CHECK(r.out.socialized_loss == doctest::Approx(taken).epsilon(1e-12));
    double short_deficits = 0.0;
    for (const auto& e : r.events) {
      if (e.position == 0) continue;
      CAPTURE(e.position);
      const double n = e.position == 1 ? 100000.0 : 300000.0;
      const double m = (e.position == 1 ? 20000.0 : 60000.0) - taken * (n / 400000.0);
      CHECK(e.step == 2);
      CHECK(e.bankruptcy_price == doctest::Approx(2.0 + m / n).epsilon(1e-12));
      short_deficits += std::max(0.0, -(m - n * (e.fill_price - 2.0)));
    }
    CHECK(r.out.bad_debt == doctest::Approx(d - taken + short_deficits).epsilon(1e-12));
  }
}
