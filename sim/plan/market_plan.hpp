#pragma once
// The joint dynamics of the exogenous prices, prepared once per run (MODEL.md section 2).
//
// Everything about the market that does not depend on the path is computed here before any
// thread runs and shared read-only by all paths: the factor of each correlation regime (Eigen
// LLT, once per regime, not per step), the regime in force in each step, per-step jump rates,
// the GARCH parameters in per-step units. PriceProcess then only draws and combines, O(assets^2)
// per step at most.
#include <cstddef>
#include <vector>

#include "models/garch.hpp"
#include "models/jumps.hpp"
#include "sim/scenario/scenario.hpp"

namespace cascade {

struct MarketPlan {
  /// One correlation regime: its factor L (assets x assets, row-major, L*L^T = C).
  struct Regime {
    double from_s = 0.0;
    std::vector<double> factor;
    bool identity = true;  ///< C = I: eps = z, no product
    bool lower = true;     ///< factor is lower-triangular (Cholesky); false for a singular C
  };
  struct Jump {
    JumpParams params;  ///< rate per step
    std::vector<int> assets;
    bool common = false;
  };
  struct Volatility {
    bool garch = false;
    GarchParams params;           ///< per-step units (when garch)
    double initial_variance = 0;  ///< sigma^2 of step 1, per step (when garch)
  };

  std::vector<Regime> regimes;      ///< empty: independent assets
  std::vector<int> regime_of_step;  ///< [t-1]: regime index of step t (when regimes exist)
  bool student_t = false;
  double nu = 0.0;
  std::vector<Jump> jumps;
  std::vector<Volatility> volatility;  ///< per asset
  bool any_garch = false;
  /// Volatility regimes: vol_regimes[r][k] is asset k's annualised volatility in regime r
  /// (regime 0 the assets' own `volatility`); vol_regime_of_step[t-1] the regime of step t.
  /// Both empty without `market.volatility_regimes`.
  std::vector<std::vector<double>> vol_regimes;
  std::vector<int> vol_regime_of_step;
  /// A pinned path (`kind: bridge` shock) of one asset: the log of the index relative to the
  /// start price at the end of step `step` is `log_target`.
  struct Pin {
    int step = 0;
    double log_target = 0.0;
  };
  std::vector<std::vector<Pin>> pins;  ///< per asset, by increasing step (empty: no pins)
  bool intrastep_extremes = false;

  /// Annualised volatility of asset k in step t (1-based): its regime's, else `fallback`.
  double volatility_annual(int t, std::size_t k, double fallback) const noexcept {
    if (vol_regimes.empty()) return fallback;
    return vol_regimes[static_cast<std::size_t>(vol_regime_of_step[static_cast<std::size_t>(t - 1)])][k];
  }

  /// The regime in force in step t (1-based), or nullptr for independent assets.
  const Regime* regime(int t) const noexcept {
    if (regimes.empty()) return nullptr;
    const Regime& r =
        regimes[static_cast<std::size_t>(regime_of_step[static_cast<std::size_t>(t - 1)])];
    return r.identity ? nullptr : &r;
  }
};

/// Builds the plan of a validated scenario; `dt_years` is dt in years (RunPlan::dt_years).
MarketPlan plan_market(const Scenario& sc, double dt_years);

}  // namespace cascade
