// Agents in the step loop (MODEL.md section 7; docs/agents.md): stop-losses and margin calls as
// threshold events of the cascade, token unlocks sold as TWAPs, panic sellers and dip buyers,
// arriving positions, funding through the index, and the wealth ledger across all of them.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "models/power_law_book.hpp"
#include "sim/engine/engine.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

/// One asset AIX (tiers 20x/2 % up to 5,000 USD) driven by a replay of `prices`.
Scenario one_asset(std::vector<double> prices, double depth_1pct = 200000.0) {
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

PositionSpec position(int account, int side, double size, double entry, double margin) {
  return PositionSpec{account, 0, side, size, entry, margin, false, 0};
}

/// The VWAP of a market order q (base units) on a fresh power-law book of the asset at index f.
double fresh_vwap(const AssetSpec& a, double f, double q) {
  PowerLawBook book(a.book, f);
  return book.execute(q).vwap;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// A population block that only answers margin calls (no sampled positions of its own).
PopulationSpec calls_only(double top_up, double reduce, double amount = 0.5, double wallet = 1.0) {
  PopulationSpec pop;
  pop.count = 0;
  MarginCallSpec c;
  c.warning_ratio = 0.5;
  c.top_up_probability = top_up;
  c.top_up_amount = amount;
  c.wallet = wallet;
  c.reduce_probability = reduce;
  c.reduce_fraction = 0.5;
  pop.margin_call = c;
  return pop;
}

}  // namespace

TEST_CASE("Agents.Stop.FiresAtTheMarkAndFillsAtTheRoundPrice") {
  Scenario sc = one_asset({2.0, 1.95, 1.89, 1.89});
  sc.accounts = {{"a", std::nullopt}, {"b", std::nullopt}};
  sc.positions = {position(0, 1, 1000.0, 2.0, 400.0), position(1, -1, 1000.0, 2.0, 400.0)};
  PositionBook book = build_initial_book(sc, 0);
  book.stop_price.set(0, 1.9);  // long: sells when the mark falls to 1.9
  book.stop_price.set(1, 2.1);  // short: never reached
  const RunPlan plan(sc);
  Engine e(plan, std::move(book), 0, 0, 0);
  e.step(1);
  CHECK(e.positions().open[0] == 1);
  e.step(2);
  CHECK(e.positions().open[0] == 0);
  CHECK(e.positions().open[1] == 1);
  e.step(3);
  const PathOutcome o = e.outcome();
  CHECK(o.stops == 1.0);
  CHECK(o.liquidations == 0.0);
  // Sold in step 2 on a book refilled to the index 1.89: exactly the book's VWAP for 1000 units.
  CHECK(o.stop_notional == doctest::Approx(1000.0 * fresh_vwap(sc.assets[0], 1.89, -1000.0)).epsilon(1e-12));
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 4000.0);
}

TEST_CASE("Agents.Stop.LiquidationTakesPrecedenceInTheSameRound") {
  // The index gaps from 2.0 to 1.5, past both the stop (1.7) and the liquidation price (1.63).
  Scenario sc = one_asset({2.0, 1.5, 1.5});
  sc.accounts = {{"a", std::nullopt}};
  sc.positions = {position(0, 1, 1000.0, 2.0, 400.0)};
  PositionBook book = build_initial_book(sc, 0);
  REQUIRE(book.liquidation_price[0] > 1.5);
  REQUIRE(book.liquidation_price[0] < 1.7);
  book.stop_price.set(0, 1.7);
  const RunPlan plan(sc);
  Engine e(plan, std::move(book), 0, 0, 0);
  const PathOutcome o = e.run();
  CHECK(o.liquidations == 1.0);
  CHECK(o.stops == 0.0);
}

TEST_CASE("Agents.MarginCall.TopUpsUntilTheWalletIsEmptyThenIgnore") {
  // Long 1000 at 2.0 with 200 margin (10x), tier mmr 2 %, warning at margin ratio 0.5:
  // call price (0.5*(2000 - m))/(1000*0.48), liquidation price (2000 - m)/980.
  const double m0 = 200.0;
  auto call_price = [](double m) { return (1000.0 - 0.5 * m) / 480.0; };
  auto liq_price = [](double m) { return (2000.0 - m) / 980.0; };
  REQUIRE(call_price(m0) == doctest::Approx(1.875));
  // 1.87: first call, +100 (half the margin); 1.80 would have liquidated the old margin;
  // 1.76: second call, +100 (what is left of the wallet, 1 x the initial margin);
  // 1.66: third call with an empty wallet: ignored; 1.62: liquidated at LP(400) = 1.633.
  Scenario sc = one_asset({2.0, 1.87, 1.80, 1.76, 1.70, 1.66, 1.62});
  sc.assets[0].population = calls_only(1.0, 0.0);
  sc.accounts = {{"a", std::nullopt}};
  sc.positions = {position(0, 1, 1000.0, 2.0, m0)};
  PositionBook book = build_initial_book(sc, 0);
  book.agent.set(0, PositionBook::kAnswersCalls);
  book.wallet.set(0, m0);
  const RunPlan plan(sc);
  Engine e(plan, std::move(book), 0, 0, 0);
  e.step(1);
  CHECK(e.settled_margin(0) == doctest::Approx(300.0));
  CHECK(e.current_liquidation_price(0) == doctest::Approx(liq_price(300.0)));
  e.step(2);
  CHECK(e.positions().open[0] == 1);
  CHECK(1.80 < liq_price(m0));  // without the top-up it would be gone
  e.step(3);
  CHECK(e.settled_margin(0) == doctest::Approx(400.0));
  CHECK(e.positions().wallet[0] == doctest::Approx(0.0));
  e.step(4);
  CHECK(call_price(400.0) < 1.70);
  e.step(5);
  CHECK(e.positions().open[0] == 1);
  CHECK((e.positions().agent[0] & PositionBook::kIgnoredCall) != 0);
  e.step(6);
  CHECK(e.positions().open[0] == 0);
  const PathOutcome o = e.outcome();
  CHECK(o.margin_calls == 3.0);
  CHECK(o.top_ups == 2.0);
  CHECK(o.top_up_usd == doctest::Approx(200.0));
  CHECK(o.liquidations == 1.0);
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 2000.0);
}

TEST_CASE("Agents.MarginCall.ReduceSellsIntoTheRound") {
  Scenario sc = one_asset({2.0, 1.87, 1.87});
  sc.assets[0].population = calls_only(0.0, 1.0);
  sc.accounts = {{"a", std::nullopt}};
  sc.positions = {position(0, 1, 1000.0, 2.0, 200.0)};
  PositionBook book = build_initial_book(sc, 0);
  book.agent.set(0, PositionBook::kAnswersCalls);
  const RunPlan plan(sc);
  Engine e(plan, std::move(book), 0, 0, 0);
  e.step(1);
  const double v = fresh_vwap(sc.assets[0], 1.87, -500.0);
  CHECK(e.positions().size[0] == doctest::Approx(500.0));
  // The closed half's PnL is settled into the margin, which stays: the margin ratio halves.
  CHECK(e.settled_margin(0) == doctest::Approx(200.0 + 500.0 * (v - 2.0)).epsilon(1e-12));
  e.step(2);
  const PathOutcome o = e.outcome();
  CHECK(o.reduces == 1.0);
  CHECK(o.reduce_notional == doctest::Approx(500.0 * v).epsilon(1e-12));
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 2000.0);
}

TEST_CASE("Agents.MarginCall.AnswersFollowTheirProbabilities") {
  // Thousands of 10x-20x longs; a 12 % fall sends most of them their calls. Each call is one draw:
  // top-up with probability 0.3, reduce 0.25, ignore the rest (wallets never run dry here).
  Scenario sc = sampled_shock(1);
  sc.assets.resize(1);
  sc.shocks[0].assets = {0};
  sc.shocks[0].move = -0.12;
  auto& pop = *sc.assets[0].population;
  pop.count = 6000;
  pop.long_share = 1.0;
  pop.margin_call = calls_only(0.3, 0.25, 0.5, 100.0).margin_call;
  pop.margin_call->warning_ratio = 0.6;
  sc.output.events = false;
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 17), 23, 0, 0);
  const PathOutcome o = e.run();
  const auto n = static_cast<double>(o.margin_calls);
  REQUIRE(n > 1000.0);
  auto within = [n](double count, double p) {
    CAPTURE(count);
    CAPTURE(p);
    CHECK(std::abs(count - n * p) <= 5.0 * std::sqrt(n * p * (1.0 - p)));
  };
  within(static_cast<double>(o.top_ups), 0.3);
  within(static_cast<double>(o.reduces), 0.25);
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 6000.0 * 1500.0 * 10.0);
}

TEST_CASE("Agents.Unlock.TwapVolumesAndSupplyAreExact") {
  // 5 % of a 1e8 supply unlocked at t = 600 s (step 11), 60 % of it sold evenly over 1800 s:
  // 100,000 tokens in each of steps 11..40.
  Scenario sc = one_asset(std::vector<double>(51, 2.0));
  sc.assets[0].supply = 1e8;
  UnlockSpec u;
  u.asset = 0;
  u.at_s = 600.0;
  u.fraction_of_supply = 0.05;
  u.sell_fraction = 0.6;
  u.sell_over_s = 1800.0;
  sc.unlocks = {u};
  const RunPlan plan(sc);
  PathTimeseries ts;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{&ts, nullptr});
  for (int t = 1; t <= sc.steps; ++t) {
    e.step(t);
    CAPTURE(t);
    const double supply = t < 11 ? 1e8 : 1.05e8;
    CHECK(e.circulating_supply(0) == supply);
    CHECK(ts.circulating_supply[static_cast<std::size_t>(t)] == supply);
    const double sold = t < 11 ? 0.0 : 1e5 * std::min(t - 10, 30);
    CHECK(e.unlock_holders()[0].tokens == doctest::Approx((t < 11 ? 0.0 : 5e6) - sold).epsilon(1e-12));
    if (t >= 11 && t <= 40) CHECK(ts.flow_notional[static_cast<std::size_t>(t)] < 0.0);
    if (t > 40) CHECK(ts.flow_notional[static_cast<std::size_t>(t)] == 0.0);
  }
  const PathOutcome o = e.outcome();
  CHECK(o.unlock_sold_notional == doctest::Approx(e.unlock_holders()[0].cash).epsilon(1e-15));
  CHECK(o.unlock_sold_notional < 3e6 * 2.0);  // sold below the index, into the bid
  CHECK(o.unlock_sold_notional > 3e6 * 2.0 * 0.9);
  // The unlocked tokens are new wealth, valued at the mark: explained, not a residual.
  CHECK(std::abs(o.conservation_residual) < 1e-6);
}

TEST_CASE("Agents.Unlock.PreDriftIsAScheduledShockBeforeTheUnlock") {
  Scenario sc = one_asset(std::vector<double>(41, 2.0));
  sc.replay.reset();
  sc.assets[0].supply = 1e8;
  UnlockSpec u;
  u.asset = 0;
  u.at_s = 1200.0;
  u.fraction_of_supply = 0.05;
  u.pre_drift = -0.06;
  u.pre_drift_over_s = 600.0;  // steps 11..20
  sc.unlocks = {u};
  const RunPlan plan(sc);
  double total = 0.0;
  for (int t = 1; t <= sc.steps; ++t) {
    const double part = plan.shock(t, 0);
    CHECK(part == doctest::Approx(t > 10 && t <= 20 ? std::log1p(-0.06) / 10.0 : 0.0));
    total += part;
  }
  CHECK(total == doctest::Approx(std::log1p(-0.06)));
}

TEST_CASE("Agents.Flows.PanicSellersAndDipBuyersFollowTheDrawdown") {
  // A book deep enough that the flows do not move the mark (mark = index to 1e-14): each step's
  // order is rate*dt/3600*intensity/mark, intensity = (drawdown - 5 %)/(25 % - 5 %) in [0, 1].
  const std::vector<double> prices = {2.0, 1.9, 1.8, 1.6, 1.4, 1.5, 2.0};
  Scenario sc = one_asset(prices, 1e15);
  sc.assets[0].book.beta = 1.0;  // linear impact: 1e-14 of the price for these orders
  FlowSpec panic;
  panic.kind = FlowKind::PanicSell;
  panic.assets = {0};
  panic.drawdown = 0.05;
  panic.full_drawdown = 0.25;
  panic.rate_usd_per_hour = 36000.0;  // 600 USD per 60 s step at full intensity
  panic.budget_usd = 1e6;
  FlowSpec dip = panic;
  dip.kind = FlowKind::DipBuy;
  dip.drawdown = 0.15;
  dip.full_drawdown = 0.35;
  sc.flows = {panic, dip};
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0);
  double sold = 0.0, bought = 0.0, peak = 2.0;
  for (int t = 1; t <= sc.steps; ++t) {
    e.step(t);
    const double p = prices[static_cast<std::size_t>(t)];
    const double dd = 1.0 - p / peak;
    sold += 600.0 * std::clamp((dd - 0.05) / 0.2, 0.0, 1.0) / p;
    bought += 600.0 * std::clamp((dd - 0.15) / 0.2, 0.0, 1.0) / p;
    peak = std::max(peak, p);
    CAPTURE(t);
    CHECK(e.flow_holders()[0].tokens == doctest::Approx(1e6 / 2.0 - sold).epsilon(1e-9));
    CHECK(e.flow_holders()[1].tokens == doctest::Approx(bought).epsilon(1e-9));
  }
  CHECK(sold > 0.0);
  CHECK(bought > 0.0);
  const PathOutcome o = e.outcome();
  CHECK(o.panic_sold_notional > 0.0);
  CHECK(o.dip_bought_notional > 0.0);
  // The panic sellers' tokens held at the start are revalued at the mark: explained.
  CHECK(std::abs(o.conservation_residual) < 1e-6);
}

TEST_CASE("Agents.Arrivals.PoissonRateAndOpenInterestRebuilds") {
  Scenario sc = one_asset(std::vector<double>(289, 2.0));
  sc.dt_s = 300.0;  // one day
  PopulationSpec pop;
  pop.count = 0;
  pop.arrivals_per_day = 20000.0;
  pop.notional_median_usd = 1000.0;
  sc.assets[0].population = pop;
  const RunPlan plan(sc);
  PathTimeseries ts;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{&ts, nullptr});
  const PathOutcome o = e.run();
  CHECK(std::abs(static_cast<double>(o.arrivals) - 20000.0) <= 5.0 * std::sqrt(20000.0));
  CHECK(e.positions().count() == static_cast<std::size_t>(o.arrivals));
  // Opened at the mark (the book is untouched: the mark is the index), against the hedger.
  for (std::size_t i = 0; i < e.positions().count(); i += 997) CHECK(e.positions().entry[i] == 2.0);
  CHECK(ts.open_interest[100] > 0.0);
  CHECK(ts.open_interest[288] > ts.open_interest[100]);
  // The new margins came from outside: explained, not a residual.
  CHECK(std::abs(o.conservation_residual) < 1e-9 * o.arrival_notional);
}

TEST_CASE("Agents.Funding.IndexLiquidatesWhenTheFundingAlonePushesThroughTheThreshold") {
  // A quiet book; longs pay 1 % of the mark every 2 steps. The 10x long's margin falls by 20 USD
  // per interval; it is liquidated in the first step where 200 - 20*j <= MM = 1000*2*0.02 = 40:
  // after 8 intervals, at step 16 (the liquidation is at the start of the next step's rounds).
  Scenario sc = one_asset(std::vector<double>(25, 2.0));
  sc.exchange.funding.enabled = true;
  sc.exchange.funding.interval_s = 120.0;
  sc.exchange.funding.interest = 0.01 * 8.0 * 3600.0 / 120.0;  // 1 % per interval
  sc.exchange.funding.interest_clamp = 10.0;
  sc.exchange.funding.cap = 1.0;
  sc.accounts = {{"l", std::nullopt}, {"s", std::nullopt}};
  sc.positions = {position(0, 1, 1000.0, 2.0, 200.0), position(1, -1, 1000.0, 2.0, 1000.0)};
  const RunPlan plan(sc);
  std::vector<LiquidationEvent> events;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{nullptr, &events});
  for (int t = 1; t <= 16; ++t) e.step(t);
  CHECK(e.settled_margin(0) == doctest::Approx(200.0 - 8 * 20.0));
  CHECK(e.settled_margin(1) == doctest::Approx(1000.0 + 8 * 20.0));
  CHECK(events.empty());
  for (int t = 17; t <= sc.steps; ++t) e.step(t);
  const PathOutcome o = e.outcome();
  REQUIRE(events.size() == 1);
  CHECK(events[0].position == 0);
  CHECK(events[0].step == 17);
  CHECK(std::abs(o.conservation_residual) < 1e-9 * 4000.0);
}

namespace {

/// Every agent at once on two sampled assets, with funding and cross accounts.
Scenario everything(int paths) {
  Scenario sc = sampled_shock(paths);
  sc.exchange.funding.enabled = true;
  sc.exchange.funding.interval_s = 1800.0;
  sc.assets[0].supply = 5e7;
  sc.cross_accounts = 20;
  for (auto& a : sc.assets) {
    auto& pop = *a.population;
    pop.cross_share = 0.1;
    pop.stop_share = 0.3;
    pop.stop_distance = 0.04;
    pop.stop_dispersion = 0.3;
    pop.arrivals_per_day = 3000.0;
    pop.margin_call = calls_only(0.3, 0.3, 0.5, 1.0).margin_call;
    pop.margin_call->warning_ratio = 0.7;
  }
  UnlockSpec u;
  u.asset = 0;
  u.at_s = 1500.0;
  u.fraction_of_supply = 0.05;
  u.sell_fraction = 0.5;
  u.sell_over_s = 3600.0;
  sc.unlocks = {u};
  FlowSpec panic;
  panic.assets = {0, 1};
  panic.drawdown = 0.03;
  panic.full_drawdown = 0.15;
  panic.volatility_sensitivity = 1.0;
  panic.rate_usd_per_hour = 2e5;
  panic.budget_usd = 1e6;
  FlowSpec dip = panic;
  dip.kind = FlowKind::DipBuy;
  dip.drawdown = 0.08;
  sc.flows = {panic, dip};
  return sc;
}

}  // namespace

TEST_CASE("Agents.Conservation.EveryAgentAtOnce") {
  const Scenario sc = everything(1);
  const RunPlan plan(sc);
  for (std::uint64_t seed : {1, 2, 3}) {
    Engine e(plan, build_initial_book(sc, seed), seed, 0, 0);
    const PathOutcome o = e.run();
    CAPTURE(seed);
    CHECK(o.liquidations > 0.0);
    CHECK(o.stops > 0.0);
    CHECK(o.margin_calls > 0.0);
    CHECK(o.arrivals > 0.0);
    CHECK(o.unlock_sold_notional > 0.0);
    CHECK(o.panic_sold_notional > 0.0);
    double oi = 0.0;
    const auto& b = e.positions();
    for (std::size_t i = 0; i < b.count(); ++i) oi += b.size[i] * b.entry[i];
    CHECK(std::abs(o.conservation_residual) <= 1e-9 * oi);
  }
}

TEST_CASE("Agents.StartBook.SharedStartEqualsOwnBookAndStaysUntouched") {
  const Scenario sc = everything(1);
  const RunPlan plan(sc);
  const PositionBook book = build_initial_book(sc, 5);
  const auto shared = std::make_shared<const StartBook>(make_start_book(plan, book, true));
  const PathOutcome own = Engine(plan, book, 9, 0, 0).run();
  const PathOutcome first = Engine(plan, shared, 9, 0, 0).run();
  const PathOutcome other = Engine(plan, shared, 10, 0, 1).run();  // writes into copies of its pages
  const PathOutcome again = Engine(plan, shared, 9, 0, 0).run();
  CHECK(own.liquidations > 0);
  CHECK(other.liquidated_notional != first.liquidated_notional);
  for (const auto& m : kSummaryMetrics) {
    CAPTURE(m.name);
    CHECK(same_bits(m.value(own), m.value(first)));
    CHECK(same_bits(m.value(first), m.value(again)));
  }
}

TEST_CASE("Agents.MonteCarlo.OneVsTwoThreadsBitwiseEqual") {
  for (const SampleMode mode : {SampleMode::PerPath, SampleMode::PerRun}) {
    Scenario sc = everything(6);
    sc.sample = mode;
    RunOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const RunResults a = run_monte_carlo(sc, one), b = run_monte_carlo(sc, two);
    REQUIRE(a.outcomes.size() == 6);
    for (std::size_t i = 0; i < a.outcomes.size(); ++i)
      for (const auto& m : kSummaryMetrics) {
        CAPTURE(m.name);
        CHECK(same_bits(m.value(a.outcomes[i]), m.value(b.outcomes[i])));
      }
    REQUIRE(a.events.size() == b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) CHECK(same_bits(a.events[i].fill_price, b.events[i].fill_price));
  }
}

TEST_CASE("Agents.Unlock.RecipientsPoolTheirTranches") {
  // The team receives two tranches of AIX (1 % of a 1e8 supply at 0 s, kept; 2 % at 600 s, half
  // sold in that step) and the investors one (1 % at 600 s, all sold): two holdings, the team's
  // pooling both tranches: 1e6 + 2e6 - 1e6 tokens left, the investors' none; every sale is cash
  // at the step's one price (the team's and the investors' orders share it).
  Scenario sc = one_asset(std::vector<double>(21, 2.0));
  sc.assets[0].supply = 1e8;
  UnlockSpec team1, team2, investors;
  team1.asset = team2.asset = investors.asset = 0;
  team1.recipient = team2.recipient = "team";
  investors.recipient = "investors";
  team1.fraction_of_supply = 0.01;
  team1.sell_fraction = 0.0;
  team2.at_s = investors.at_s = 600.0;
  team2.fraction_of_supply = 0.02;
  team2.sell_fraction = 0.5;
  investors.fraction_of_supply = 0.01;
  sc.unlocks = {team1, team2, investors};
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0);
  for (int t = 1; t <= sc.steps; ++t) e.step(t);
  const auto& h = e.unlock_holders();
  REQUIRE(h.size() == 2);
  CHECK(h[0].recipient == "team");
  CHECK(h[1].recipient == "investors");
  CHECK(h[0].tokens == doctest::Approx(2e6).epsilon(1e-15));
  CHECK(h[1].tokens == doctest::Approx(0.0));
  CHECK(h[1].cash / 1e6 == doctest::Approx(h[0].cash / 1e6).epsilon(1e-15));  // the same price
  CHECK(h[0].cash > 0.9 * 2.0 * 1e6);  // 1e6 tokens sold near the index 2.0, into the bid
  CHECK(h[0].cash < 2.0 * 1e6);
  const PathOutcome o = e.outcome();
  CHECK(o.unlock_sold_notional == doctest::Approx(h[0].cash + h[1].cash).epsilon(1e-15));
  CHECK(e.circulating_supply(0) == doctest::Approx(1.04e8).epsilon(1e-15));
  CHECK(std::abs(o.conservation_residual) < 1e-6);
}
