// The exogenous price process (MODEL.md section 2) as a specification, engine-free: one long
// path per test with a fixed seed, and every statistical tolerance derived from the sample size
// (5 standard errors), so a test passes or fails the same way on every machine and a wrong model
// fails by a wide margin.
#include <doctest/doctest.h>

#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "sim/engine/price_process.hpp"
#include "sim/plan/run_plan.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

/// `n` assets at price 100, annualised volatility `vol`, hourly steps, no positions.
Scenario market(std::size_t n, int steps, double vol = 0.8) {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = steps;
  sc.dt_s = 3600.0;
  for (std::size_t k = 0; k < n; ++k) {
    sc.assets.push_back(aix_asset("A" + std::to_string(k), 100.0, 1.0e6));
    sc.assets.back().process.volatility_annual = vol;
  }
  return sc;
}

std::vector<double> identity(std::size_t n) {
  std::vector<double> c(n * n, 0.0);
  for (std::size_t k = 0; k < n; ++k) c[k * n + k] = 1.0;
  return c;
}

std::vector<double> two_by_two(double rho) { return {1.0, rho, rho, 1.0}; }

/// Log-returns r[k][t] of every asset over all steps of one path.
std::vector<std::vector<double>> simulate(const Scenario& sc, std::uint64_t seed = 7) {
  const RunPlan plan(sc);
  PriceProcess p(plan, seed);
  std::vector<double> f = p.initial();
  std::vector<std::vector<double>> r(f.size());
  for (int t = 1; t <= sc.steps; ++t) {
    const std::vector<double> before = f;
    p.advance(t, f);
    for (std::size_t k = 0; k < f.size(); ++k) r[k].push_back(std::log(f[k] / before[k]));
  }
  return r;
}

std::vector<double> slice(const std::vector<double>& v, std::size_t from, std::size_t to) {
  return {v.begin() + static_cast<std::ptrdiff_t>(from),
          v.begin() + static_cast<std::ptrdiff_t>(to)};
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const double mx = mean(x), my = mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

/// Central moment of order p.
double moment(const std::vector<double>& v, int p) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += std::pow(x - m, p);
  return s / static_cast<double>(v.size());
}

std::vector<double> squares(const std::vector<double>& v) {
  std::vector<double> s;
  for (double x : v) s.push_back(x * x);
  return s;
}

/// Lag-1 autocorrelation.
double acf1(const std::vector<double>& v) {
  return correlation(slice(v, 0, v.size() - 1), slice(v, 1, v.size()));
}

/// |rho_hat - rho| within 5 standard errors on Fisher's z scale, the standard error
/// sqrt(kappa_factor/(n-3)) (kappa_factor = 1 for normal data; 1 + excess kurtosis/3 for
/// elliptical data such as the joint Student-t).
void check_correlation(const std::vector<double>& x, const std::vector<double>& y, double rho,
                       double kappa_factor = 1.0) {
  const double r = correlation(x, y);
  const double se = std::sqrt(kappa_factor / static_cast<double>(x.size() - 3));
  INFO("sample correlation " << r << ", expected " << rho << ", n = " << x.size());
  CHECK(std::abs(std::atanh(r) - std::atanh(rho)) < 5.0 * se);
}

}  // namespace

TEST_CASE("Market.PriceProcess.WithoutMarketKeysDrawsExactlyAsBefore") {
  // The process before the market model: one standard normal per asset and step, in asset
  // order. Results of existing scenarios must not change by a bit.
  Scenario sc = market(3, 200);
  sc.assets[1].process.drift_annual = 0.3;
  sc.assets[2].process.volatility_annual = 1.4;
  ShockSpec s;
  s.at_s = 36000;
  s.over_s = 7200;
  s.move = -0.2;
  s.assets = {0, 2};
  sc.shocks = {s};
  const RunPlan plan(sc);
  PriceProcess p(plan, 123);
  Rng rng(123);
  boost::random::normal_distribution<double> normal;
  std::vector<double> f = p.initial(), g = f;
  const double sqrt_dt = std::sqrt(plan.dt_years);
  for (int t = 1; t <= sc.steps; ++t) {
    p.advance(t, f);
    for (std::size_t k = 0; k < g.size(); ++k) {
      const auto& q = sc.assets[k].process;
      const double z = normal(rng);
      g[k] *= std::exp(q.drift_annual * plan.dt_years + q.volatility_annual * sqrt_dt * z +
                       plan.shock(t, k));
    }
    REQUIRE(f == g);
  }
}

TEST_CASE("Market.PriceProcess.SampleCorrelationsWithinConfidenceIntervals") {
  const int n = 20000;
  Scenario sc = market(4, n);
  sc.assets[3].process.volatility_annual = 0.15;  // gold-like: the scale must not matter
  sc.market.correlation = {{0.0,
                            {1.0, 0.8, 0.6, 0.42,  //
                             0.8, 1.0, 0.7, 0.35,  //
                             0.6, 0.7, 1.0, 0.2,   //
                             0.42, 0.35, 0.2, 1.0},
                            {}}};
  const auto r = simulate(sc);
  const std::vector<double>& c = sc.market.correlation[0].matrix;
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = i + 1; j < 4; ++j) check_correlation(r[i], r[j], c[i * 4 + j]);
  // Unit variance after the factor: the volatility is what the scenario says (sd of a sample
  // variance of normal data: sqrt(2/n) relative).
  for (std::size_t k = 0; k < 4; ++k) {
    const double v = sc.assets[k].process.volatility_annual;
    const double expected = v * v * sc.dt_s / kSecondsPerYear;
    CHECK(std::abs(moment(r[k], 2) / expected - 1.0) < 5.0 * std::sqrt(2.0 / n));
  }
}

TEST_CASE("Market.PriceProcess.RegimeSwitchIsVisible") {
  // Gold/crypto correlation +0.42 until t = 10000 h, -0.18 after; crypto/crypto 0.7 -> 0.95.
  const int n = 20000;
  Scenario sc = market(3, n);
  const double switch_s = 10000 * 3600.0;
  auto c = [](double crypto, double gold) {
    return std::vector<double>{1, crypto, gold, crypto, 1, gold, gold, gold, 1};
  };
  sc.market.correlation = {{0.0, c(0.7, 0.42), {}}, {switch_s, c(0.95, -0.18), {}}};
  const auto r = simulate(sc);
  const std::size_t at = 10000;  // step 10001 is the first that starts at switch_s
  check_correlation(slice(r[0], 0, at), slice(r[2], 0, at), 0.42);
  check_correlation(slice(r[0], at, n), slice(r[2], at, n), -0.18);
  check_correlation(slice(r[0], 0, at), slice(r[1], 0, at), 0.7);
  check_correlation(slice(r[0], at, n), slice(r[1], at, n), 0.95);
  // The plan's regime of each step: the last regime that starts at or before the step's start.
  const RunPlan plan(sc);
  CHECK(plan.market.regime_of_step[at - 1] == 0);
  CHECK(plan.market.regime_of_step[at] == 1);
}

TEST_CASE("Market.PriceProcess.SingularCorrelationMovesTogether") {
  // rho = 1 is positive semi-definite but not definite: LLT fails, the symmetric square root
  // takes over, and the two assets' returns coincide.
  Scenario sc = market(2, 500);
  sc.market.correlation = {{0.0, two_by_two(1.0), {}}};
  const auto r = simulate(sc);
  for (std::size_t t = 0; t < r[0].size(); ++t)
    CHECK(r[0][t] == doctest::Approx(r[1][t]).epsilon(1e-9));
}

TEST_CASE("Market.PriceProcess.StudentTHasUnitVarianceFatJointTails") {
  // Unit-variance t with nu = 10: excess kurtosis 6/(nu-4) = 1. With moments mu4 = 4, mu6 = 40,
  // mu8 = 1120 of the unit-variance t10, the delta method gives Var(sample excess kurtosis) =
  // (mu8 - mu4^2 - 4 mu4 mu6 + 4 mu4^3)/n = 720/n, and Var(sample variance) = (mu4 - 1)/n.
  const int n = 200000;
  Scenario sc = market(2, n);
  sc.market.innovations = Innovations::StudentT;
  sc.market.nu = 10.0;
  sc.market.correlation = {{0.0, identity(2), {}}};
  const auto r = simulate(sc);
  const double var_step = 0.8 * 0.8 * sc.dt_s / kSecondsPerYear;
  for (std::size_t k = 0; k < 2; ++k) {
    const double m2 = moment(r[k], 2);
    CHECK(std::abs(m2 / var_step - 1.0) < 5.0 * std::sqrt(3.0 / n));
    const double excess = moment(r[k], 4) / (m2 * m2) - 3.0;
    INFO("excess kurtosis " << excess);
    CHECK(std::abs(excess - 1.0) < 5.0 * std::sqrt(720.0 / n));
  }
  // Joint tails: uncorrelated, yet large moves coincide because the chi-square draw is common.
  // corr(e1^2, e2^2) = (E[s^4] - 1)/(mu4 - 1) = ((nu-2)/(nu-4) - 1)/3 = 1/9 for nu = 10.
  check_correlation(r[0], r[1], 0.0, 4.0 / 3.0);
  const double tails = correlation(squares(r[0]), squares(r[1]));
  INFO("correlation of squared returns " << tails);
  CHECK(tails > 5.0 / std::sqrt(static_cast<double>(n)));
  // Its standard error, from Var(e1^2 e2^2) = 9 E[s^8] - E[s^4]^2 = 96 - 16/9 (E[s^8] = 32/3)
  // over Var(e^2) = 3.
  CHECK(std::abs(tails - 1.0 / 9.0) < 5.0 * std::sqrt((96.0 - 16.0 / 9.0) / n) / 3.0);

  // The same path with normal innovations: no excess kurtosis, no tail dependence.
  sc.market.innovations = Innovations::Normal;
  const auto g = simulate(sc);
  const double m2 = moment(g[0], 2);
  CHECK(std::abs(moment(g[0], 4) / (m2 * m2) - 3.0) < 5.0 * std::sqrt(24.0 / n));
  CHECK(std::abs(correlation(squares(g[0]), squares(g[1]))) <
        5.0 / std::sqrt(static_cast<double>(n)));
}

TEST_CASE("Market.PriceProcess.GarchRecursionAndPersistence") {
  const int n = 200000;
  const double alpha = 0.1, beta = 0.85, phi = alpha + beta;
  Scenario sc = market(1, n);
  sc.assets[0].process.garch = GarchSpec{alpha, beta, std::nullopt, {}};
  const RunPlan plan(sc);
  const double long_run = 0.8 * 0.8 * plan.dt_years;
  CHECK(plan.market.volatility[0].params.long_run_variance() ==
        doctest::Approx(long_run).epsilon(1e-12));

  // The recursion, step by step, on the diffusive return.
  PriceProcess p(plan, 11);
  std::vector<double> f = p.initial(), r, var;
  for (int t = 1; t <= n; ++t) {
    const double before = f[0], v = p.garch_variance(0);
    var.push_back(v);
    p.advance(t, f);
    const double a = std::log(f[0] / before);
    r.push_back(a);
    REQUIRE(p.garch_variance(0) ==
            doctest::Approx(plan.market.volatility[0].params.omega + alpha * a * a + beta * v)
                .epsilon(1e-9));
  }

  // Statistics by batch means: B batches, the standard error of the full-sample estimate taken
  // from the spread of the batch estimates (returns are dependent, so 1/sqrt(n) would be wrong).
  const std::size_t batches = 20, len = static_cast<std::size_t>(n) / batches;
  auto batch_se = [&](auto estimate) {
    std::vector<double> e;
    for (std::size_t b = 0; b < batches; ++b) e.push_back(estimate(b * len, (b + 1) * len));
    const double m = mean(e);
    double s = 0;
    for (double x : e) s += (x - m) * (x - m);
    return std::sqrt(s / (batches - 1) / batches);
  };
  // Persistence: sigma2_{t+1} - s = phi (sigma2_t - s) + martingale noise, so the OLS slope of
  // the variance on its lag estimates alpha + beta.
  auto slope = [&](std::size_t from, std::size_t to) {
    const std::vector<double> x = slice(var, from, to - 1), y = slice(var, from + 1, to);
    const double mx = mean(x), my = mean(y);
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxy / sxx;
  };
  const double phi_hat = slope(0, var.size());
  INFO("estimated persistence " << phi_hat);
  CHECK(std::abs(phi_hat - phi) < 5.0 * batch_se(slope));
  // Mean of squared returns = long-run variance.
  const std::vector<double> r2 = squares(r);
  auto mean_sq = [&](std::size_t from, std::size_t to) { return mean(slice(r2, from, to)); };
  CHECK(std::abs(mean(r2) - long_run) < 5.0 * batch_se(mean_sq));
  // Volatility clustering: lag-1 autocorrelation of squared returns,
  // rho1 = alpha (1 - alpha beta - beta^2) / (1 - 2 alpha beta - beta^2) = 0.179.
  const double rho1 =
      alpha * (1 - alpha * beta - beta * beta) / (1 - 2 * alpha * beta - beta * beta);
  auto acf = [&](std::size_t from, std::size_t to) { return acf1(slice(r2, from, to)); };
  const double rho1_hat = acf1(r2);
  INFO("lag-1 autocorrelation of squared returns " << rho1_hat << ", theory " << rho1);
  CHECK(std::abs(rho1_hat - rho1) < 5.0 * batch_se(acf));
  CHECK(rho1_hat > 5.0 / std::sqrt(static_cast<double>(n)));  // far from iid

  // Constant volatility: no clustering.
  sc.assets[0].process.garch.reset();
  const auto c = simulate(sc);
  CHECK(std::abs(acf1(squares(c[0]))) < 5.0 / std::sqrt(static_cast<double>(n)));
}

TEST_CASE("Market.PriceProcess.JumpRatesSizesAndCommonJumps") {
  // No diffusion: every non-zero return is a jump.
  const int n = 100000;
  Scenario sc = market(5, n, 0.0);
  sc.market.jumps = {
      {{0, 1}, 2.0, -0.05, 0.02, true, {}},  // common: one draw for both
      {{2}, 4.0, 0.03, 0.01, false, {}},     // one asset
      {{3, 4}, 3.0, -0.02, 0.0, false, {}},  // per asset: independent
  };
  const auto r = simulate(sc);
  auto jumped = [&](std::size_t k, std::size_t t) { return std::abs(r[k][t]) > 1e-12; };
  auto check_rate = [&](std::size_t k, double per_day) {
    const double lambda = per_day * sc.dt_s / 86400.0, p = 1.0 - std::exp(-lambda);
    double count = 0;
    for (std::size_t t = 0; t < r[k].size(); ++t) count += jumped(k, t);
    INFO("asset " << k << ": " << count << " steps with jumps, expected " << n * p);
    CHECK(std::abs(count - n * p) < 5.0 * std::sqrt(n * p * (1 - p)));
  };
  check_rate(0, 2.0);
  check_rate(2, 4.0);
  check_rate(3, 3.0);
  check_rate(4, 3.0);
  // Common jumps: the same steps, the same sizes.
  for (std::size_t t = 0; t < r[0].size(); ++t)
    REQUIRE(r[0][t] == doctest::Approx(r[1][t]).epsilon(1e-12));
  // Mean jump per step: lambda * mean, sd sqrt(lambda (sd^2 + mean^2) / n) (compound Poisson).
  auto check_mean = [&](std::size_t k, double per_day, double m, double s) {
    const double lambda = per_day * sc.dt_s / 86400.0;
    CHECK(std::abs(mean(r[k]) - lambda * m) < 5.0 * std::sqrt(lambda * (s * s + m * m) / n));
  };
  check_mean(0, 2.0, -0.05, 0.02);
  check_mean(2, 4.0, 0.03, 0.01);
  // Per-asset jumps: joint jump steps as for independent assets, n p^2.
  const double p = 1.0 - std::exp(-3.0 * sc.dt_s / 86400.0);
  double both = 0;
  for (std::size_t t = 0; t < r[3].size(); ++t) both += jumped(3, t) && jumped(4, t);
  CHECK(std::abs(both - n * p * p) < 5.0 * std::sqrt(n * p * p * (1 - p * p)));
}

TEST_CASE("Market.PriceProcess.SamePathForSameSeed") {
  Scenario sc = market(3, 300);
  sc.market.innovations = Innovations::StudentT;
  sc.market.nu = 4.0;
  sc.market.correlation = {{0.0, {1, 0.5, 0.2, 0.5, 1, 0.3, 0.2, 0.3, 1}, {}}};
  sc.market.jumps = {{{0, 2}, 5.0, -0.03, 0.02, true, {}}};
  sc.assets[1].process.garch = GarchSpec{0.08, 0.9, std::nullopt, {}};
  CHECK(simulate(sc, 5) == simulate(sc, 5));
  CHECK(simulate(sc, 5) != simulate(sc, 6));
}
