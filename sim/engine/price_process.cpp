#include "sim/engine/price_process.hpp"

#include <algorithm>
#include <boost/random/chi_squared_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
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
}

std::vector<double> PriceProcess::initial() const { return plan_.start_prices; }

void PriceProcess::advance(int t, std::vector<double>& f) {
  const Scenario& sc = *plan_.scenario;
  if (sc.replay) {  // exact: the row at t*dt
    f = sc.replay->prices[static_cast<std::size_t>(t)];
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

  // r = mu*dt + sigma*sqrt(dt)*eps + J + S, annualised mu and sigma of the log price.
  const double sqrt_dt = std::sqrt(plan_.dt_years);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& p = sc.assets[k].process;
    const bool garch = m.any_garch && m.volatility[k].garch;
    const double sd = garch ? std::sqrt(garch_[k].variance()) : p.volatility_annual * sqrt_dt;
    const double a = sd * eps_[k];
    double r = p.drift_annual * plan_.dt_years + a;
    if (jumps) r += jump_[k];
    f[k] *= std::exp(r + plan_.shock(t, k));
    if (garch) garch_[k].update(a);
  }
}

}  // namespace cascade
