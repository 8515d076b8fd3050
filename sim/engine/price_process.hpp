#pragma once
// Exogenous fundamental (index) prices of one path (MODEL.md section 2).
//
// The engine asks for F of every asset at each step; how F moves is decided here: a replay
// (exact), or the log-return
//
//   r_k = mu_k*dt + sigma_k,t*sqrt(dt)*eps_k + J_k + S_k
//
// with eps = L*z correlated through the regime in force (L from the run plan), z normal or
// joint Student-t, sigma constant or GARCH(1,1), J compound-Poisson jumps (per asset or common
// to a group) and S the scheduled shocks. docs/market.md documents each part and the draw order.
#include <cstdint>
#include <utility>
#include <vector>

#include "models/garch.hpp"
#include "models/jumps.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/plan/run_plan.hpp"

namespace cascade {

class PriceProcess {
 public:
  PriceProcess(const RunPlan& plan, std::uint64_t seed);

  /// Start prices F(0), one per asset.
  std::vector<double> initial() const;
  /// Advances `f` (F at step t-1, one per asset) to F at step t (1-based). Steps must be
  /// advanced in order 1, 2, ... (GARCH and the random stream carry state).
  void advance(int t, std::vector<double>& f);

  /// With `engine.intrastep_extremes`: the lowest and highest index of asset k inside the step
  /// just advanced, USD (the Brownian bridge's minimum and maximum between the step's start and
  /// end values, each drawn exactly from its closed form; docs/market.md). Without: the end value.
  double step_low(std::size_t k) const noexcept { return low_[k]; }
  double step_high(std::size_t k) const noexcept { return high_[k]; }
  /// The index of asset k at the start of the step just advanced, USD.
  double step_start(std::size_t k) const noexcept { return start_[k]; }

  /// Draws the extremes of a Brownian bridge in log space from x0 to x1 with variance v over the
  /// step, from uniforms u_high, u_low in [0, 1): P(max >= m) = exp(-2 (m - x0)(m - x1) / v) for
  /// m >= max(x0, x1) (and the mirror for the minimum), inverted exactly. Returns {min, max}.
  static std::pair<double, double> bridge_extremes(double x0, double x1, double v, double u_high,
                                                   double u_low) noexcept;

  /// GARCH variance of asset k for the coming step, (log-return)^2 per step (0 without GARCH).
  double garch_variance(std::size_t k) const noexcept {
    return k < garch_.size() ? garch_[k].variance() : 0.0;
  }

 private:
  const RunPlan& plan_;
  Rng rng_;
  std::vector<Garch11> garch_;               ///< per asset (default-constructed without GARCH)
  std::vector<CompoundPoissonJumps> jumps_;  ///< one per market.jumps entry
  std::vector<double> z_, eps_, jump_;       ///< per-step scratch, per asset
  std::vector<double> low_, high_;           ///< the step's extremes, per asset, USD
  std::vector<double> start_, sd_;           ///< the step's start index (USD), diffusive sd
  std::vector<std::size_t> next_pin_;        ///< per asset: index of its next pin (pins)
};

}  // namespace cascade
