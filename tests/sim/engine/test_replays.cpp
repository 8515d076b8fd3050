// The wrong results the audit of issue 10 found, each reproduced with a small replay scenario.
// Each test failed on the engine before its fix (the comment says how) and states what
// MODEL.md requires instead.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

/// One asset AIX on a replay of `prices` (F at t = 0, 1, ...), `dt_s` per step.
Scenario one_asset_replay(std::vector<double> prices, double dt_s, TierTable tiers) {
  Scenario sc;
  sc.file = "replay";
  sc.steps = static_cast<int>(prices.size()) - 1;
  sc.dt_s = dt_s;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets = {aix_asset("AIX", prices[0], 1.0e7)};
  sc.assets[0].tiers = std::move(tiers);
  ReplaySpec r;
  r.file = "prices.csv";
  for (double p : prices) r.prices.push_back({p});
  sc.replay = r;
  sc.accounts = {{"trader", std::nullopt}};
  return sc;
}

struct Replay {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  PathTimeseries ts;
};

Replay run_replay(const Scenario& sc) {
  const RunPlan plan(sc);
  Replay r;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{&r.ts, &r.events});
  r.out = e.run();
  return r;
}

}  // namespace

TEST_CASE("Engine.Replay.FundingMovesTheLiquidationPriceOfARequeuedPosition") {
  // One long of 1,000 AIX at 1.0 with margin 100; funding every hour at the interest rate alone
  // (premium 0: the book is untouched), 0.01 per 8 h, so the long pays 1.25 USD an hour. After
  // 48 h its margin is 40 and its liquidation price (1000 - 40)/(1000*(1 - 0.01)) = 0.96970;
  // at 0.971 it must survive, at 0.95 it must be liquidated. Before the fix the engine re-queued
  // the position popped at 0.971 with the liquidation price of its last settlement (0.909), so
  // it was never liquidated and ended with negative equity.
  std::vector<double> prices(49, 1.0);
  prices.push_back(0.971);
  prices.push_back(0.95);
  prices.push_back(0.95);
  Scenario sc = one_asset_replay(prices, 3600.0, TierTable({{0, 20, 0.01, 0}, {1e6, 10, 0.05, 0}}));
  sc.exchange.funding.enabled = true;
  sc.exchange.funding.interval_s = 3600.0;
  sc.exchange.funding.interest = 0.01;
  sc.exchange.funding.interest_clamp = 0.01;
  sc.exchange.funding.cap = 0.01;
  sc.positions = {PositionSpec{0, 0, 1, 1000.0, 1.0, 100.0, false, 0}};
  const Replay r = run_replay(sc);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].step == 50);  // the step whose index is 0.95
  // Its margin after 48 hours of funding (49 intervals end by the step at 0.95: 48 at 1.0, one at 0.971).
  CHECK(r.out.liquidations == 1);
  // The liquidation price it had at 0.971, from the margin after 48 payments of 1.25 USD.
  const MarginRule rule(Profile::Binance, sc.assets[0].tiers);
  CHECK(rule.liquidation_price({1, 1000.0, 1.0, 40.0}) == doctest::Approx(960.0 / 990.0));
}
