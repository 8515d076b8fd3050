// The Monte Carlo estimators of sim/analysis/statistics.hpp against hand-computed cases and a
// known distribution: on exponential(1) losses VaR_a = -ln(1 - a) and ES_a = VaR_a + 1, and the
// standard errors the estimators report match the spread of the estimates over many samples.
#include <doctest/doctest.h>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <vector>

#include "sim/analysis/statistics.hpp"

using namespace cascade;

namespace {

std::vector<double> exponential_sample(std::size_t n, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  boost::random::exponential_distribution<double> exp1(1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = exp1(rng);
  return v;
}

double sd(const std::vector<double>& x) {
  double m = 0, ss = 0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  for (double v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

}  // namespace

TEST_CASE("Analysis.Statistics.BinomialProbability") {
  const Estimate p = binomial(3, 10);
  CHECK(p.value == doctest::Approx(0.3));
  CHECK(p.stderr_ == doctest::Approx(std::sqrt(0.3 * 0.7 / 10)));
  const Estimate q = probability({1.0, 0.0, std::nan(""), 5.0}, [](double x) { return x > 0.5; });
  CHECK(q.n == 3);
  CHECK(q.value == doctest::Approx(2.0 / 3.0));
  CHECK(std::isnan(binomial(0, 0).value));
}

TEST_CASE("Analysis.Statistics.TailRiskByHand") {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  const TailRisk t = tail_risk(v, 0.95);
  CHECK(t.var.value == doctest::Approx(95.05));  // numpy's percentile
  CHECK(t.es.value == doctest::Approx(98.0));    // mean of the worst 5
  std::vector<double> ten;
  for (int i = 1; i <= 10; ++i) ten.push_back(i);
  CHECK(tail_risk(ten, 0.75).es.value == doctest::Approx((10 + 9 + 0.5 * 8) / 2.5));
  CHECK(tail_risk(ten, 0.99).es.value == 10.0);  // fewer than one path in the tail: the worst
  // Losses that are mostly 0 (bad debt): VaR 0, ES the tail mean, errors finite.
  std::vector<double> mostly_zero(1000, 0.0);
  for (int i = 0; i < 20; ++i) mostly_zero[static_cast<std::size_t>(i)] = 100.0 + i;
  const TailRisk z = tail_risk(mostly_zero, 0.95);
  CHECK(z.var.value == 0.0);
  CHECK(z.es.value == doctest::Approx((20 * 100.0 + 190.0 + 30 * 0.0) / 50.0));
  CHECK(std::isfinite(z.es.stderr_));
}

TEST_CASE("Analysis.Statistics.TailRiskOfAKnownDistribution") {
  const auto v = exponential_sample(20000, 11);
  for (double level : {0.95, 0.99}) {
    CAPTURE(level);
    const TailRisk t = tail_risk(v, level);
    const double var = -std::log(1.0 - level), es = var + 1.0;
    CHECK(std::fabs(t.var.value - var) < 4.0 * t.var.stderr_);
    CHECK(std::fabs(t.es.value - es) < 4.0 * t.es.stderr_);
    // The errors are those of the asymptotic theory: VaR sqrt(a(1-a)/n)/f(VaR), f = 1 - a;
    // ES sqrt((1 + a) / (n (1 - a))) for the exponential (tail variance 1, ES - VaR = 1).
    CHECK(t.var.stderr_ ==
          doctest::Approx(std::sqrt(level * (1 - level) / 20000.0) / (1 - level)).epsilon(0.2));
    CHECK(t.es.stderr_ ==
          doctest::Approx(std::sqrt((1 + level) / (20000.0 * (1 - level)))).epsilon(0.2));
  }
}

TEST_CASE("Analysis.Statistics.StandardErrorsMatchTheSpreadOfEstimates") {
  // 400 samples of 2,000 paths: the reported standard error is the spread of the estimates.
  for (double level : {0.95, 0.99}) {
    CAPTURE(level);
    std::vector<double> vars, ess, var_se, es_se;
    for (std::uint64_t s = 0; s < 400; ++s) {
      const TailRisk t = tail_risk(exponential_sample(2000, 100 + s), level);
      vars.push_back(t.var.value);
      ess.push_back(t.es.value);
      var_se.push_back(t.var.stderr_);
      es_se.push_back(t.es.stderr_);
    }
    const auto mean = [](const std::vector<double>& x) {
      double m = 0;
      for (double v : x) m += v;
      return m / static_cast<double>(x.size());
    };
    CHECK(mean(var_se) / sd(vars) == doctest::Approx(1.0).epsilon(0.2));
    CHECK(mean(es_se) / sd(ess) == doctest::Approx(1.0).epsilon(0.2));
  }
}

TEST_CASE("Analysis.Statistics.PairedAndWelchDifferences") {
  boost::random::mt19937_64 rng(5);
  boost::random::normal_distribution<double> normal;
  std::vector<double> a, b;
  for (int i = 0; i < 200; ++i) {
    const double common = 10.0 * normal(rng);  // the path's shared draw
    a.push_back(common);
    b.push_back(common + 1.0 + 0.1 * normal(rng));
  }
  const Difference p = paired_difference(a, b), w = welch_difference(a, b);
  CHECK(p.paired);
  CHECK(p.difference.value == doctest::Approx(w.difference.value));
  CHECK(p.difference.stderr_ == doctest::Approx(0.1 / std::sqrt(200.0)).epsilon(0.15));
  CHECK(w.difference.stderr_ > 50.0 * p.difference.stderr_);
  CHECK(p.significant);
  CHECK(!w.significant);  // a difference of 1 in a spread of 10: not visible without pairing
  CHECK(p.degrees == 199.0);
  CHECK(w.degrees == doctest::Approx(398.0).epsilon(0.01));  // equal n and variances: 2 (n - 1)
  CHECK(t_quantile_975(10.0) == doctest::Approx(2.228138852));
  CHECK(t_quantile_975(1e9) == doctest::Approx(1.959964));
  // A constant shift: zero standard error, significant; equal samples: not.
  CHECK(paired_difference({1, 2, 3}, {2, 3, 4}).significant);
  CHECK(!paired_difference({1, 2, 3}, {1, 2, 3}).significant);
  // NaN pairs are left out.
  CHECK(paired_difference({1, std::nan(""), 3}, {2, 5, 4}).difference.n == 2);
}
