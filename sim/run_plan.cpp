#include "sim/run_plan.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

Profile scenario_profile(const Scenario& sc) {
  // The loader has validated the name.
  return profile_from_name(sc.exchange.profile).value_or(Profile::Binance);
}

RunPlan::RunPlan(const Scenario& sc)
    : scenario(&sc), dt_years(sc.dt_s / kSecondsPerYear), market(plan_market(sc, dt_years)) {
  const std::size_t n = sc.assets.size();
  const Profile profile = scenario_profile(sc);
  rules.reserve(n);
  for (const auto& a : sc.assets) rules.emplace_back(profile, a.tiers);
  shock_log.assign(static_cast<std::size_t>(sc.steps) * n, 0.0);
  // Step t covers [(t-1)*dt, t*dt). A shock spreads log(1+move) evenly over [at, at+over); an
  // instantaneous one (over = 0) lands whole in the step whose interval contains `at`.
  for (const auto& s : sc.shocks) {
    const double total = std::log1p(s.move);
    for (int t = 1; t <= sc.steps; ++t) {
      const double lo = (t - 1) * sc.dt_s, hi = t * sc.dt_s;
      double part = 0.0;
      if (s.over_s <= 0.0) {
        part = (s.at_s >= lo && s.at_s < hi) ? total : 0.0;
      } else {
        const double overlap = std::min(hi, s.at_s + s.over_s) - std::max(lo, s.at_s);
        part = overlap > 0.0 ? total * overlap / s.over_s : 0.0;
      }
      if (part != 0.0)
        for (int k : s.assets) shock_log[static_cast<std::size_t>(t - 1) * n + static_cast<std::size_t>(k)] += part;
    }
  }
}

}  // namespace cascade
