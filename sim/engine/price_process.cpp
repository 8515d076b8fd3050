#include "sim/engine/price_process.hpp"

#include <algorithm>
#include <boost/random/chi_squared_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>

namespace cascade {

PriceProcess::PriceProcess(const RunPlan& plan, std::uint64_t seed) : plan_(plan), rng_(seed) {
  const MarketPlan& m = plan_.market;
  const std::size_t n = plan_.assets();
  if (m.any_garch) {
    garch_.resize(n);
    for (std::size_t k = 0; k < n; ++k)
      if (m.volatility[k].garch)
        garch_[k] = Garch11(m.volatility[k].params, m.volatility[k].initial_variance);
  }
  for (const auto& j : m.jumps) jumps_.emplace_back(j.params);
  z_.assign(n, 0.0);
  eps_.assign(n, 0.0);
  jump_.assign(n, 0.0);
  low_ = high_ = start_ = plan_.start_prices;
  sd_.assign(n, 0.0);
  next_pin_.assign(n, 0);
}

std::pair<double, double> PriceProcess::bridge_extremes(double x0, double x1, double v,
                                                        double u_high, double u_low) noexcept {
  // The maximum M of a Brownian bridge from x0 to x1 with variance v over the step has
  // P(M >= m) = exp(-2 (m - x0)(m - x1) / v); setting that to U = 1 - u in (0, 1] and solving the
  // quadratic for m gives M = (x0 + x1 + sqrt((x1 - x0)^2 - 2 v log U)) / 2. The minimum mirrors it.
  const double b2 = (x1 - x0) * (x1 - x0);
  const double hi = 0.5 * (x0 + x1 + std::sqrt(b2 - 2.0 * v * std::log1p(-u_high)));
  const double lo = 0.5 * (x0 + x1 - std::sqrt(b2 - 2.0 * v * std::log1p(-u_low)));
  return {lo, hi};
}

std::vector<double> PriceProcess::initial() const { return plan_.start_prices; }

void PriceProcess::advance(int t, std::vector<double>& f) {
  const Scenario& sc = *plan_.scenario;
  if (sc.replay) {  // exact: the row at t*dt
    f = sc.replay->prices[static_cast<std::size_t>(t)];
    low_ = high_ = f;
    return;
  }
  const MarketPlan& m = plan_.market;
  const std::size_t n = f.size();

  // Draw order, fixed (docs/market.md): one standard normal per asset in asset order; then, with
  // Student-t innovations, one chi-square; then the jumps in the order written, each drawing a
  // Poisson count and its sizes (once for a common jump, else per asset in the order listed).
  // Without `market:` keys this is exactly one normal per asset, as before the market model.
  boost::random::normal_distribution<double> normal;
  for (std::size_t k = 0; k < n; ++k) z_[k] = normal(rng_);

  // eps = L z: correlated, unit variance.
  if (const MarketPlan::Regime* r = m.regime(t)) {
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = &r->factor[i * n];
      const std::size_t end = r->lower ? i + 1 : n;
      double e = 0.0;
      for (std::size_t j = 0; j < end; ++j) e += row[j] * z_[j];
      eps_[i] = e;
    }
  } else {
    eps_ = z_;
  }
  // Joint Student-t: one chi-square draw W for all assets, scaled to unit variance.
  if (m.student_t) {
    boost::random::chi_squared_distribution<double> chi2(m.nu);
    const double s = std::sqrt((m.nu - 2.0) / chi2(rng_));
    for (std::size_t k = 0; k < n; ++k) eps_[k] *= s;
  }

  const bool jumps = !jumps_.empty();
  if (jumps) {
    std::fill(jump_.begin(), jump_.end(), 0.0);
    for (std::size_t i = 0; i < jumps_.size(); ++i) {
      const MarketPlan::Jump& spec = m.jumps[i];
      if (spec.common) {
        const double j = jumps_[i].draw(rng_);
        for (int k : spec.assets) jump_[static_cast<std::size_t>(k)] += j;
      } else {
        for (int k : spec.assets) jump_[static_cast<std::size_t>(k)] += jumps_[i].draw(rng_);
      }
    }
  }

  // r = mu*dt + sigma*sqrt(dt)*eps + J + S, annualised mu and sigma of the log price. A volatility
  // regime replaces sigma (under GARCH it scales the conditional sd by regime / base volatility).
  // A pinned asset, in the window before its pin at step T, takes the Brownian bridge's step
  // instead: with n = T - t + 1 steps left and g the log distance to the target,
  // r = g/n + sqrt((n-1)/n) * a, the exact conditional law of a Gaussian walk's next step given
  // its sum; at t = T it lands on the target. Drift, jumps and spread shocks of a pinned asset
  // are not applied inside the window (the pin says where it is).
  const double sqrt_dt = std::sqrt(plan_.dt_years);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& p = sc.assets[k].process;
    const bool garch = m.any_garch && m.volatility[k].garch;
    const double vol = m.volatility_annual(t, k, p.volatility_annual);
    double sd = garch ? std::sqrt(garch_[k].variance()) : vol * sqrt_dt;
    const double a_garch = sd * eps_[k];
    if (garch && vol != p.volatility_annual)
      sd *= p.volatility_annual > 0.0 ? vol / p.volatility_annual : 0.0;
    const double a = sd * eps_[k];
    const double f_before = f[k];
    const MarketPlan::Pin* pin = nullptr;
    if (!m.pins.empty()) {
      const auto& pins = m.pins[k];
      std::size_t& i = next_pin_[k];
      while (i < pins.size() && pins[i].step < t) ++i;
      if (i < pins.size()) pin = &pins[i];
    }
    if (pin) {
      const double left = static_cast<double>(pin->step - t + 1);
      const double g = std::log(plan_.start_prices[k]) + pin->log_target - std::log(f[k]);
      f[k] = pin->step == t ? plan_.start_prices[k] * std::exp(pin->log_target)
                            : f[k] * std::exp(g / left + std::sqrt((left - 1.0) / left) * a);
    } else {
      double r = p.drift_annual * plan_.dt_years + a;
      if (jumps) r += jump_[k];
      f[k] *= std::exp(r + plan_.shock(t, k));
    }
    if (garch) garch_[k].update(a_garch);
    start_[k] = f_before;
    sd_[k] = sd;  // the step's diffusive sd, for the extremes below
    low_[k] = high_[k] = f[k];
  }
  // Within-step extremes: two uniforms per asset, in asset order, after every other draw.
  if (m.intrastep_extremes) {
    boost::random::uniform_01<double> uniform;
    for (std::size_t k = 0; k < n; ++k) {
      const double u_high = uniform(rng_), u_low = uniform(rng_);
      const auto [lo, hi] =
          bridge_extremes(std::log(start_[k]), std::log(f[k]), sd_[k] * sd_[k], u_high, u_low);
      low_[k] = std::min(std::exp(lo), std::min(start_[k], f[k]));
      high_[k] = std::max(std::exp(hi), std::max(start_[k], f[k]));
    }
  }
}

}  // namespace cascade
