// The sampled population against its parameters (MODEL.md section 7; docs/agents.md): sample
// statistics of 20,000 positions from a fixed seed, within 5 standard errors.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <functional>
#include <vector>

#include "sim/book/initial_book.hpp"
#include "sim/book/population_sampler.hpp"
#include "sim/plan/run_plan.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

constexpr int kN = 20000;

Scenario population(const PopulationSpec& pop) {
  Scenario sc;
  sc.file = "fixture";
  sc.assets = {aix_asset("AIX", 2.0, 1e6)};
  sc.assets[0].process.volatility_annual = 1.2;
  sc.assets[0].population = pop;
  return sc;
}

PopulationSpec base() {
  PopulationSpec pop;
  pop.count = kN;
  pop.long_share = 0.62;
  pop.leverage_mean = 5.0;
  pop.leverage_dispersion = 0.4;
  pop.notional_median_usd = 3000.0;
  pop.notional_dispersion = 1.2;
  pop.entry_spread = 0.01;
  return pop;
}

struct Moments {
  double mean = 0.0, var = 0.0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.var += (v - m.mean) * (v - m.mean);
  m.var /= static_cast<double>(x.size() - 1);
  return m;
}

/// |count/n - p| within 5 binomial standard errors.
void check_share(double count, double n, double p) {
  CAPTURE(count);
  CAPTURE(p);
  CHECK(std::abs(count / n - p) <= 5.0 * std::sqrt(p * (1.0 - p) / n));
}

}  // namespace

TEST_CASE("Population.Statistics.SideNotionalLeverage") {
  const Scenario sc = population(base());
  const PositionBook b = build_initial_book(sc, 42);
  REQUIRE(b.count() == static_cast<std::size_t>(kN));
  double longs = 0.0;
  std::vector<double> log_notional, leverage;
  for (std::size_t i = 0; i < b.count(); ++i) {
    longs += b.side[i] > 0 ? 1.0 : 0.0;
    const double notional = b.size[i] * b.entry[i];
    log_notional.push_back(std::log(notional));
    leverage.push_back(notional / b.margin[i]);
  }
  check_share(longs, kN, 0.62);
  const Moments ln = moments(log_notional);
  CHECK(std::abs(ln.mean - std::log(3000.0)) <= 5.0 * 1.2 / std::sqrt(kN));
  CHECK(std::sqrt(ln.var) == doctest::Approx(1.2).epsilon(5.0 / std::sqrt(2.0 * kN)));
  // Lognormal with mean 5 (the cap of the 15x/20x brackets binds for ~0.2 % of draws).
  const Moments lev = moments(leverage);
  const double sd = 5.0 * std::sqrt(std::exp(0.4 * 0.4) - 1.0);
  CHECK(std::abs(lev.mean - 5.0) <= 5.0 * sd / std::sqrt(kN));
  for (double l : leverage) CHECK(l <= 20.0 + 1e-9);
}

TEST_CASE("Population.Statistics.LeverageTable") {
  PopulationSpec pop = base();
  pop.leverage_table = {{2.0, 1.0}, {10.0, 2.0}, {50.0, 1.0}};  // 50x is capped to the bracket
  const PositionBook b = build_initial_book(population(pop), 7);
  double two = 0, ten = 0, capped = 0;
  for (std::size_t i = 0; i < b.count(); ++i) {
    const double notional = b.size[i] * b.entry[i];
    const double lev = notional / b.margin[i];
    const double cap = notional < 5000 ? 20.0 : notional < 25000 ? 15.0 : 10.0;
    if (std::abs(lev - 2.0) < 1e-9) ++two;
    else if (std::abs(lev - 10.0) < 1e-9 && cap > 10.0) ++ten;
    else if (std::abs(lev - cap) < 1e-9) ++capped;
  }
  // Redraws (a 20x long entered 3 % above the start would already be liquidated) are rare at a
  // 1 % entry spread; the shares are those of the weights.
  check_share(two, kN, 0.25);
  CHECK(two + ten + capped == doctest::Approx(kN).epsilon(0.001));
  check_share(ten + capped, kN, 0.75);
}

TEST_CASE("Population.Statistics.StopsAndMarginCallAgents") {
  PopulationSpec pop = base();
  pop.stop_share = 0.3;
  pop.stop_distance = 0.05;
  pop.stop_dispersion = 0.25;
  MarginCallSpec calls;
  calls.wallet = 1.5;
  pop.margin_call = calls;
  const PositionBook b = build_initial_book(population(pop), 11);
  double stops = 0;
  std::vector<double> log_distance;
  for (std::size_t i = 0; i < b.count(); ++i) {
    CHECK(b.agent[i] == PositionBook::kAnswersCalls);
    CHECK(b.wallet[i] == doctest::Approx(1.5 * b.margin[i]).epsilon(1e-15));
    if (std::isnan(b.stop_price[i])) continue;
    ++stops;
    const double d = b.side[i] * (1.0 - b.stop_price[i] / b.entry[i]);
    log_distance.push_back(std::log(d));
    CHECK_FALSE(MarginRule::crossed(b.side[i], b.stop_price[i], 2.0));  // not stopped out already
  }
  check_share(stops, kN, 0.3);
  // Stops more than ~1 % from the start price survive the redraw: the median stays near 5 %.
  const Moments ld = moments(log_distance);
  CHECK(std::abs(ld.mean - std::log(0.05)) <= 5.0 * 0.25 / std::sqrt(stops) + 0.02);
}

TEST_CASE("Population.Statistics.EntriesOverPastDays") {
  // Opened uniformly over the past 30 days along a Brownian path back from the start price with
  // volatility 1.2 and a trend of +200 %/year: log(E/P0) has mean -trend*E[age] and variance
  // vol^2*E[age] + trend^2*Var(age). Longs at low leverage: nothing is redrawn (a 1.5x long is
  // liquidated only below a third of its entry).
  PopulationSpec pop = base();
  pop.long_share = 1.0;
  pop.leverage_mean = 1.5;
  pop.leverage_dispersion = 0.1;
  pop.entry_days = 30.0;
  pop.entry_trend = 2.0;
  const PositionBook b = build_initial_book(population(pop), 3);
  std::vector<double> log_entry;
  for (std::size_t i = 0; i < b.count(); ++i) log_entry.push_back(std::log(b.entry[i] / 2.0));
  const Moments m = moments(log_entry);
  const double age = 30.0 / 365.0;  // years
  const double mean = -2.0 * age / 2.0;
  const double var = 1.2 * 1.2 * age / 2.0 + 4.0 * age * age / 12.0;
  CHECK(std::abs(m.mean - mean) <= 5.0 * std::sqrt(var / kN));
  CHECK(m.var == doctest::Approx(var).epsilon(5.0 * std::sqrt(3.0 / kN)));
}

TEST_CASE("Population.Sampler.ArrivalsOpenAtTheGivenPrice") {
  PopulationSpec pop = base();
  pop.stop_share = 1.0;
  const Scenario sc = population(pop);
  const MarginRule rule(Profile::Binance, sc.assets[0].tiers);
  Rng rng(5);
  for (int i = 0; i < 100; ++i) {
    const SampledPosition s = sample_position(sc.assets[0], rule, pop, rng, 1.7);
    CHECK(s.position.entry == 1.7);
    CHECK(s.stop_price == doctest::Approx(1.7 * (1.0 - s.position.side * 0.05)));
  }
}

TEST_CASE("Book.InitialBook.SameForAnySplit") {
  // The population is sampled in blocks that the Monte Carlo driver runs in parallel: blocks run
  // in reverse order give the same book, bit for bit, as the serial loop (numbering by
  // liquidation price, accounts, cross wallets included). 40,000 positions per asset: 3 blocks.
  PopulationSpec pop = base();
  pop.count = 40000;
  pop.stop_share = 0.3;
  pop.cross_share = 0.2;
  MarginCallSpec calls;
  calls.wallet = 0.5;
  pop.margin_call = calls;
  Scenario sc = population(pop);
  sc.assets.push_back(sc.assets[0]);
  sc.assets[1].name = "AIY";
  sc.cross_accounts = 50;
  sc.sample = SampleMode::PerRun;
  const ForEach reversed = [](std::size_t n, const std::function<void(std::size_t)>& body) {
    for (std::size_t j = n; j-- > 0;) body(j);
  };
  const PositionBook a = build_initial_book(sc, 9), b = build_initial_book(sc, 9, reversed);
  REQUIRE(a.count() == 80000);
  REQUIRE(b.count() == a.count());
  bool same = true;
  for (std::size_t i = 0; i < a.count(); ++i) {
    const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
    same = same && a.asset[i] == b.asset[i] && a.account[i] == b.account[i] && a.side[i] == b.side[i] &&
           bits(a.size[i]) == bits(b.size[i]) && bits(a.entry[i]) == bits(b.entry[i]) &&
           bits(a.margin[i]) == bits(b.margin[i]) && bits(a.liquidation_price[i]) == bits(b.liquidation_price[i]) &&
           bits(a.bankruptcy_price[i]) == bits(b.bankruptcy_price[i]) && bits(a.stop_price[i]) == bits(b.stop_price[i]) &&
           a.cross[i] == b.cross[i] && a.agent[i] == b.agent[i] && bits(a.wallet[i]) == bits(b.wallet[i]);
  }
  CHECK(same);
  CHECK(a.wallet_account == b.wallet_account);
  CHECK(a.wallet_usd == b.wallet_usd);
  // Per run, the book is numbered by side and liquidation price: longs first, by falling price.
  std::size_t cross = 0, longs = 0;
  bool ordered = true;
  for (std::size_t i = 0; i + 1 < 40000; ++i) {
    cross += a.cross[i];
    if (a.side[i] > 0 && a.side[i + 1] > 0 && !std::isnan(a.liquidation_price[i + 1])) {
      ++longs;
      ordered = ordered && a.liquidation_price[i] >= a.liquidation_price[i + 1];
    }
  }
  CHECK(ordered);
  CHECK(longs > 10000);
  CHECK(cross > 0);
}
