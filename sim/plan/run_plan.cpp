#include "sim/plan/run_plan.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

Profile scenario_profile(const Scenario& sc) {
  // The loader has validated the name.
  return profile_from_name(sc.exchange.profile).value_or(Profile::Binance);
}

double spread_over_step(double total, double at_s, double over_s, int t, double dt_s) noexcept {
  const double lo = (t - 1) * dt_s, hi = t * dt_s;
  if (over_s <= 0.0) return (at_s >= lo && at_s < hi) ? total : 0.0;
  const double overlap = std::min(hi, at_s + over_s) - std::max(lo, at_s);
  return overlap > 0.0 ? total * overlap / over_s : 0.0;
}

RunPlan::RunPlan(const Scenario& sc)
    : scenario(&sc), dt_years(sc.dt_s / kSecondsPerYear), market(plan_market(sc, dt_years)) {
  const std::size_t n = sc.assets.size();
  const Profile profile = scenario_profile(sc);
  rules.reserve(n);
  for (const auto& a : sc.assets) rules.emplace_back(profile, a.tiers);
  start_prices.resize(n);
  for (std::size_t k = 0; k < n; ++k)
    start_prices[k] = sc.replay ? sc.replay->prices[0][k] : sc.assets[k].price_usd;
  shock_log.assign(static_cast<std::size_t>(sc.steps) * n, 0.0);
  auto add = [&](double total, double at_s, double over_s, const std::vector<int>& assets) {
    for (int t = 1; t <= sc.steps; ++t)
      if (const double part = spread_over_step(total, at_s, over_s, t, sc.dt_s); part != 0.0)
        for (int k : assets) shock_log[static_cast<std::size_t>(t - 1) * n + static_cast<std::size_t>(k)] += part;
  };
  for (const auto& s : sc.shocks)
    if (s.kind == ShockKind::Spread) add(std::log1p(s.move), s.at_s, s.over_s, s.assets);
  // A pre-unlock drift is a shock over the window before the unlock; the part of a window that
  // starts before time 0 has already happened (it is in the start price).
  for (const auto& u : sc.unlocks)
    if (u.pre_drift != 0.0)
      add(std::log1p(u.pre_drift), u.at_s - u.pre_drift_over_s, u.pre_drift_over_s, {u.asset});
}

}  // namespace cascade
