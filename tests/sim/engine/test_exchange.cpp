// Exchange behaviour in the step loop: cross margin and contagion, the insurance fund and
// auto-deleveraging, funding, exchange-style marks, and conservation across all of them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"
#include "sim/book/initial_book.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

Scenario two_assets(std::vector<std::vector<double>> prices) {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = static_cast<int>(prices.size()) - 1;
  sc.dt_s = 60.0;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets = {aix_asset("AIX", prices[0][0], 200000.0), aix_asset("BIX", prices[0][1], 2.0e6)};
  sc.replay = ReplaySpec{"fixture.csv", std::move(prices)};
  return sc;
}

PositionSpec pos(int account, int asset, int side, double size, double entry, double margin, bool cross = false) {
  return PositionSpec{account, asset, side, size, entry, margin, cross, 0};
}

struct Run {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  std::vector<AdlEvent> adl;
};

Run run(const Scenario& sc, bool check_invariants = true) {
  const RunPlan plan(sc);
  Run r;
  Engine e(plan, build_initial_book(sc, 3), 4, 0, 0, PathSinks{nullptr, &r.events, &r.adl});
  for (int t = 1; t <= sc.steps; ++t) {
    e.step(t);
    if (!check_invariants || sc.engine.max_rounds < 50) continue;
    // After a step no open position or account may be past its liquidation condition.
    const auto& b = e.positions();
    std::vector<double> marks;
    for (std::size_t k = 0; k < sc.assets.size(); ++k) marks.push_back(e.mark(k));
    for (std::size_t i = 0; i < b.count(); ++i) {
      if (!b.open[i] || b.cross[i] || std::isnan(e.current_liquidation_price(i))) continue;
      CHECK_FALSE(MarginRule::crossed(b.side[i], e.current_liquidation_price(i), marks[static_cast<std::size_t>(b.asset[i])]));
    }
    const auto& cross = e.cross_accounts();
    for (std::size_t a = 0; a < cross.size(); ++a)
      if (cross[a].open) CHECK(cross.equity(a, b, marks) >= cross.maintenance(a, b, marks, plan.rules));
  }
  r.out = e.outcome();
  return r;
}

}  // namespace

TEST_CASE("Engine.Cross.LossOnOneAssetForcesSalesOfTheOther") {
  // A fund long AIX and long BIX on one wallet; AIX falls 30 %, BIX does not move.
  Scenario sc = two_assets({{2.0, 10.0}, {1.9, 10.0}, {1.7, 10.0}, {1.5, 10.0}, {1.4, 10.0}});
  sc.accounts = {{"fund", 3000.0}, {"solo", std::nullopt}};
  sc.positions = {pos(0, 0, 1, 10000.0, 2.0, 0, true), pos(0, 1, 1, 1000.0, 10.0, 0, true),
                  pos(1, 1, 1, 1000.0, 10.0, 1500.0)};
  const Run r = run(sc);
  REQUIRE(r.events.size() == 2);
  // Both legs of the fund go in the same step and round; the isolated BIX position survives.
  CHECK(r.events[0].asset == 0);
  CHECK(r.events[1].asset == 1);
  CHECK(r.events[0].step == r.events[1].step);
  CHECK(r.events[0].round == r.events[1].round);
  CHECK(r.events[1].position == 1);
  CHECK(r.out.asset_liquidated_notional[1] > 0.0);
  CHECK(std::abs(r.out.conservation_residual) < 1e-6);

  // Split into isolated positions with the same margins, BIX would not have been sold.
  Scenario iso = sc;
  iso.positions = {pos(0, 0, 1, 10000.0, 2.0, 2000.0), pos(0, 1, 1, 1000.0, 10.0, 1000.0),
                   pos(1, 1, 1, 1000.0, 10.0, 1500.0)};
  iso.accounts = {{"fund", std::nullopt}, {"solo", std::nullopt}};
  const Run ri = run(iso);
  CHECK(ri.out.asset_liquidated_notional[1] == 0.0);
}

TEST_CASE("Engine.Cross.HealthyAccountIsNotLiquidated") {
  Scenario sc = two_assets({{2.0, 10.0}, {1.9, 10.3}, {1.7, 10.6}, {1.5, 11.0}, {1.4, 11.0}});
  // The AIX loss alone would breach maintenance; the BIX gain on the same wallet covers it.
  sc.accounts = {{"fund", 1000.0}};
  sc.positions = {pos(0, 0, 1, 5000.0, 2.0, 0, true), pos(0, 1, 1, 4000.0, 10.0, 0, true)};
  const Run r = run(sc);
  CHECK(r.events.empty());
}

TEST_CASE("Engine.Cross.InvariantHoldsOnSampledPopulations") {
  Scenario sc = sampled_shock(1);
  for (auto& a : sc.assets) a.population->cross_share = 0.4;
  sc.cross_accounts = 25;
  const Run r = run(sc);
  CHECK(r.out.liquidations > 0);
  const PositionBook book = build_initial_book(sc, 3);  // the book run() starts from
  bool cross_liquidated = false;
  for (const auto& e : r.events) {
    if (!book.cross[static_cast<std::size_t>(e.position)]) continue;
    cross_liquidated = true;
    CHECK(std::isfinite(e.bankruptcy_price));  // a leg's bankruptcy price given the account
  }
  CHECK(cross_liquidated);
  CHECK(std::abs(r.out.conservation_residual) < 1e-6);
}

namespace {

/// VWAP of a sell of q > 0 base units from an empty power-law book with beta 2 (MODEL.md
/// section 3): F*(1 - G(q)/q), G(u) = 0.01*Q1*(2/3)*(u/Q1)^(3/2), Q1 = depth/F.
double sell_vwap(double f, double depth_usd, double q) {
  const double q1 = depth_usd / f;
  const double g = 0.01 * q1 * (2.0 / 3.0) * std::pow(q / q1, 1.5);
  return f * (1.0 - g / q);
}

}  // namespace

TEST_CASE("Engine.Adl.EmptyFundHandsTheBankruptPositionToProfitableShortsAtItsBankruptcyPrice") {
  // A thin book: the whale long (16.7x, BP 1.88) would fill far below its bankruptcy price with
  // no fund to pay. MODEL.md section 5.1: the profitable shorts take it at 1.88, at most its size,
  // in the profile's ranking order, without going through the book; the 20,000 nobody can take is
  // sold in the book and its deficit is bad debt.
  Scenario sc = two_assets({{2.0, 10.0}, {1.85, 10.0}, {1.85, 10.0}});
  sc.assets[0].book.depth_1pct_usd = 20000.0;
  sc.exchange.insurance_fund_usd = 0.0;
  sc.output.events = true;
  sc.accounts = {{"whale", std::nullopt}, {"s1", std::nullopt}, {"s2", std::nullopt}};
  sc.positions = {pos(0, 0, 1, 100000.0, 2.0, 12000.0),  // 16.7x long, BP 1.88
                  pos(1, 0, -1, 40000.0, 2.1, 40000.0),  // profitable shorts
                  pos(2, 0, -1, 40000.0, 2.05, 8200.0)};
  const Run r = run(sc);
  const double bp = 2.0 - 12000.0 / 100000.0;
  // Decided on the tentative fill of the whole order: deficit 100,000 x (BP - V0).
  const double v0 = sell_vwap(1.85, 20000.0, 100000.0);
  const double deficit = -(12000.0 + 100000.0 * (v0 - 2.0));
  REQUIRE(deficit > 0.0);
  // Binance LeveragePnL ranks s2 (0.18) before s1 (0.015); both are closed whole at BP.
  REQUIRE(r.adl.size() == 2);
  CHECK(r.adl[0].position == 2);
  CHECK(r.adl[1].position == 1);
  for (const auto& a : r.adl) {
    CHECK(a.price == doctest::Approx(bp).epsilon(1e-12));
    CHECK(a.size == doctest::Approx(40000.0));
    CHECK(a.mark == doctest::Approx(1.85).epsilon(1e-12));
    CHECK(a.bankrupt_position == 0);
    CHECK(a.side == -1);
  }
  CHECK(r.out.adl_count == 2);
  CHECK(r.out.adl_notional == doctest::Approx(80000.0 * bp).epsilon(1e-12));
  CHECK(r.out.adl_deficit_covered == doctest::Approx(80000.0 * deficit / 100000.0).epsilon(1e-12));
  CHECK(r.out.adl_haircut == doctest::Approx(80000.0 * (bp - 1.85)).epsilon(1e-9));
  CHECK(r.out.adl_overshoot == doctest::Approx(r.out.adl_haircut - r.out.adl_deficit_covered).epsilon(1e-12));
  CHECK(r.out.first_adl_time == 60.0);
  // s2's haircut 40,000 x 0.03 out of its profit 40,000 x 0.2.
  CHECK(r.out.adl_max_profit_share == doctest::Approx(0.03 / 0.2).epsilon(1e-9));
  // The rest of the whale, 20,000 with a fifth of its margin, is sold in the book.
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].size == doctest::Approx(20000.0));
  const double v = sell_vwap(1.85, 20000.0, 20000.0);
  CHECK(r.events[0].fill_price == doctest::Approx(v).epsilon(1e-12));
  CHECK(r.out.bad_debt == doctest::Approx(-(2400.0 + 20000.0 * (v - 2.0))).epsilon(1e-9));
  CHECK(r.out.insurance_fund_final == 0.0);
  CHECK(r.out.liquidations == 1);
  CHECK(std::abs(r.out.conservation_residual) < 1e-6);

  // Without anyone to deleverage, the whole position goes through the book and its deficit is
  // bad debt, reported in full.
  Scenario alone = sc;
  alone.positions.resize(1);
  const Run ra = run(alone);
  CHECK(ra.out.adl_count == 0);
  CHECK(ra.adl.empty());
  REQUIRE(ra.events.size() == 1);
  CHECK(ra.events[0].fill_price == doctest::Approx(v0).epsilon(1e-12));
  CHECK(ra.out.bad_debt == doctest::Approx(deficit).epsilon(1e-9));
  CHECK(std::isnan(ra.out.first_adl_time));
  CHECK(std::abs(ra.out.conservation_residual) < 1e-6);
}

TEST_CASE("Engine.Funding.LongsPayInterestOnAQuietBook") {
  Scenario sc = two_assets({{2.0, 10.0}, {2.0, 10.0}, {2.0, 10.0}, {2.0, 10.0}, {2.0, 10.0}});
  sc.exchange.funding.enabled = true;
  sc.exchange.funding.interval_s = 120.0;  // every two steps
  sc.accounts = {{"l", std::nullopt}, {"s", std::nullopt}};
  sc.positions = {pos(0, 0, 1, 1000.0, 2.0, 500.0), pos(1, 0, -1, 1000.0, 2.0, 500.0)};
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0);
  for (int t = 1; t <= 4; ++t) e.step(t);
  // Premium 0: the rate is the interest, 0.01 % per 8 h scaled to 2 minutes, twice.
  const double rate = 0.0001 * 120.0 / (8 * 3600.0);
  const double paid = 2 * rate * 1000.0 * 2.0;
  CHECK(e.settled_margin(0) == doctest::Approx(500.0 - paid).epsilon(1e-12));
  CHECK(e.settled_margin(1) == doctest::Approx(500.0 + paid).epsilon(1e-12));
  // Liquidation prices follow the margin.
  const MarginRule rule(Profile::Binance, sc.assets[0].tiers);
  CHECK(e.current_liquidation_price(0) == doctest::Approx(rule.liquidation_price({1, 1000.0, 2.0, 500.0 - paid})));
  CHECK(e.current_liquidation_price(0) > rule.liquidation_price({1, 1000.0, 2.0, 500.0}));
  CHECK(std::abs(e.outcome().conservation_residual) < 1e-9);
}

TEST_CASE("Engine.Funding.PremiumDrivesTheRateAndCapBinds") {
  // An unlock sold as a TWAP keeps the book below the index, so the premium is negative and
  // shorts pay longs. The rate of an interval is clamp(P + clamp(I8 - P, -C8, C8)) x interval/8h,
  // clamped to +-cap, P the average of (mark - index)/index over the interval's steps; a long of
  // n receives -rate x mark x n at each funding time. Computed here from the recorded marks.
  for (const double cap : {1.0, 1e-6}) {
    CAPTURE(cap);
    Scenario sc = two_assets(std::vector<std::vector<double>>(9, {2.0, 10.0}));
    sc.exchange.funding.enabled = true;
    sc.exchange.funding.interval_s = 240.0;  // every four steps
    sc.exchange.funding.cap = cap;
    sc.assets[0].supply = 1.0e7;
    UnlockSpec u;
    u.asset = 0;
    u.at_s = 0.0;
    u.fraction_of_supply = 0.01;
    u.sell_over_s = 480.0;
    sc.unlocks = {u};
    sc.accounts = {{"l", std::nullopt}, {"s", std::nullopt}};
    sc.positions = {pos(0, 0, 1, 1000.0, 2.0, 500.0), pos(1, 0, -1, 1000.0, 2.0, 500.0)};
    const RunPlan plan(sc);
    PathTimeseries ts;
    Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{&ts, nullptr, nullptr});
    for (int t = 1; t <= 8; ++t) e.step(t);
    const double i8 = 0.0001, c8 = 0.0005;  // Binance's interest and clamp per 8 h
    double received = 0.0, premium_seen = 0.0;
    for (int interval = 0; interval < 2; ++interval) {
      double p = 0.0;
      for (int t = 4 * interval + 1; t <= 4 * interval + 4; ++t)
        p += (ts.mark_price[2 * t] - ts.index_price[2 * t]) / ts.index_price[2 * t];
      p /= 4.0;
      premium_seen = std::min(premium_seen, p);
      const double f8 = p + std::clamp(i8 - p, -c8, c8);
      const double rate = std::clamp(f8 * 240.0 / (8 * 3600.0), -cap, cap);
      received -= rate * ts.mark_price[2 * (4 * interval + 4)] * 1000.0;
    }
    CHECK(premium_seen < -1e-3);  // the book really sits below the index
    CHECK(e.settled_margin(0) == doctest::Approx(500.0 + received).epsilon(1e-12));
    CHECK(e.settled_margin(1) == doctest::Approx(500.0 - received).epsilon(1e-12));
    if (cap < 1.0) CHECK(received == doctest::Approx(cap * 1000.0 * (ts.mark_price[8] + ts.mark_price[16])));
    CHECK(std::abs(e.outcome().conservation_residual) < 1e-9 * 1.0e6);
  }
}

TEST_CASE("Engine.Mark.IndexBasisIgnoresTheWick") {
  // The whale of Engine.Cascade.MaxRoundsDefersTheRest: with marks from the book its fill drags
  // a second position down in round 2; an index-based mark does not follow the wick.
  Scenario sc = whale_and_minnow();
  const Run book_marks = run(sc);
  CHECK(book_marks.events.size() == 2);
  sc.exchange.mark.kind = MarkKind::IndexBasis;
  sc.exchange.mark.clamp = 0.005;
  const Run index_marks = run(sc, false);
  REQUIRE(index_marks.events.size() == 1);
  CHECK(index_marks.events[0].position == 0);
  CHECK(index_marks.out.max_cascade_depth == 1);
}
