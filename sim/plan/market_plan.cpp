#include "sim/plan/market_plan.hpp"

#include <algorithm>
#include <cmath>

#include "models/correlation.hpp"

namespace cascade {

MarketPlan plan_market(const Scenario& sc, double dt_years) {
  MarketPlan m;
  const std::size_t n = sc.assets.size();
  for (const CorrelationRegime& c : sc.market.correlation) {
    MarketPlan::Regime r;
    r.from_s = c.from_s;
    r.identity = is_identity(c.matrix, n);
    if (!r.identity) {
      r.factor = correlation_factor(c.matrix, n);
      for (std::size_t i = 0; i < n && r.lower; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
          if (r.factor[i * n + j] != 0.0) r.lower = false;
    }
    m.regimes.push_back(std::move(r));
  }
  // Step t covers [(t-1)*dt, t*dt): it uses the last regime whose `from` is at or before its start.
  if (!m.regimes.empty()) {
    m.regime_of_step.assign(static_cast<std::size_t>(sc.steps), 0);
    int r = 0;
    for (int t = 1; t <= sc.steps; ++t) {
      const double start = (t - 1) * sc.dt_s;
      while (r + 1 < static_cast<int>(m.regimes.size()) &&
             m.regimes[static_cast<std::size_t>(r + 1)].from_s <= start)
        ++r;
      m.regime_of_step[static_cast<std::size_t>(t - 1)] = r;
    }
  }

  m.student_t = sc.market.innovations == Innovations::StudentT;
  m.nu = sc.market.nu;

  const double dt_days = sc.dt_s / 86400.0;
  for (const JumpSpec& j : sc.market.jumps)
    m.jumps.push_back(
        {JumpParams{j.rate_per_day * dt_days, j.mean_log, j.sd_log}, j.assets, j.common});

  // GARCH in per-step units: the start variance is the asset's volatility over one step; omega,
  // when not given, makes that the long-run variance too.
  m.volatility.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const ProcessSpec& p = sc.assets[k].process;
    if (!p.garch) continue;
    MarketPlan::Volatility& v = m.volatility[k];
    v.garch = true;
    v.initial_variance = p.volatility_annual * p.volatility_annual * dt_years;
    v.params.alpha = p.garch->alpha;
    v.params.beta = p.garch->beta;
    v.params.omega =
        p.garch->omega ? *p.garch->omega
                       : GarchParams::omega_for(v.initial_variance, v.params.alpha, v.params.beta);
    m.any_garch = true;
  }

  if (!sc.market.volatility_regimes.empty()) {
    std::vector<double> base(n);
    for (std::size_t k = 0; k < n; ++k) base[k] = sc.assets[k].process.volatility_annual;
    m.vol_regimes.push_back(base);
    for (const VolatilityRegime& v : sc.market.volatility_regimes) m.vol_regimes.push_back(v.volatility);
    m.vol_regime_of_step.assign(static_cast<std::size_t>(sc.steps), 0);
    std::size_t r = 0;  // regime r + 1 of the plan is volatility_regimes[r]
    int current = 0;
    for (int t = 1; t <= sc.steps; ++t) {
      const double start = (t - 1) * sc.dt_s;
      while (r < sc.market.volatility_regimes.size() && sc.market.volatility_regimes[r].from_s <= start)
        current = static_cast<int>(++r);
      m.vol_regime_of_step[static_cast<std::size_t>(t - 1)] = current;
    }
  }

  // Pins: reached at the end of step ceil(at/dt), the first step ending at or after `at`.
  for (const ShockSpec& s : sc.shocks) {
    if (s.kind != ShockKind::Bridge) continue;
    if (m.pins.empty()) m.pins.resize(n);
    const int step = std::max(1, static_cast<int>(std::ceil(s.at_s / sc.dt_s - 1e-9)));
    for (int k : s.assets) m.pins[static_cast<std::size_t>(k)].push_back({step, std::log1p(s.move)});
  }
  for (auto& p : m.pins)
    std::sort(p.begin(), p.end(), [](const MarketPlan::Pin& a, const MarketPlan::Pin& b) { return a.step < b.step; });
  m.intrastep_extremes = sc.engine.intrastep_extremes;
  return m;
}

}  // namespace cascade
