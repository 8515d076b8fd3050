#include "sim/price_process.hpp"

#include <cmath>

#include <boost/random/normal_distribution.hpp>

namespace cascade {

PriceProcess::PriceProcess(const RunPlan& plan, std::uint64_t seed) : plan_(plan), rng_(seed) {}

std::vector<double> PriceProcess::initial() const {
  const Scenario& sc = *plan_.scenario;
  std::vector<double> f(sc.assets.size());
  for (std::size_t k = 0; k < f.size(); ++k)
    f[k] = sc.replay ? sc.replay->prices[0][k] : sc.assets[k].price_usd;
  return f;
}

void PriceProcess::advance(int t, std::vector<double>& f) {
  const Scenario& sc = *plan_.scenario;
  if (sc.replay) {  // exact: the row at t*dt
    f = sc.replay->prices[static_cast<std::size_t>(t)];
    return;
  }
  // r = mu*dt + sigma*sqrt(dt)*z + S_t, annualised mu and sigma of the log price.
  boost::random::normal_distribution<double> normal;
  const double sqrt_dt = std::sqrt(plan_.dt_years);
  for (std::size_t k = 0; k < f.size(); ++k) {
    const auto& p = sc.assets[k].process;
    const double z = normal(rng_);
    f[k] *= std::exp(p.drift_annual * plan_.dt_years + p.volatility_annual * sqrt_dt * z +
                     plan_.shock(t, k));
  }
}

}  // namespace cascade
