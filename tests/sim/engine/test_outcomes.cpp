// Outcomes in their ranges and on the prices the book produced (issue 10, "Smaller"): the share
// of open interest liquidated, slippage beyond the displacement cap, and who auto-deleveraging
// may pick while it has an order of its own in the round. Expected values by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

Scenario aix_replay(std::vector<double> prices, double depth_1pct) {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = static_cast<int>(prices.size()) - 1;
  sc.dt_s = 60.0;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets = {aix_asset("AIX", prices[0], depth_1pct)};
  ReplaySpec r{"fixture.csv", {}};
  for (double p : prices) r.prices.push_back({p});
  sc.replay = r;
  return sc;
}

struct Run {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  std::vector<AdlEvent> adl;
};

Run run(const Scenario& sc, PositionBook book) {
  const RunPlan plan(sc);
  Run r;
  Engine e(plan, std::move(book), 0, 0, 0, PathSinks{nullptr, &r.events, &r.adl});
  r.out = e.run();
  return r;
}

}  // namespace

TEST_CASE("Engine.Outcome.OiLiquidatedShareIsAtMostOneInASqueeze") {
  // One short of 1,000 AIX at 2.0 (10x, LP 2200/1020 = 2.157) squeezed to 3.0: liquidated whole
  // near 3.0, so its liquidated notional (~3,000) is 1.5 times the open interest at the start
  // (2,000). The share counts base units at the start prices: exactly 1.
  Scenario sc = aix_replay({2.0, 3.0, 3.0}, 1.0e6);
  sc.accounts = {{"s", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, -1, 1000.0, 2.0, 200.0, false, 0}};
  const Run r = run(sc, build_initial_book(sc, 0));
  REQUIRE(r.out.liquidations == 1);
  CHECK(r.out.liquidated_notional > 1.4 * 2000.0);
  CHECK(r.out.oi_liquidated_share == 1.0);
}

TEST_CASE("Engine.Outcome.OiLiquidatedShareCountsHalfTheBookLiquidated") {
  // Two equal longs at 2.0; only the 20x one is liquidated when the index falls to 1.85 (LP
  // (2000 - 100)/980 = 1.9388); the 2x one (LP 1000/980 = 1.02) stays: the share is 1/2 exactly.
  Scenario sc = aix_replay({2.0, 1.85, 1.85}, 1.0e6);
  sc.accounts = {{"a", std::nullopt}, {"b", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, 1, 1000.0, 2.0, 100.0, false, 0},
                  PositionSpec{1, 0, 1, 1000.0, 2.0, 1000.0, false, 0}};
  const Run r = run(sc, build_initial_book(sc, 0));
  REQUIRE(r.out.liquidations == 1);
  CHECK(r.out.oi_liquidated_share == 0.5);
}

TEST_CASE("Engine.Outcome.SlippageBeyondTheCapIsOnWhatTheBookFilled") {
  // Cap 0.5, depth 1e5, a 1e9-unit long, 2.0 -> 1.8: the book fills up to the cap at its VWAP
  // F (1 - (2/3) cap) (beta 2) from the mid 1.8, a slippage of 1e4 (2/3) 0.5 = 3333.3 bps; the
  // blended price with the rest at F (1 - cap) would have said about 4768 bps.
  Scenario sc = aix_replay({2.0, 1.8, 1.8}, 1.0e5);
  sc.assets[0].book.displacement_cap = 0.5;
  sc.accounts = {{"w", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, 1, 1.0e9, 2.0, 2.0e8, false, 0}};
  const Run r = run(sc, build_initial_book(sc, 0));
  CHECK(r.out.peak_slippage_bps == doctest::Approx(1e4 * (2.0 / 3.0) * 0.5).epsilon(1e-12));
  CHECK(r.out.asset_peak_slippage_bps[0] == r.out.peak_slippage_bps);
}

TEST_CASE("Engine.Outcome.APositionWithAStopInTheRoundIsNotDeleveraged") {
  // A whale long of 100,000 AIX at 2.0 with 12,000 margin (BP 1.88, LP 1.972) is liquidated at
  // 1.85 on a thin book with an empty fund: its deficit goes to ADL. The only profitable short
  // (50,000 at 2.1) has a stop at 1.80 that the mark has crossed: its buy is in the same round,
  // so ADL must not pick it (its order would hit the book for a position already closed).
  // Without the stop, ADL takes the bankrupt long at its bankruptcy price from that short.
  Scenario sc = aix_replay({2.0, 1.85, 1.85}, 20000.0);
  sc.exchange.insurance_fund_usd = 0.0;
  sc.accounts = {{"whale", std::nullopt}, {"short", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, 1, 100000.0, 2.0, 12000.0, false, 0},
                  PositionSpec{1, 0, -1, 50000.0, 2.1, 25000.0, false, 0}};
  const Run plain = run(sc, build_initial_book(sc, 0));
  REQUIRE(!plain.adl.empty());
  CHECK(plain.adl.front().position == 1);
  CHECK(plain.adl.front().price == doctest::Approx(1.88).epsilon(1e-12));

  sc.position_agents.resize(2);
  sc.position_agents[1].stop_usd = 1.80;
  const Run stopped = run(sc, build_initial_book(sc, 0));
  CHECK(stopped.out.stops == 1);
  CHECK(stopped.adl.empty());
  CHECK(stopped.out.bad_debt > 0.0);
}
