// The wrong results the audit of issue 10 found, each reproduced with a small replay scenario.
// Each test failed on the engine before its fix (the comment says how) and states what
// MODEL.md requires instead.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

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
  // Its margin after 48 hours of funding (49 intervals end by the step at 0.95: 48 at 1.0, one at
  // 0.971).
  CHECK(r.out.liquidations == 1);
  // The liquidation price it had at 0.971, from the margin after 48 payments of 1.25 USD.
  const MarginRule rule(Profile::Binance, sc.assets[0].tiers);
  CHECK(rule.liquidation_price({1, 1000.0, 1.0, 40.0}) == doctest::Approx(960.0 / 990.0));
}

TEST_CASE("Engine.Replay.TheCapBoundsTheStateWhenTheBookThins") {
  // AIX 2.0 then 1.8 for five 60 s steps; depth 1e5 USD, beta 1, a slow refill, liquidity
  // withdrawal eta 1 (w falls to w_min 0.1 once the first step's crash shows in the realised
  // volatility); a 20M-unit long at 10x. Its liquidation takes the book to the cap (mark
  // 1.8*(1 - 0.95) = 0.09); then w falls and, before the fix, the same imbalance meant ten times
  // the displacement: marks 0.09, -15.3, NaN, and the run ended with exit 0.
  Scenario sc =
      one_asset_replay({2.0, 1.8, 1.8, 1.8, 1.8, 1.8}, 60.0,
                       TierTable({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}, {25000, 10, 0.05, 0}}));
  auto& book = sc.assets[0].book;
  book.depth_1pct_usd = 1e5;
  book.beta = 1.0;
  book.tau_refill_s = 36000.0;
  book.eta = 1.0;
  book.w_min = 0.1;
  sc.positions = {PositionSpec{0, 0, 1, 2.0e7, 2.0, 4.0e6, false, 0}};
  const Replay r = run_replay(sc);
  for (int t = 1; t <= sc.steps; ++t) {
    CAPTURE(t);
    const double mark = r.ts.mark_price[static_cast<std::size_t>(t)];
    const double f = r.ts.index_price[static_cast<std::size_t>(t)];
    CHECK(std::isfinite(mark));
    CHECK(mark >= f * (1.0 - book.displacement_cap) * (1.0 - 1e-12));
    CHECK(mark <= f * (1.0 + book.displacement_cap) * (1.0 + 1e-12));
  }
  CHECK(r.out.min_depth_scale == doctest::Approx(0.1));
  // The book ran dry: the rest of the long is still in liquidation at the end, and reported.
  CHECK(r.out.unfilled_notional > 0.0);
  CHECK(r.out.pending_liquidation_notional > 0.0);
  CHECK(std::abs(r.out.conservation_residual) < 1e-6 * 4.0e7);
}

TEST_CASE("Engine.Replay.BeyondTheCapOnlyWhatTheBookFilledIsReportedAtItsVwap") {
  // Cap 0.5, depth 1e5, a 1e9-unit long, 2.0 -> 1.8. Before the fix the hedger "bought" the rest
  // at F*(1 - cap) and the position was reported fully liquidated at 0.9417, a price no book
  // produced, 86 % of it never in the book. Now the book fills up to the cap, at its VWAP
  // F*(1 - (2/3)*cap) for beta 2 (the integral of the square-root displacement), the rest waits.
  Scenario sc =
      one_asset_replay({2.0, 1.8, 1.8}, 60.0,
                       TierTable({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}, {25000, 10, 0.05, 0}}));
  auto& book = sc.assets[0].book;
  book.depth_1pct_usd = 1e5;
  book.displacement_cap = 0.5;
  book.tau_refill_s = 600.0;
  sc.output.events = true;
  sc.positions = {PositionSpec{0, 0, 1, 1.0e9, 2.0, 2.0e8, false, 0}};
  const Replay r = run_replay(sc);
  REQUIRE(!r.events.empty());
  const auto& first = r.events.front();
  CHECK(first.step == 1);
  const double q1 = 1e5 / 1.8;
  const double filled = q1 * std::pow(0.5 / 0.01, 2.0);  // the imbalance at the cap
  CHECK(first.size == doctest::Approx(filled).epsilon(1e-12));
  CHECK(first.fill_price == doctest::Approx(1.8 * (1.0 - 2.0 / 3.0 * 0.5)).epsilon(1e-12));
  CHECK(r.out.unfilled_notional == doctest::Approx((1.0e9 - filled) * 1.8 * 0.5).epsilon(1e-12));
  // Step 2: the book refilled by exp(-60/600); the rest is offered again and fills what came back.
  double later = 0.0;
  for (const auto& e : r.events) {
    CHECK(e.fill_price >= 1.8 * (1.0 - 0.5));  // never below what the book can produce
    if (e.step == 2) later += e.size;
  }
  CHECK(later == doctest::Approx(filled * (1.0 - std::exp(-0.1))).epsilon(1e-9));
  CHECK(r.out.liquidations == 1);  // one position, filled in parts
  CHECK(std::abs(r.out.conservation_residual) < 1e-6 * 2.0e9);
}

namespace {

/// VWAP of a sell of q > 0 base units from an empty beta-2 power-law book (MODEL.md section 3).
double sell_vwap(double f, double depth_usd, double q) {
  const double q1 = depth_usd / f;
  return f * (1.0 - 0.01 * q1 * (2.0 / 3.0) * std::pow(q / q1, 1.5) / q);
}

struct AdlRun {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  std::vector<AdlEvent> adl;
};

AdlRun run_adl(const Scenario& sc) {
  const RunPlan plan(sc);
  AdlRun r;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{nullptr, &r.events, &r.adl});
  r.out = e.run();
  return r;
}

/// A whale long of 100,000 AIX at 2.0 with 12,000 margin (BP 1.88) on a 5,000 USD book, the
/// index stepping to `f1`, exchange-style marks (the index, clamped), an empty fund, and one
/// profitable short of `short_size` at 2.1.
Scenario whale_on_index_marks(double f1, double short_size) {
  Scenario sc =
      one_asset_replay({2.0, f1, f1}, 60.0,
                       TierTable({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}, {25000, 10, 0.05, 0}}));
  sc.assets[0].book.depth_1pct_usd = 5000.0;
  sc.exchange.insurance_fund_usd = 0.0;
  sc.exchange.mark.kind = MarkKind::IndexBasis;
  sc.exchange.mark.clamp = 0.005;
  sc.accounts = {{"whale", std::nullopt}, {"short", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, 1, 100000.0, 2.0, 12000.0, false, 0},
                  PositionSpec{1, 0, -1, short_size, 2.1, 0.5 * short_size, false, 0}};
  return sc;
}

}  // namespace

TEST_CASE("Engine.Replay.AdlClosesAtTheBankruptcyPriceWhateverTheMark") {
  const double bp = 1.88;
  SUBCASE("the mark above BP (before: no ADL at all, 1,120 USD of bad debt)") {
    // The index falls to 1.95: the whale is liquidated (LP 1.972) and its fill in the thin book
    // is below BP, but the index-based mark is above BP, so the old sizing deficit / (BP - mark)
    // was negative and nothing was deleveraged.
    const AdlRun r = run_adl(whale_on_index_marks(1.95, 200000.0));
    const double v0 = sell_vwap(1.95, 5000.0, 100000.0);
    const double deficit = -(12000.0 + 100000.0 * (v0 - 2.0));
    REQUIRE(deficit > 0.0);
    CHECK(r.out.bad_debt == 0.0);
    REQUIRE(r.adl.size() == 1);
    CHECK(r.adl[0].position == 1);
    CHECK(r.adl[0].size == doctest::Approx(100000.0));
    CHECK(r.adl[0].price == doctest::Approx(bp).epsilon(1e-12));
    CHECK(r.adl[0].mark == doctest::Approx(1.95).epsilon(1e-12));
    CHECK(r.events.empty());  // the whole position went to the short, none through the book
    CHECK(r.out.adl_deficit_covered == doctest::Approx(deficit).epsilon(1e-12));
    // The short buys back at 1.88 with the mark at 1.95: 0.07 a unit better than the mark, so
    // no haircut; ADL covered the deficit at no cost to the winner against the mark.
    CHECK(r.out.adl_haircut == 0.0);
    CHECK(r.out.adl_overshoot == doctest::Approx(-deficit).epsilon(1e-12));
    CHECK(std::abs(r.out.conservation_residual) < 1e-6);
  }
  SUBCASE("the mark just below BP (before: five times the bankrupt position deleveraged)") {
    // The index falls to 1.879, a tenth of a cent under BP: deficit / (BP - mark) was 70 times
    // the position; only the counterparty's size (five times the position) stopped it.
    const AdlRun r = run_adl(whale_on_index_marks(1.879, 500000.0));
    double closed = 0.0;
    for (const auto& a : r.adl) {
      closed += a.size;
      CHECK(a.price == doctest::Approx(bp).epsilon(1e-12));
    }
    CHECK(closed == doctest::Approx(100000.0));  // at most the bankrupt position's size
    CHECK(r.out.bad_debt == 0.0);
    CHECK(std::abs(r.out.conservation_residual) < 1e-6);
  }
}

TEST_CASE("Engine.Replay.ACrossDeficitIsCarriedByTheLegsThatLost") {
  // A cross account long AIX (which falls 7.5 % on a thin book) and long BTC (bought at 95, at
  // 100 now: a winning leg, even after its slippage); an empty fund. Before the fix the deficit was
  // spread over both legs by notional and the BTC leg was deleveraged at V*(1 + D/N): a profitable
  // BTC short was closed at 142.95 while BTC traded at 99.96 and left with negative equity,
  // recorded nowhere. Now only the AIX leg is deleveraged, against AIX shorts; BTC shorts are
  // untouched.
  Scenario sc;
  sc.file = "replay";
  sc.steps = 2;
  sc.dt_s = 60.0;
  sc.exchange.insurance_fund_usd = 0.0;
  sc.assets = {aix_asset("AIX", 2.0, 5000.0), aix_asset("BTC", 100.0, 5.0e7)};
  sc.replay = ReplaySpec{"prices.csv", {{2.0, 100.0}, {1.85, 100.0}, {1.85, 100.0}}};
  sc.accounts = {{"fund", 12000.0}, {"aix_short", std::nullopt}, {"btc_short", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, 1, 100000.0, 2.0, 0.0, true, 0},
                  PositionSpec{0, 1, 1, 2000.0, 95.0, 0.0, true, 0},
                  PositionSpec{1, 0, -1, 200000.0, 2.1, 100000.0, false, 0},
                  PositionSpec{2, 1, -1, 1000.0, 101.0, 20000.0, false, 0}};
  const AdlRun r = run_adl(sc);
  REQUIRE(!r.adl.empty());
  for (const auto& a : r.adl) {
    CHECK(a.asset == 0);
    CHECK(a.position == 2);
    CHECK(a.bankrupt_position == 0);
  }
  // The BTC leg went through the BTC book; the BTC short was not touched.
  bool btc_leg_sold = false;
  for (const auto& e : r.events) btc_leg_sold = btc_leg_sold || e.position == 1;
  CHECK(btc_leg_sold);
  CHECK(r.out.bad_debt == doctest::Approx(0.0).epsilon(1e-9));
  CHECK(std::abs(r.out.conservation_residual) < 1e-6);
}

TEST_CASE("Engine.Replay.RoundsWithoutALiquidationAreNotCascadeDepth") {
  // A long that answers margin calls (top-up with probability 1) on a fall that calls it but
  // never liquidates it; and one that ignores them. Before the fix each call round counted as
  // cascade depth (depth 1 with ignored calls, up to 17 with reduce-only answers, with no
  // liquidation at all).
  for (const double top_up : {1.0, 0.0}) {
    CAPTURE(top_up);
    Scenario sc =
        one_asset_replay({2.0, 1.9, 1.87, 1.87}, 60.0,
                         TierTable({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}, {25000, 10, 0.05, 0}}));
    PopulationSpec pop;
    pop.count = 0;
    MarginCallSpec c;
    c.warning_ratio = 0.5;
    c.top_up_probability = top_up;
    pop.margin_call = c;
    sc.assets[0].population = pop;
    sc.positions = {PositionSpec{0, 0, 1, 1000.0, 2.0, 200.0, false, 0}};
    PositionBook book = build_initial_book(sc, 0);
    book.agent.set(0, PositionBook::kAnswersCalls);
    book.wallet.set(0, 200.0);
    const RunPlan plan(sc);
    Engine e(plan, std::move(book), 0, 0, 0);
    const PathOutcome o = e.run();
    CHECK(o.margin_calls >= 1);
    CHECK(o.liquidations == 0);
    CHECK(o.max_cascade_depth == 0);
    CHECK(o.agent_rounds == o.margin_calls);
  }
}

TEST_CASE("Engine.Replay.CrossCandidatesAreRankedOnTheirAccount") {
  // Two equal AIX shorts take the bankrupt whale: S1 isolated (10x), S2 cross, in an account whose
  // BIX long has lost most of the wallet. Binance ranks a cross position on its account: PnL
  // percent 15,000/50,000 x margin ratio 22,250/25,000 = 0.27 against S1's 0.21, so S2 goes
  // first. Before the fix a cross position was ranked on wallet / number of positions (25,000)
  // as if isolated, which put it last.
  Scenario sc;
  sc.file = "replay";
  sc.steps = 2;
  sc.dt_s = 60.0;
  sc.exchange.insurance_fund_usd = 0.0;
  sc.assets = {aix_asset("AIX", 2.0, 5000.0), aix_asset("BIX", 10.0, 1.0e8)};
  sc.replay = ReplaySpec{"prices.csv", {{2.0, 10.0}, {1.85, 9.0}, {1.85, 9.0}}};
  sc.accounts = {{"whale", std::nullopt}, {"s1", std::nullopt}, {"fund", 50000.0}};
  sc.positions = {PositionSpec{0, 0, 1, 100000.0, 2.0, 12000.0, false, 0},
                  PositionSpec{1, 0, -1, 60000.0, 2.1, 12600.0, false, 0},
                  PositionSpec{2, 0, -1, 60000.0, 2.1, 0.0, true, 0},
                  PositionSpec{2, 1, 1, 40000.0, 10.0, 0.0, true, 0}};
  const AdlRun r = run_adl(sc);
  REQUIRE(r.adl.size() == 2);
  CHECK(r.adl[0].position == 2);  // the cross short first
  CHECK(r.adl[0].size == doctest::Approx(60000.0));
  CHECK(r.adl[1].position == 1);
  CHECK(r.adl[1].size == doctest::Approx(40000.0));
  CHECK(std::abs(r.out.conservation_residual) < 1e-6);
}

TEST_CASE("Engine.Replay.DydxDeleveragesInAPseudoRandomOrder") {
  // dYdX deleverages "against randomly chosen offsetting positions". Twenty equal profitable
  // shorts, half of them needed: before the fix the first ten by index were taken (and a per-run
  // book is numbered by liquidation price, so the index order is the leverage order).
  Scenario sc = one_asset_replay({2.0, 1.85, 1.85}, 60.0, TierTable({{0, 20, 0.03, 0}}));
  sc.exchange.profile = "dydx";
  sc.assets[0].book.depth_1pct_usd = 5000.0;
  sc.exchange.insurance_fund_usd = 0.0;
  sc.positions = {PositionSpec{0, 0, 1, 100000.0, 2.0, 12000.0, false, 0}};
  for (int j = 0; j < 20; ++j) {
    sc.accounts.push_back({"s" + std::to_string(j), std::nullopt});
    sc.positions.push_back(PositionSpec{j + 1, 0, -1, 10000.0, 2.1, 2000.0, false, 0});
  }
  const AdlRun r = run_adl(sc);
  REQUIRE(r.adl.size() == 10);
  std::vector<std::int64_t> taken;
  for (const auto& a : r.adl) taken.push_back(a.position);
  std::vector<std::int64_t> lowest(10);
  for (int j = 0; j < 10; ++j) lowest[static_cast<std::size_t>(j)] = j + 1;
  std::vector<std::int64_t> sorted = taken;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted != lowest);
  // Reproducible: the same path draws the same order.
  const AdlRun again = run_adl(sc);
  REQUIRE(again.adl.size() == 10);
  for (std::size_t j = 0; j < 10; ++j) CHECK(again.adl[j].position == taken[j]);
}
