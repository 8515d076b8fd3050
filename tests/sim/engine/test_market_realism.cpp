// Market realism (MODEL.md section 2): within-step extremes, pinned paths, volatility regimes and
// a recorded funding tape. Statistical checks use closed forms that are not the code under test
// (the reflection principle, the Brownian bridge's variance), 5-standard-error or KS bounds on
// fixed seeds, so they pass or fail the same way everywhere and a wrong model fails by far.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/price_process.hpp"
#include "sim/plan/run_plan.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

Scenario one_asset(int steps, double dt_s, double vol) {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = steps;
  sc.dt_s = dt_s;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets.push_back(aix_asset("AIX", 100.0, 1.0e6));
  sc.assets.back().process.volatility_annual = vol;
  return sc;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Kolmogorov-Smirnov distance of a sample to a CDF.
template <class Cdf>
double ks_distance(std::vector<double> x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

}  // namespace

TEST_CASE("Market.Extremes.BridgeExtremesFollowTheReflectionPrinciple") {
  // The maximum of a driftless Brownian motion over a step, measured from its start, is
  // distributed as |N(0, sd^2)| (reflection principle: P(max >= m) = 2 P(B >= m)); so is minus the
  // minimum. The engine draws them conditionally on the step's end value from the bridge's
  // closed form; unconditionally they must follow the reflection principle. KS at n = 20000:
  // the 0.1 % critical distance is 1.95/sqrt(n) = 0.0138.
  Scenario sc = one_asset(20000, 300.0, 0.8);
  sc.engine.intrastep_extremes = true;
  const RunPlan plan(sc);
  PriceProcess p(plan, 11);
  std::vector<double> f = p.initial();
  const double sd = 0.8 * std::sqrt(plan.dt_years);
  std::vector<double> up, down, range_vs_end;
  for (int t = 1; t <= sc.steps; ++t) {
    const double x0 = std::log(f[0]);
    p.advance(t, f);
    REQUIRE(p.step_start(0) == doctest::Approx(std::exp(x0)).epsilon(1e-15));
    const double hi = std::log(p.step_high(0)) - x0, lo = std::log(p.step_low(0)) - x0;
    const double end = std::log(f[0]) - x0;
    REQUIRE(hi >= std::max(0.0, end));
    REQUIRE(lo <= std::min(0.0, end));
    up.push_back(hi / sd);
    down.push_back(-lo / sd);
  }
  const auto half_normal = [](double x) { return x <= 0.0 ? 0.0 : 2.0 * normal_cdf(x) - 1.0; };
  const double crit = 1.95 / std::sqrt(static_cast<double>(sc.steps));
  CHECK(ks_distance(up, half_normal) < crit);
  CHECK(ks_distance(down, half_normal) < crit);
  // E[max] = sd*sqrt(2/pi): within 5 standard errors (sd of |N| is sqrt(1 - 2/pi)).
  const double se = std::sqrt((1.0 - 2.0 / M_PI) / static_cast<double>(sc.steps));
  CHECK(std::abs(mean(up) - std::sqrt(2.0 / M_PI)) < 5.0 * se);
  CHECK(std::abs(mean(down) - std::sqrt(2.0 / M_PI)) < 5.0 * se);
}

TEST_CASE("Market.Extremes.ConditionalLawGivenTheEndpoints") {
  // Given the endpoints, P(max >= m) = exp(-2 (m - x0)(m - x1)/v): checked at fixed endpoints
  // against a fine random walk (an independent simulation, 2000 substeps) through the quantiles.
  const double v = 1.0, x0 = 0.0, x1 = -0.7;
  const auto tail = [&](double m) { return std::exp(-2.0 * (m - x0) * (m - x1) / v); };
  Lcg g{5};
  std::vector<double> drawn;
  for (int i = 0; i < 20000; ++i) {
    const auto [lo, hi] = PriceProcess::bridge_extremes(x0, x1, v, g.uniform(), g.uniform());
    CHECK_FALSE(lo > std::min(x0, x1));
    drawn.push_back(hi);
  }
  const double crit = 1.95 / std::sqrt(20000.0);
  CHECK(ks_distance(drawn, [&](double m) { return m <= 0.0 ? 0.0 : 1.0 - tail(m); }) < crit);
  // The walk: Brownian bridge by B(t) - t B(1) + t x1 on 2000 substeps, 4000 paths; its maximum is
  // biased low by discretisation (~0.58 sqrt(v/2000) = 0.013), so the check is of the median,
  // bias-corrected, within 5 standard errors.
  std::vector<double> walk;
  const int sub = 2000;
  for (int path = 0; path < 4000; ++path) {
    std::vector<double> b(sub + 1, 0.0);
    for (int j = 1; j <= sub; ++j) {
      const double u1 = std::max(g.uniform(), 1e-300), u2 = g.uniform();
      b[static_cast<std::size_t>(j)] =
          b[static_cast<std::size_t>(j - 1)] + std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2) * std::sqrt(v / sub);
    }
    double m = -1e300;
    for (int j = 0; j <= sub; ++j) {
      const double t = static_cast<double>(j) / sub;
      m = std::max(m, b[static_cast<std::size_t>(j)] - t * b[static_cast<std::size_t>(sub)] + t * x1);
    }
    walk.push_back(m + 0.5826 * std::sqrt(v / sub));
  }
  std::sort(walk.begin(), walk.end());
  const double median_walk = walk[walk.size() / 2];
  // Closed-form median: solve tail(m) = 1/2.
  const double median = 0.5 * (x1 + std::sqrt(x1 * x1 + 2.0 * v * std::log(2.0)));
  const double density = 2.0 * (2.0 * median - x1) / v * 0.5;  // -d tail/dm at the median
  const double se = std::sqrt(0.25 / 4000.0) / density;
  CHECK(std::abs(median_walk - median) < 5.0 * se);
}

TEST_CASE("Market.Bridge.PinnedPathsHitTheirTarget") {
  // AIX pinned to -40 % at 6 h (5-minute steps: step 72), then to -25 % at 9 h (step 108). Every
  // path lands on each target exactly; half-way to the first pin the log price is a Brownian
  // bridge: mean half the target, variance sd^2 * t (T - t)/T steps.
  Scenario sc = one_asset(144, 300.0, 1.2);
  ShockSpec a, b;
  a.kind = b.kind = ShockKind::Bridge;
  a.at_s = 6 * 3600.0;
  a.move = -0.40;
  b.at_s = 9 * 3600.0;
  b.move = -0.25;
  a.assets = b.assets = {0};
  sc.shocks = {a, b};
  const RunPlan plan(sc);
  const double sd2 = 1.2 * 1.2 * plan.dt_years;
  std::vector<double> mid, after;
  const int paths = 1000;
  for (int path = 0; path < paths; ++path) {
    PriceProcess p(plan, 1000 + static_cast<std::uint64_t>(path));
    std::vector<double> f = p.initial();
    for (int t = 1; t <= sc.steps; ++t) {
      p.advance(t, f);
      if (t == 36) mid.push_back(std::log(f[0] / 100.0));
      if (t == 72) REQUIRE(f[0] == doctest::Approx(60.0).epsilon(1e-12));
      if (t == 108) REQUIRE(f[0] == doctest::Approx(75.0).epsilon(1e-12));
      if (t == 144) after.push_back(std::log(f[0] / 75.0));
    }
  }
  const double var = sd2 * 36.0 * 36.0 / 72.0;
  CHECK(std::abs(mean(mid) - 0.5 * std::log(0.6)) < 5.0 * std::sqrt(var / paths));
  CHECK(std::abs(variance(mid) / var - 1.0) < 5.0 * std::sqrt(2.0 / (paths - 1)));
  // After the last pin the asset moves freely again: variance grows as 36 steps of noise.
  CHECK(std::abs(variance(after) / (36.0 * sd2) - 1.0) < 5.0 * std::sqrt(2.0 / (paths - 1)));
}

TEST_CASE("Market.VolatilityRegimes.VolatilitySwitchesAtFrom") {
  // AIX at 50 % until hour 5000, then 200 %; BIX listed in no regime keeps its 80 %. The sample
  // variance of each half is within 5 standard errors (sqrt(2/(n-1)) relative) of sigma^2 dt.
  Scenario sc = one_asset(10000, 3600.0, 0.5);
  sc.assets.push_back(aix_asset("BIX", 10.0, 1.0e6));
  sc.assets.back().process.volatility_annual = 0.8;
  sc.market.volatility_regimes = {{5000 * 3600.0, {2.0, 0.8}, {}}};
  const RunPlan plan(sc);
  PriceProcess p(plan, 3);
  std::vector<double> f = p.initial();
  std::vector<double> r[2][2];
  for (int t = 1; t <= sc.steps; ++t) {
    const std::vector<double> before = f;
    p.advance(t, f);
    for (std::size_t k = 0; k < 2; ++k) r[k][t > 5000].push_back(std::log(f[k] / before[k]));
  }
  const double tol = 5.0 * std::sqrt(2.0 / 4999.0);
  CHECK(std::abs(variance(r[0][0]) / (0.25 * plan.dt_years) - 1.0) < tol);
  CHECK(std::abs(variance(r[0][1]) / (4.0 * plan.dt_years) - 1.0) < tol);
  CHECK(std::abs(variance(r[1][0]) / (0.64 * plan.dt_years) - 1.0) < tol);
  CHECK(std::abs(variance(r[1][1]) / (0.64 * plan.dt_years) - 1.0) < tol);
  CHECK(plan.market.volatility_annual(5000, 0, 0.5) == 0.5);
  CHECK(plan.market.volatility_annual(5001, 0, 0.5) == 2.0);
}

TEST_CASE("Engine.Extremes.AWickInsideTheStepLiquidates") {
  // One 20x long (LP = (n E - m)/(n (1 - mmr)) = 950/9.8 = 96.94, 3.1 % below the start); one
  // hourly step at 300 % volatility (sd 3.2 %). The end value is the same with and without
  // extremes (their draws come after the step's normals); without, the long is liquidated iff
  // the end mark is at or below LP; with, iff the step's low is. Over 40 seeds both outcomes
  // occur, and every seed agrees.
  Scenario sc = one_asset(1, 3600.0, 3.0);
  sc.accounts = {{"a", std::nullopt}};
  const double n = 10.0, m = 50.0, lp = (n * 100.0 - m) / (n * 0.98);
  sc.positions = {PositionSpec{0, 0, 1, n, 100.0, m, false, 0}};
  int wick_only = 0, both = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Scenario with = sc;
    with.engine.intrastep_extremes = true;
    const RunPlan plan_without(sc), plan_with(with);
    Engine a(plan_without, build_initial_book(sc, 0), seed, 0, 0);
    Engine b(plan_with, build_initial_book(with, 0), seed, 0, 0);
    a.step(1);
    b.step(1);
    PriceProcess p(plan_with, seed);
    std::vector<double> f = p.initial();
    p.advance(1, f);
    const bool end_crossed = f[0] <= lp, low_crossed = p.step_low(0) <= lp;
    CHECK(a.outcome().liquidations == (end_crossed ? 1 : 0));
    CHECK(b.outcome().liquidations == (low_crossed ? 1 : 0));
    CHECK(b.book(0).fundamental() == doctest::Approx(f[0]).epsilon(1e-15));
    CHECK(a.book(0).fundamental() == doctest::Approx(f[0]).epsilon(1e-15));
    wick_only += low_crossed && !end_crossed;
    both += end_crossed;
    CHECK(std::abs(b.outcome().conservation_residual) < 1e-9);
    // The recorded low of the mark includes the wick.
    CHECK(b.outcome().asset_min_price_ratio[0] <= p.step_low(0) / 100.0 * (1.0 + 1e-12));
  }
  CHECK(wick_only > 0);
  CHECK(both > 0);
}

TEST_CASE("Engine.Funding.TapeChargesItsRatesAtTheirTimes") {
  // A tape with AIX +0.1 % at 120 s and -0.05 % at 240 s, BIX +0.2 % at 180 s: longs pay the rate
  // times size times the mark at the end of the step the row falls in, shorts receive it.
  Scenario sc;
  sc.file = "fixture";
  sc.steps = 5;
  sc.dt_s = 60.0;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets = {aix_asset("AIX", 2.0, 200000.0), aix_asset("BIX", 10.0, 2.0e6)};
  sc.replay = ReplaySpec{"fixture.csv", {{2.0, 10.0}, {2.0, 10.0}, {2.1, 10.0}, {2.2, 10.0}, {2.1, 10.0}, {2.0, 10.0}}};
  sc.exchange.funding.enabled = true;
  sc.exchange.funding.replay = FundingTape{"tape.csv", {{120.0, 0, 0.001}, {180.0, 1, 0.002}, {240.0, 0, -0.0005}}};
  sc.accounts = {{"l", std::nullopt}, {"s", std::nullopt}};
  sc.positions = {PositionSpec{0, 0, 1, 1000.0, 2.0, 500.0, false, 0},
                  PositionSpec{1, 0, -1, 1000.0, 2.0, 500.0, false, 0},
                  PositionSpec{0, 1, 1, 100.0, 10.0, 300.0, false, 0}};
  const RunPlan plan(sc);
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0);
  for (int t = 1; t <= 5; ++t) e.step(t);
  const double paid_aix = 0.001 * 1000.0 * 2.1 - 0.0005 * 1000.0 * 2.1;  // marks at 120 s and 240 s
  CHECK(e.settled_margin(0) == doctest::Approx(500.0 - paid_aix).epsilon(1e-12));
  CHECK(e.settled_margin(1) == doctest::Approx(500.0 + paid_aix).epsilon(1e-12));
  CHECK(e.settled_margin(2) == doctest::Approx(300.0 - 0.002 * 100.0 * 10.0).epsilon(1e-12));
  CHECK(std::abs(e.outcome().conservation_residual) < 1e-9);
}
