#include "sim/analysis/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <functional>
#include <limits>

namespace cascade {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ975 = 1.959963984540054;

std::vector<double> finite(std::vector<double> v) {
  std::erase_if(v, [](double x) { return std::isnan(x); });
  return v;
}

struct Moments {
  double mean = kNaN, variance = kNaN;
  std::size_t n = 0;
};
Moments moments(const std::vector<double>& v) {
  Moments m;
  m.n = v.size();
  if (m.n == 0) return m;
  double sum = 0.0;
  for (double x : v) sum += x;
  m.mean = sum / static_cast<double>(m.n);
  if (m.n < 2) return m;
  double ss = 0.0;
  for (double x : v) ss += (x - m.mean) * (x - m.mean);
  m.variance = ss / static_cast<double>(m.n - 1);
  return m;
}

Difference finish(Difference d) {
  const double t = t_quantile_975(d.degrees);
  const double diff = d.difference.value, se = d.difference.stderr_;
  d.significant = !std::isnan(diff) && diff != 0.0 &&
                  (se == 0.0 || (!std::isnan(t) && std::fabs(diff) > t * se));
  return d;
}

}  // namespace

double percentile(std::vector<double> values, double q) {
  values = finite(std::move(values));
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(position));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = position - static_cast<double>(lo);
  return values[lo] + frac * (values[hi] - values[lo]);
}

Estimate mean_estimate(const std::vector<double>& values) {
  const Moments m = moments(finite(values));
  return {m.mean, m.n < 2 ? kNaN : std::sqrt(m.variance / static_cast<double>(m.n)), m.n};
}

Estimate binomial(std::size_t k, std::size_t n) {
  if (n == 0) return {kNaN, kNaN, 0};
  const double p = static_cast<double>(k) / static_cast<double>(n);
  return {p, std::sqrt(p * (1.0 - p) / static_cast<double>(n)), n};
}

TailRisk tail_risk(std::vector<double> losses, double level) {
  TailRisk out;
  out.level = level;
  losses = finite(std::move(losses));
  const std::size_t n = losses.size();
  out.var.n = out.es.n = n;
  if (n == 0) {
    out.var.value = out.var.stderr_ = out.es.value = out.es.stderr_ = kNaN;
    return out;
  }
  std::sort(losses.begin(), losses.end());
  const auto nd = static_cast<double>(n);
  out.var.value = percentile(losses, level);
  // Order-statistic 95 % interval of the quantile: ranks n a -/+ z sqrt(n a (1 - a)).
  const double centre = nd * level, half = kZ975 * std::sqrt(nd * level * (1.0 - level));
  const auto rank = [&](double r) {
    return static_cast<std::size_t>(std::clamp(r, 1.0, nd)) - 1;  // 1-based rank -> index
  };
  const double lo = losses[rank(std::floor(centre - half))];
  const double hi = losses[rank(std::ceil(centre + half))];
  out.var.stderr_ = (hi - lo) / (2.0 * kZ975);

  // Tail mean of the worst m = n (1 - a) losses, the fractional one weighted.
  const double m = std::max(nd * (1.0 - level), 1.0);
  const auto whole = static_cast<std::size_t>(std::floor(m));
  double sum = 0.0;
  for (std::size_t i = 0; i < whole; ++i) sum += losses[n - 1 - i];
  if (whole < n && m > static_cast<double>(whole))
    sum += (m - static_cast<double>(whole)) * losses[n - 1 - whole];
  out.es.value = sum / m;
  // Asymptotic variance: (Var(L | tail) + a (ES - VaR)^2) / (n (1 - a)).
  std::vector<double> tail(
      losses.end() - static_cast<std::ptrdiff_t>(std::max<std::size_t>(whole, 1)), losses.end());
  const Moments t = moments(tail);
  // Tail values equal to 12 digits have no spread (not the rounding residue of the mean's
  // subtraction, nor of the outcomes' own cents-of-a-billion arithmetic).
  const bool flat = tail.back() - tail.front() <= 1e-12 * std::max(std::fabs(tail.back()), 1.0);
  const double tail_var = tail.size() < 2 || flat ? 0.0 : t.variance;
  const double raw_gap = out.es.value - out.var.value;
  const double gap =
      std::fabs(raw_gap) <= 1e-12 * std::max(std::fabs(out.es.value), 1.0) ? 0.0 : raw_gap;
  out.es.stderr_ = std::sqrt((tail_var + level * gap * gap) / (nd * (1.0 - level)));
  return out;
}

Difference paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  const std::size_t n = std::min(a.size(), b.size());
  d.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isnan(a[i]) && !std::isnan(b[i])) d.push_back(b[i] - a[i]);
  Difference out;
  out.paired = true;
  out.difference = mean_estimate(d);
  out.degrees = d.size() >= 2 ? static_cast<double>(d.size() - 1) : kNaN;
  return finish(out);
}

Difference welch_difference(const std::vector<double>& a, const std::vector<double>& b) {
  const Moments ma = moments(finite(a)), mb = moments(finite(b));
  Difference out;
  out.difference.value = mb.mean - ma.mean;
  out.difference.n = std::min(ma.n, mb.n);
  if (ma.n < 2 || mb.n < 2) {
    out.difference.stderr_ = out.degrees = kNaN;
    return finish(out);
  }
  const double va = ma.variance / static_cast<double>(ma.n);
  const double vb = mb.variance / static_cast<double>(mb.n);
  out.difference.stderr_ = std::sqrt(va + vb);
  const double denom =
      va * va / static_cast<double>(ma.n - 1) + vb * vb / static_cast<double>(mb.n - 1);
  out.degrees =
      denom > 0.0 ? (va + vb) * (va + vb) / denom : std::numeric_limits<double>::infinity();
  return finish(out);
}

double t_quantile_975(double degrees) {
  if (std::isnan(degrees) || degrees < 1.0) return kNaN;
  if (std::isinf(degrees) || degrees > 1e7) return kZ975;
  return boost::math::quantile(boost::math::students_t_distribution<double>(degrees), 0.975);
}

}  // namespace cascade
