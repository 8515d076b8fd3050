#pragma once
// Scenarios built in code for engine tests (no YAML: the engine only sees frozen data).
#include <cmath>
#include <cstdint>
#include <vector>

#include "models/margin_rule.hpp"
#include "sim/scenario/scenario.hpp"

namespace cascade::testing {

/// Deterministic pseudo-random numbers for fixtures (not the engine's streams).
struct Lcg {
  std::uint64_t s;
  double uniform() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  }
};

inline AssetSpec aix_asset(const std::string& name, double price, double depth_1pct) {
  AssetSpec a;
  a.name = name;
  a.price_usd = price;
  a.tiers = TierTable({{0, 20, 0.02, 0}, {5000, 15, 0.025, 0}, {25000, 10, 0.05, 0}});
  a.book.depth_1pct_usd = depth_1pct;
  a.book.beta = 2.0;
  a.book.tau_refill_s = 600.0;
  return a;
}

/// Two assets driven by a replay that falls 12 % (AIX) and 4 % (BIX) over a few steps, then
/// recovers; `n` positions per asset of 10x-19x leverage around the start price. Books are thin
/// enough that liquidations feed further liquidations within a step.
inline Scenario replay_cascade(int n, std::uint64_t fixture_seed = 1) {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = 12;
  sc.dt_s = 60.0;
  sc.paths = 1;
  sc.exchange.liquidation_fee = 0.005;
  sc.exchange.insurance_fund_usd = 1.0e12;
  sc.engine.max_rounds = 50;
  sc.assets = {aix_asset("AIX", 2.0, 60000.0), aix_asset("BIX", 10.0, 150000.0)};
  const double drop[] = {0, -0.01, -0.03, -0.06, -0.09, -0.12, -0.10, -0.08, -0.05, -0.04, -0.02, 0, 0.01};
  ReplaySpec r;
  r.file = "fixture.csv";
  for (int t = 0; t <= sc.steps; ++t)
    r.prices.push_back({2.0 * (1.0 + drop[t]), 10.0 * (1.0 + drop[t] / 3.0)});
  sc.replay = r;
  Lcg g{fixture_seed};
  for (int k = 0; k < 2; ++k) {
    const double p0 = sc.assets[static_cast<std::size_t>(k)].price_usd;
    for (int i = 0; i < n; ++i) {
      PositionSpec p;
      p.account = static_cast<int>(sc.accounts.size());
      sc.accounts.push_back({"acct" + std::to_string(sc.accounts.size()), std::nullopt});
      p.asset = k;
      p.side = g.uniform() < 0.62 ? 1 : -1;
      p.entry_usd = p0 * (1.0 + 0.01 * (g.uniform() - 0.5));
      const double notional = 200.0 + 6000.0 * g.uniform() * g.uniform();
      p.size = notional / p.entry_usd;
      p.margin_usd = notional / (10.0 + 9.0 * g.uniform());
      sc.positions.push_back(p);
    }
  }
  return sc;
}

/// Sampled populations and a scheduled shock (the Monte Carlo path).
inline Scenario sampled_shock(int paths) {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = 40;
  sc.dt_s = 300.0;
  sc.paths = paths;
  sc.seed = 99;
  sc.exchange.insurance_fund_usd = 2.0e5;
  sc.assets = {aix_asset("AIX", 2.0, 150000.0), aix_asset("BIX", 10.0, 400000.0)};
  sc.assets[0].process.volatility_annual = 1.5;
  sc.assets[1].process.volatility_annual = 0.8;
  sc.assets[0].book.eta = 0.5;
  for (auto& a : sc.assets) {
    PopulationSpec pop;
    pop.count = 400;
    pop.long_share = 0.6;
    pop.leverage_mean = 15.0;
    pop.notional_median_usd = 1500.0;
    pop.notional_dispersion = 1.2;
    pop.entry_spread = 0.01;
    a.population = pop;
  }
  ShockSpec s;
  s.at_s = 1800.0;
  s.over_s = 900.0;
  s.move = -0.15;
  s.assets = {0};
  sc.shocks = {s};
  sc.output.events = true;
  sc.output.timeseries_paths = {0, 2};
  return sc;
}

/// The whale fixture: one AIX asset on a 60,000 USD book; the index gaps from 2.0 to 1.9 and
/// stays; a whale long (liquidation price 1.92) whose liquidation drags the mark through a
/// small long's price (1.88) in the next round.
inline Scenario whale_and_minnow() {
  Scenario sc;
  sc.file = "fixture";
  sc.steps = 2;
  sc.dt_s = 60.0;
  sc.exchange.insurance_fund_usd = 1e9;
  sc.assets = {aix_asset("AIX", 2.0, 60000.0)};
  sc.replay = ReplaySpec{"fixture.csv", {{2.0}, {1.9}, {1.9}}};
  sc.accounts = {{"whale", std::nullopt}, {"small", std::nullopt}};
  const BinanceTiers rule(sc.assets[0].tiers);
  auto with_lp = [&](int account, double size, double lp) {
    // Margin for a long of `size` at 2.0 whose liquidation price is `lp`, found by bisection.
    double lo = 0.0, hi = size * 2.0;
    for (int i = 0; i < 200; ++i) {
      const double m = 0.5 * (lo + hi);
      (rule.liquidation_price({1, size, 2.0, m}) > lp ? lo : hi) = m;
    }
    return PositionSpec{account, 0, 1, size, 2.0, hi, false, 0};
  };
  sc.positions = {with_lp(0, 284000.0, 1.92), with_lp(1, 1000.0, 1.88)};
  return sc;
}

}  // namespace cascade::testing
