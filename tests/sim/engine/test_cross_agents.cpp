// Cross-margin accounts with the agents' behaviour (MODEL.md sections 4 and 7; docs/agents.md):
// account-level margin calls on the margin ratio MM / equity, answered from the account's wallet
// or by reducing every leg; stop-losses per leg; arriving positions joining cross accounts; the
// account's levels in /positions/initial. Every expected number is computed by hand below.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "models/power_law_book.hpp"
#include "sim/book/cross_levels.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

/// AIX (tiers 20x/2 %, 15x/2.5 % from 5,000, 10x/5 % from 25,000 USD) and BIX, driven by a
/// replay of (AIX, BIX) rows; books deep enough that a mark is the index unless orders trade.
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

MarginCallSpec answers(double top_up, double reduce, double ratio = 0.5) {
  MarginCallSpec c;
  c.warning_ratio = ratio;
  c.top_up_probability = top_up;
  c.top_up_amount = 0.5;
  c.wallet = 1.0;
  c.reduce_probability = reduce;
  c.reduce_fraction = 0.5;
  return c;
}

/// The fund: one cross leg, long 10,000 AIX at 2.0, on a wallet of 3,000 USD. Its notional
/// 10,000 P is in the second tier (mmr 2.5 %, cum 25) for P in [0.5, 2.5), so
///   equity(P) = 3000 + 10000 (P - 2) = 10000 P - 17000,  MM(P) = 250 P - 25,
/// the margin call (MM >= 0.5 equity) at P <= 8475/4750 = 1.78421 and the liquidation
/// (equity < MM) at P < 16975/9750 = 1.74103.
Scenario fund(std::vector<double> aix, const MarginCallSpec& call, double top_up_wallet) {
  std::vector<std::vector<double>> rows;
  for (double p : aix) rows.push_back({p, 10.0});
  Scenario sc = two_assets(rows);
  sc.accounts = {{"fund", 3000.0}};
  sc.account_agents = {AgentSpec{std::numeric_limits<double>::quiet_NaN(), call, top_up_wallet}};
  sc.positions = {PositionSpec{0, 0, 1, 10000.0, 2.0, 0.0, true, 0}};
  return sc;
}

double fresh_vwap(const AssetSpec& a, double f, double q) {
  PowerLawBook book(a.book, f);
  return book.execute(q).vwap;
}

}  // namespace

TEST_CASE("Agents.CrossCall.TopUpsFromTheAccountWalletThenIgnoreThenLiquidation") {
  // 1.78: called (ratio 420/800 = 0.525), tops up 0.5 x 3000 = 1500 -> wallet 4500; call now at
  //   P <= 7725/4750 = 1.62632, liquidation at 15475/9750 = 1.58718.
  // 1.70: would have liquidated the old wallet (1.70 < 1.74103): the account survives.
  // 1.62: called again; 0.5 x 4500 = 2250 capped by the 1500 left -> wallet 6000; call at
  //   P <= 6975/4750 = 1.46842, liquidation at 13975/9750 = 1.43333.
  // 1.45: called with nothing left to add: ignored. 1.42: liquidated (equity 200 < MM 330).
  const Scenario sc = fund({2.0, 1.78, 1.70, 1.62, 1.45, 1.42}, answers(1.0, 0.0), 3000.0);
  const RunPlan plan(sc);
  std::vector<LiquidationEvent> events;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{nullptr, &events, nullptr});
  e.step(1);
  CHECK(e.cross_accounts()[0].wallet == doctest::Approx(4500.0).epsilon(1e-14));
  CHECK(e.cross_accounts()[0].top_up_left == doctest::Approx(1500.0).epsilon(1e-14));
  e.step(2);
  CHECK(e.positions().open[0] == PositionBook::kOpen);
  CHECK(e.outcome().margin_calls == 1);
  e.step(3);
  CHECK(e.cross_accounts()[0].wallet == doctest::Approx(6000.0).epsilon(1e-14));
  CHECK(e.cross_accounts()[0].top_up_left == 0.0);
  e.step(4);
  CHECK(e.cross_accounts()[0].ignored_call);
  CHECK(e.positions().open[0] == PositionBook::kOpen);
  CHECK(events.empty());
  e.step(5);
  CHECK(e.positions().open[0] == PositionBook::kClosed);
  REQUIRE(events.size() == 1);
  CHECK(events[0].step == 5);
  // The leg's bankruptcy price at the liquidation: equity 200 over 10,000 units below the mark.
  CHECK(events[0].bankruptcy_price == doctest::Approx(1.42 - 200.0 / 10000.0).epsilon(1e-12));
  const PathOutcome o = e.outcome();
  CHECK(o.margin_calls == 3);
  CHECK(o.top_ups == 2);
  CHECK(o.top_up_usd == doctest::Approx(3000.0).epsilon(1e-14));
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 20000.0);  // the top-ups are deposits
}

TEST_CASE("Agents.CrossCall.WithoutABehaviourTheAccountIsOnlyLiquidated") {
  // The same path without margin-call columns: liquidated at 1.70 (equity 0 < MM 400).
  Scenario sc = fund({2.0, 1.78, 1.70}, answers(1.0, 0.0), 3000.0);
  sc.account_agents[0].margin_call.reset();
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0);
  const PathOutcome o = e.run();
  CHECK(o.margin_calls == 0);
  CHECK(o.liquidations == 1);
}

TEST_CASE("Agents.CrossCall.ReduceClosesTheFractionOfEveryLegInTheRound") {
  // Called at 1.78, the fund sells half its leg (5,000 AIX) into the round's book at its VWAP V
  // from the index 1.78: the wallet takes the realised 5000 (V - 2); the rest stays open and,
  // with equity 3000 + 5000 (V - 2) + 5000 (M - 2) against MM 5000 M 0.025 - 25 at the mid M
  // after the sale (about 770 against 197), is out of the call zone: one reduce.
  const Scenario sc = fund({2.0, 1.78}, answers(0.0, 1.0), 0.0);
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0);
  e.step(1);
  const double v = fresh_vwap(sc.assets[0], 1.78, -5000.0);
  CHECK(e.positions().size[0] == doctest::Approx(5000.0).epsilon(1e-14));
  CHECK(e.cross_accounts()[0].wallet == doctest::Approx(3000.0 + 5000.0 * (v - 2.0)).epsilon(1e-12));
  const PathOutcome o = e.outcome();
  CHECK(o.margin_calls == 1);
  CHECK(o.reduces == 1);
  CHECK(o.reduce_notional == doctest::Approx(5000.0 * v).epsilon(1e-12));
  CHECK(o.liquidations == 0);
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 20000.0);
}

TEST_CASE("Agents.CrossStop.ALegStopsAloneAndTheAccountKeepsTheRest") {
  // The fund is long 1,000 AIX at 2.0 (stop 1.9) and long 100 BIX at 10 on a wallet of 1,000.
  // AIX 1.89: the AIX leg's stop sells 1,000 at the book's VWAP V from 1.89; the wallet takes
  // 1000 (V - 2); the BIX leg stays, and the account's equity no longer counts the AIX leg.
  Scenario sc = two_assets({{2.0, 10.0}, {1.89, 10.0}, {1.80, 10.2}});
  sc.accounts = {{"fund", 1000.0}};
  sc.positions = {PositionSpec{0, 0, 1, 1000.0, 2.0, 0.0, true, 0},
                  PositionSpec{0, 1, 1, 100.0, 10.0, 0.0, true, 0}};
  sc.position_agents.resize(2);
  sc.position_agents[0].stop_usd = 1.9;
  const RunPlan plan(sc);
  PositionBook book = build_initial_book(sc, 0);
  CHECK(book.stop_price[0] == 1.9);
  Engine e(plan, std::move(book), 0, 0, 0);
  e.step(1);
  const double v = fresh_vwap(sc.assets[0], 1.89, -1000.0);
  CHECK(e.positions().open[0] == PositionBook::kClosed);
  CHECK(e.positions().open[1] == PositionBook::kOpen);
  CHECK(e.cross_accounts()[0].wallet == doctest::Approx(1000.0 + 1000.0 * (v - 2.0)).epsilon(1e-12));
  e.step(2);
  const std::vector<double> marks{e.mark(0), e.mark(1)};
  CHECK(e.cross_accounts().equity(0, e.positions(), marks) ==
        doctest::Approx(1000.0 + 1000.0 * (v - 2.0) + 100.0 * (10.2 - 10.0)).epsilon(1e-12));
  const PathOutcome o = e.outcome();
  CHECK(o.stops == 1);
  CHECK(o.stop_notional == doctest::Approx(1000.0 * v).epsilon(1e-12));
  CHECK(o.liquidations == 0);
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 3000.0);
}

TEST_CASE("Agents.CrossStop.SampledCrossPositionsKeepTheirStops") {
  Scenario sc = sampled_shock(1);
  for (auto& a : sc.assets) {
    a.population->cross_share = 1.0;
    a.population->stop_share = 1.0;
  }
  sc.cross_accounts = 10;
  const PositionBook book = build_initial_book(sc, 7);
  REQUIRE(book.count() > 0);
  for (std::size_t i = 0; i < book.count(); ++i) {
    CHECK(book.cross[i] == 1);
    CHECK(std::isfinite(book.stop_price[i]));
  }
}

TEST_CASE("Agents.CrossCall.SampledAccountsAnswerOnTheirMarginRatio") {
  // population.cross_margin_call: every sampled cross account tops up from a wallet of 1 x its
  // start wallet. On the shock path the accounts are called, top up (deposits balance the
  // ledger), and no open account is left below maintenance (the invariants run in ctest).
  Scenario sc = sampled_shock(1);
  for (auto& a : sc.assets) a.population->cross_share = 1.0;
  sc.cross_accounts = 20;
  Scenario called = sc;
  called.cross_margin_call = answers(1.0, 0.0, 0.3);
  const RunPlan plan(sc), plan_called(called);
  Engine e(plan, build_initial_book(sc, 3), 4, 0, 0), ec(plan_called, build_initial_book(called, 3), 4, 0, 0);
  const PathOutcome o = e.run(), oc = ec.run();
  CHECK(o.margin_calls == 0);
  CHECK(oc.margin_calls > 0);
  CHECK(oc.top_ups > 0);
  CHECK(oc.top_up_usd > 0.0);
  CHECK(oc.liquidated_notional < o.liquidated_notional);  // top-ups save some accounts
  CHECK(std::abs(oc.conservation_residual) < 1e-6);
}

TEST_CASE("Agents.CrossArrivals.JoinTheSampledCrossAccounts") {
  Scenario sc = sampled_shock(1);
  for (auto& a : sc.assets) {
    a.population->count = 20;
    a.population->arrivals_per_day = 4000.0;
    a.population->arrival_cross_share = 1.0;
  }
  sc.cross_accounts = 5;
  const RunPlan plan(sc);
  const PositionBook start = build_initial_book(sc, 3);
  Engine e(plan, start, 4, 0, 0);
  const PathOutcome o = e.run();
  REQUIRE(o.arrivals > 0);
  const auto& pos = e.positions();
  const std::int32_t first = first_cross_account(sc);
  std::size_t joined = 0;
  for (std::size_t i = start.count(); i < pos.count(); ++i) {
    CHECK(pos.cross[i] == 1);
    CHECK(pos.account[i] >= first);
    CHECK(pos.account[i] < first + sc.cross_accounts);
    CHECK(pos.margin[i] == 0.0);
    ++joined;
  }
  CHECK(joined == static_cast<std::size_t>(o.arrivals));
  // Their margins went into the accounts' wallets as deposits: the ledger balances.
  CHECK(std::abs(o.conservation_residual) < 1e-6);
  CHECK(account_names(sc).size() == static_cast<std::size_t>(first + sc.cross_accounts));

  // Without the key arrivals stay isolated.
  Scenario iso = sc;
  for (auto& a : iso.assets) a.population->arrival_cross_share = 0.0;
  const RunPlan plan_iso(iso);
  Engine ei(plan_iso, build_initial_book(iso, 3), 4, 0, 0);
  ei.run();
  for (std::size_t i = start.count(); i < ei.positions().count(); ++i) CHECK(ei.positions().cross[i] == 0);
}

TEST_CASE("Results.InitialPositions.CrossLegsCarryTheirAccountLevels") {
  // /positions/initial shows a cross leg at its account's liquidation and bankruptcy prices,
  // the numbers of `cascade levels --csv`. The fund above: LP 16975/9750, BP 2 - 3000/10000.
  const Scenario sc = fund({2.0, 1.9}, answers(1.0, 0.0), 0.0);
  RunResults results;
  describe_initial_book(sc, 0, results);
  REQUIRE(results.initial_positions.size() == 1);
  CHECK(results.initial_positions[0].liquidation_price == doctest::Approx(16975.0 / 9750.0).epsilon(1e-12));
  CHECK(results.initial_positions[0].bankruptcy_price == doctest::Approx(1.7).epsilon(1e-14));
  const PositionBook book = build_initial_book(sc, 0);
  auto rows = describe_positions(book);
  fill_cross_levels(RunPlan(sc), book, {2.0, 10.0}, rows);
  CHECK(rows[0].liquidation_price == results.initial_positions[0].liquidation_price);
  CHECK(rows[0].bankruptcy_price == results.initial_positions[0].bankruptcy_price);
}

TEST_CASE("Agents.CrossCall.ALegReducedInTheRoundIsNotDeleveraged") {
  // The fund: long 10,000 AIX at 2.0 and short 1,000 BIX at 10 on a wallet of 2,200. AIX 1.78 and
  // BIX 9.0 in one step: equity 2200 - 2200 + 1000 = 1000, MM 420 + 200 = 620, margin ratio
  // 0.62 >= 0.5: called (not liquidated), it reduces both legs in round 1. In the same round a
  // whale long of 100,000 BIX at 10 on 100,000 (LP 9.467, BP 9.0) is liquidated on a thin book
  // below its bankruptcy price with an empty fund. The fund's BIX short is the only profitable
  // short: with its reduce in the round ADL must skip it (bad debt); without the call behaviour
  // it takes the whale's position at 9.0.
  Scenario sc = two_assets({{2.0, 10.0}, {1.78, 9.0}});
  sc.assets[1].book.depth_1pct_usd = 50000.0;
  sc.exchange.insurance_fund_usd = 0.0;
  sc.accounts = {{"fund", 2200.0}, {"whale", std::nullopt}};
  sc.account_agents = {AgentSpec{std::numeric_limits<double>::quiet_NaN(), answers(0.0, 1.0), 0.0}};
  sc.positions = {PositionSpec{0, 0, 1, 10000.0, 2.0, 0.0, true, 0}, PositionSpec{0, 1, -1, 1000.0, 10.0, 0.0, true, 0},
                  PositionSpec{1, 1, 1, 100000.0, 10.0, 100000.0, false, 0}};
  const auto run = [](const Scenario& s) {
    const RunPlan plan(s);
    std::vector<AdlEvent> adl;
    Engine e(plan, build_initial_book(s, 0), 0, 0, 0, PathSinks{nullptr, nullptr, &adl});
    e.step(1);
    return std::pair(e.outcome(), adl);
  };
  const auto [called, called_adl] = run(sc);
  CHECK(called.margin_calls == 1);
  CHECK(called.reduces == 1);
  CHECK(called.liquidations == 1);  // the whale
  CHECK(called_adl.empty());
  CHECK(called.bad_debt > 0.0);

  Scenario quiet = sc;
  quiet.account_agents.clear();
  const auto [plain, plain_adl] = run(quiet);
  CHECK(plain.margin_calls == 0);
  REQUIRE(!plain_adl.empty());
  CHECK(plain_adl.front().position == 1);
  CHECK(plain_adl.front().price == doctest::Approx(9.0).epsilon(1e-12));
}
