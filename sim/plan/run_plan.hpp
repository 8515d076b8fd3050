#pragma once
// What every path of a run shares, computed once from the Scenario before any thread runs:
// the scheduled-shock increments per step and asset (pre-unlock drifts included), the margin
// rule per asset, the start prices, and the time conversions.
#include <vector>

#include "models/margin_profile.hpp"
#include "sim/plan/market_plan.hpp"
#include "sim/scenario/scenario.hpp"

namespace cascade {

inline constexpr double kSecondsPerYear = 365.0 * 86400.0;

/// The exchange profile named by the scenario.
Profile scenario_profile(const Scenario& sc);

/// The part of `total` that falls in step t (1-based, covering [(t-1)*dt, t*dt)) when `total`
/// is spread evenly over [at, at + over); with over = 0, all of it in the step containing `at`.
/// Shocks, pre-unlock drifts and unlock sales (TWAPs) are spread this way.
double spread_over_step(double total, double at_s, double over_s, int t, double dt_s) noexcept;

struct RunPlan {
  const Scenario* scenario = nullptr;
  double dt_years = 0.0;
  /// shock_log[(t-1)*assets + k]: scheduled log-return of asset k in step t (1-based): shocks
  /// and pre-unlock drifts.
  std::vector<double> shock_log;
  /// Correlation regimes, innovations, jumps and GARCH in per-step units (sim/plan/market_plan.hpp).
  MarketPlan market;
  /// The exchange's margin rule for each asset.
  std::vector<MarginRule> rules;
  /// F(0) per asset, USD: the replay's row at time 0, else `assets.X.price`.
  std::vector<double> start_prices;

  explicit RunPlan(const Scenario& sc);
  std::size_t assets() const noexcept { return scenario->assets.size(); }
  double shock(int step, std::size_t asset) const noexcept {
    return shock_log[static_cast<std::size_t>(step - 1) * assets() + asset];
  }
};

}  // namespace cascade
