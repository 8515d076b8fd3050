// Liquidity in the step loop (MODEL.md section 3 and docs/market.md): books thinning as realised
// volatility rises, the book running dry at the displacement cap with the rest reported, an L2
// depth curve in place of the power law, and the index/perp coupling.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sim/engine/engine.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

struct EngineRun {
  PathOutcome out;
  PathTimeseries ts;
};

EngineRun run_engine(const Scenario& sc, std::uint64_t price_seed = 3) {
  const RunPlan plan(sc);
  EngineRun r;
  Engine e(plan, build_initial_book(sc, 0), price_seed, 0, 0, PathSinks{&r.ts, nullptr});
  r.out = e.run();
  return r;
}

double open_interest(const Scenario& sc) {
  double oi = 0;
  for (const auto& p : sc.positions) oi += p.size * p.entry_usd;
  return oi;
}

/// One asset whose price falls 10 % in step 1 into 60 long positions of 10x-14x on a book too
/// thin to take them: the liquidation order runs into the displacement cap.
Scenario dry_book(double cap) {
  Scenario sc = replay_cascade(0);
  sc.assets.resize(1);
  sc.assets[0].book.depth_1pct_usd = 200.0;
  sc.assets[0].book.displacement_cap = cap;
  sc.steps = 3;
  sc.replay->prices = {{2.0}, {1.8}, {1.8}, {1.8}};
  Lcg g{5};
  for (int i = 0; i < 60; ++i) {
    PositionSpec p;
    p.account = static_cast<int>(sc.accounts.size());
    sc.accounts.push_back({"a" + std::to_string(i), std::nullopt});
    p.side = 1;
    p.entry_usd = 2.0;
    p.size = 2000.0 * (1.0 + g.uniform());
    p.margin_usd = p.size * p.entry_usd / (10.0 + 4.0 * g.uniform());
    sc.positions.push_back(p);
  }
  return sc;
}

}  // namespace

TEST_CASE("Engine.Liquidity.DepthScaleFollowsRealisedVolatility") {
  // No positions: the mark is the index, and w follows the EWMA of its squared log-returns.
  Scenario sc = sampled_shock(1);
  sc.assets.resize(1);
  sc.shocks.clear();
  sc.assets[0].population.reset();
  sc.assets[0].process.volatility_annual = 3.0;  // far above vol_base: the book thins
  sc.assets[0].book.eta = 1.0;
  sc.assets[0].book.vol_base_annual = 0.8;
  sc.assets[0].book.w_min = 0.3;
  sc.steps = 200;
  const EngineRun r = run_engine(sc);
  const double dt_y = sc.dt_s / kSecondsPerYear;
  const double alpha = 1.0 - std::pow(0.5, sc.dt_s / sc.assets[0].book.vol_halflife_s);
  double ewma = 0.8 * 0.8 * dt_y;
  double lowest = 1.0;
  for (int t = 1; t <= sc.steps; ++t) {
    const double w = std::clamp(std::pow(std::sqrt(ewma / dt_y) / 0.8, -1.0), 0.3, 1.0);
    CHECK(r.ts.depth_scale[static_cast<std::size_t>(t)] == doctest::Approx(w).epsilon(1e-12));
    const double ret = std::log(r.ts.mark_price[static_cast<std::size_t>(t)] /
                                r.ts.mark_price[static_cast<std::size_t>(t - 1)]);
    ewma += alpha * (ret * ret - ewma);
    lowest = std::min(lowest, w);
  }
  CHECK(lowest < 0.5);  // volatility ~3.75x the base: the book holds roughly a quarter
  CHECK(r.out.min_depth_scale == doctest::Approx(lowest));
  // eta = 0: the depth never moves.
  sc.assets[0].book.eta = 0.0;
  CHECK(run_engine(sc).out.min_depth_scale == 1.0);
}

TEST_CASE("Engine.Liquidity.BookRunsDryAtTheCap") {
  const Scenario sc = dry_book(0.2);
  const EngineRun r = run_engine(sc);
  REQUIRE(r.out.liquidations > 0);
  // The whole liquidation order could not fit within 20 % of the index: the rest is reported.
  CHECK(r.out.unfilled_notional > 0.0);
  CHECK(r.out.asset_unfilled_notional[0] == r.out.unfilled_notional);
  // The mid stopped at the cap: F*(1 - cap).
  CHECK(r.ts.mark_price[1] == doctest::Approx(1.8 * 0.8).epsilon(1e-12));
  CHECK(std::abs(r.out.conservation_residual) <= 1e-9 * open_interest(sc));
  // A looser cap lets the book absorb more before running dry.
  const EngineRun loose = run_engine(dry_book(0.6));
  CHECK(loose.out.unfilled_notional < r.out.unfilled_notional);
}

TEST_CASE("Engine.Liquidity.LinearDepthCurveMatchesPowerLawBetaOne") {
  // The cascade fixture with beta = 1 books, once as the power law and once as the equivalent
  // L2 curve: the same cascade to rounding.
  Scenario pl = replay_cascade(200);
  for (auto& a : pl.assets) a.book.beta = 1.0;
  Scenario dc = pl;
  for (auto& a : dc.assets) {
    const double d = a.book.depth_1pct_usd;
    DepthCurveSpec spec;
    spec.file = "fixture.csv";
    spec.curve = DepthCurve({0.01, 0.5, 0.99}, {d, 50 * d, 99 * d}, {d, 50 * d, 99 * d});
    a.depth_curve = spec;
  }
  const EngineRun a = run_engine(pl), b = run_engine(dc);
  REQUIRE(a.out.liquidations > 20);
  CHECK(b.out.liquidations == a.out.liquidations);
  CHECK(b.out.max_cascade_depth == a.out.max_cascade_depth);
  CHECK(b.out.liquidated_notional == doctest::Approx(a.out.liquidated_notional).epsilon(1e-9));
  for (std::size_t i = 0; i < a.ts.mark_price.size(); ++i)
    CHECK(b.ts.mark_price[i] == doctest::Approx(a.ts.mark_price[i]).epsilon(1e-9));
}

TEST_CASE("Engine.Liquidity.IndexCouplingSeparatesIndexAndBookMarks") {
  Scenario sc = replay_cascade(300);
  sc.replay.reset();  // the process, so that the leaked index carries into later steps
  sc.shocks = {ShockSpec{ShockKind::Spread, 0.0, 300.0, -0.12, {0, 1}, {}}};
  const EngineRun zero = run_engine(sc);
  REQUIRE(zero.out.liquidations > 50);
  sc.assets[0].index_coupling = 0.5;
  const EngineRun half = run_engine(sc);
  CHECK(std::abs(half.out.conservation_residual) <= 1e-9 * open_interest(sc));
  const std::size_t n = sc.assets.size();
  // Without coupling the index ignores the cascade; with it, half of the book's log-move from
  // liquidations reaches the index, so the index sits lower while the book's mark still leads.
  bool lower = false;
  for (int t = 1; t <= sc.steps; ++t) {
    const std::size_t at = static_cast<std::size_t>(t) * n;
    lower = lower || half.ts.index_price[at] < zero.ts.index_price[at] * (1 - 1e-6);
    CHECK(half.ts.index_price[at + 1] == zero.ts.index_price[at + 1]);  // BIX uncoupled
  }
  CHECK(lower);
  // In the first step with liquidations (identical in both runs up to then, with an empty book
  // at its start) the index moved by exactly half of the mid's log-move in the cascade.
  std::size_t first = 0;
  for (int t = 1; t <= sc.steps && first == 0; ++t)
    if (zero.ts.liquidated_notional[static_cast<std::size_t>(t) * n] > 0.0)
      first = static_cast<std::size_t>(t);
  REQUIRE(first > 0);
  const double f_exo = zero.ts.index_price[first * n];
  const double m = half.ts.mark_price[first * n], f = half.ts.index_price[first * n];
  REQUIRE(m < f_exo);
  CHECK(std::log(f / f_exo) == doctest::Approx(0.5 * std::log(m / f_exo)).epsilon(1e-9));
}

TEST_CASE("Market.MonteCarlo.ThreadsAndPathRangesBitwiseEqual") {
  // Every market feature at once; the shared plan (factors, rates) is read-only, each path's
  // draws come from its own stream: 1 vs 2 threads and a sub-range of paths agree to the bit.
  Scenario sc = sampled_shock(6);
  sc.market.innovations = Innovations::StudentT;
  sc.market.nu = 5.0;
  sc.market.correlation = {{0.0, {1.0, 0.7, 0.7, 1.0}, {}}, {1500.0, {1.0, -0.3, -0.3, 1.0}, {}}};
  sc.market.jumps = {{{0, 1}, 20.0, -0.03, 0.02, true, {}}};
  sc.assets[0].process.garch = GarchSpec{0.1, 0.85, std::nullopt, {}};
  sc.assets[0].index_coupling = 0.4;
  RunOptions one, two, tail;
  one.threads = 1;
  two.threads = 2;
  tail.path_begin = 3;
  const RunResults a = run_monte_carlo(sc, one), b = run_monte_carlo(sc, two),
                   c = run_monte_carlo(sc, tail);
  REQUIRE(a.outcomes.size() == 6);
  REQUIRE(c.outcomes.size() == 3);
  std::int64_t liquidations = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    liquidations += a.outcomes[i].liquidations;
    CHECK(std::memcmp(&a.outcomes[i].liquidated_notional, &b.outcomes[i].liquidated_notional,
                      sizeof(double)) == 0);
    CHECK(std::memcmp(&a.outcomes[i].conservation_residual, &b.outcomes[i].conservation_residual,
                      sizeof(double)) == 0);
    CHECK(a.outcomes[i].asset_min_price_ratio == b.outcomes[i].asset_min_price_ratio);
    if (i >= 3)
      CHECK(a.outcomes[i].asset_min_price_ratio == c.outcomes[i - 3].asset_min_price_ratio);
  }
  CHECK(liquidations > 0);
  REQUIRE(a.timeseries.size() == b.timeseries.size());
  for (std::size_t i = 0; i < a.timeseries.size(); ++i) {
    CHECK(a.timeseries[i].index_price == b.timeseries[i].index_price);
    CHECK(a.timeseries[i].mark_price == b.timeseries[i].mark_price);
  }
}
