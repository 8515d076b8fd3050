#pragma once
// Monte Carlo estimators with their standard errors (docs/analysis.md, "Estimators"): what a risk
// question asks of the paths of one run — a percentile, a probability, a value at risk and an
// expected shortfall, the difference between two runs — each with the Monte Carlo standard error
// that says how far it may be from its value with infinitely many paths.
//
// Estimators (n paths, values x_i, NaN values left out):
// - percentile: linear interpolation between order statistics (numpy's default);
// - probability of an event: k/n, binomial standard error sqrt(p (1 - p) / n);
// - VaR_a (value at risk at level a): the a-percentile of the loss; standard error from the
//   distribution-free order-statistic interval: the ranks n*a -/+ 1.96 sqrt(n a (1 - a)) bound a
//   95 % confidence interval of the quantile, and stderr = its width / (2 * 1.96) (no density
//   estimate needed, right for the atoms at 0 that losses have);
// - ES_a (expected shortfall): the mean of the worst n (1 - a) losses, the fractional one
//   weighted (Acerbi and Tasche 2002); asymptotic standard error
//   sqrt((Var(L | L >= VaR) + a (ES - VaR)^2) / (n (1 - a))) (Brazauskas et al. 2008);
// - difference b - a: paired (mean of b_i - a_i, stderr sd / sqrt(n)) when the two runs share
//   their paths (same seed and path indices: common random numbers), else Welch's unpaired
//   difference of means; significant when |difference| exceeds the two-sided 95 % Student t
//   quantile times its standard error.
#include <cstddef>
#include <string>
#include <vector>

namespace cascade {

/// Percentile `q` in [0, 1] of the non-NaN values, linearly interpolated between order
/// statistics (numpy's default, `np.nanpercentile(v, 100*q)`); NaN when there are none.
double percentile(std::vector<double> values, double q);

/// An estimate and its Monte Carlo standard error (NaN when it cannot be estimated).
struct Estimate {
  double value = 0.0;
  double stderr_ = 0.0;
  std::size_t n = 0;  ///< observations used
};

/// Mean of the non-NaN values; stderr = sample sd / sqrt(n).
Estimate mean_estimate(const std::vector<double>& values);

/// k successes of n: p = k/n, stderr sqrt(p (1 - p) / n).
Estimate binomial(std::size_t k, std::size_t n);

/// Share of the non-NaN values for which `event` holds; binomial stderr.
template <class Event>
Estimate probability(const std::vector<double>& values, Event event) {
  std::size_t n = 0, k = 0;
  for (double v : values)
    if (v == v) {
      ++n;
      k += event(v) ? 1 : 0;
    }
  return binomial(k, n);
}

/// Value at risk and expected shortfall of a loss at level `level` (0.95, 0.99).
struct TailRisk {
  double level = 0.0;
  Estimate var, es;
};
TailRisk tail_risk(std::vector<double> losses, double level);

/// b - a with its standard error.
struct Difference {
  bool paired = false;
  Estimate difference;       ///< value: mean(b) - mean(a); stderr
  double degrees = 0.0;      ///< of the t distribution (n - 1 paired, Welch-Satterthwaite)
  bool significant = false;  ///< |difference| > t(0.975, degrees) * stderr
};
/// Paired: a[i] and b[i] are the same path (pairs with a NaN are left out).
Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b);
/// Welch: independent samples.
Difference welch_difference(const std::vector<double>& a, const std::vector<double>& b);

/// The two-sided 95 % quantile of Student's t with `degrees` degrees of freedom (1.96 for
/// infinity); NaN below 1 degree.
double t_quantile_975(double degrees);

}  // namespace cascade
