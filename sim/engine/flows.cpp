// The step's scheduled flows (MODEL.md section 5 step 2, section 7; docs/agents.md): token
// unlocks sold as TWAPs, panic sellers and dip buyers. Per asset they form one signed market
// order, executed before the cascade rounds; every party of the order shares its price.
//
// These traders hold spot tokens, not perpetuals: their tokens are valued at the mark in the
// wealth ledger, and the tokens an unlock creates are new wealth, which
// Engine::explained_wealth_change() accounts for explicitly (MODEL.md section 6).
#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::setup_flows() {
  // The recipient receives the unlocked tokens: one holding per (recipient, asset), so unlocks
  // to the same recipient pool into one inventory, which its TWAPs sell (never more than it holds).
  for (const auto& u : sc_.unlocks) {
    const auto k = static_cast<std::size_t>(u.asset);
    std::size_t h = 0;
    while (h < unlock_holders_.size() && !(unlock_holders_[h].asset == k && unlock_holders_[h].recipient == u.recipient)) ++h;
    if (h == unlock_holders_.size()) unlock_holders_.push_back({k, 0.0, 0.0, u.recipient});
    unlock_holder_of_.push_back(h);
  }
  for (const auto& f : sc_.flows)
    for (int a : f.assets) {
      const auto k = static_cast<std::size_t>(a);
      SpotHolder h{k, 0.0, 0.0, {}};
      if (f.kind == FlowKind::PanicSell) {
        h.tokens = f.budget_usd / assets_[k].start_price;  // holdings worth the budget at the start
        assets_[k].spot_tokens_start += h.tokens;
      } else {
        h.cash = f.budget_usd;
      }
      flow_holders_.push_back(h);
    }
}

double Engine::spot_wealth() const {
  double w = 0.0;
  for (const auto* holders : {&unlock_holders_, &flow_holders_})
    for (const SpotHolder& h : *holders) w += h.cash + h.tokens * assets_[h.asset].mark;
  return w;
}

void Engine::run_flows(int t) {
  bool vault_unwinds = false;  // the liquidator vault sells a share of its inventory each step
  for (const auto& s : assets_) vault_unwinds = vault_unwinds || s.vault_inventory != 0.0;
  vault_unwinds = vault_unwinds && sc_.exchange.backstop.unwind_per_step > 0.0;
  if (unlock_holders_.empty() && flow_holders_.empty() && !vault_unwinds) return;
  // Each holder's signed order this step (base units, buys positive), in a fixed order:
  // unlocks, then flows, as written in the scenario.
  std::vector<double>& orders = flow_orders_;
  orders.assign(unlock_holders_.size(), 0.0);  // first the recipients' scheduled sales
  for (std::size_t j = 0; j < sc_.unlocks.size(); ++j) {
    const UnlockSpec& u = sc_.unlocks[j];
    SpotHolder& h = unlock_holders_[unlock_holder_of_[j]];
    auto& s = assets_[h.asset];
    const double amount = u.fraction_of_supply * *sc_.assets[h.asset].supply;
    if (const double minted = spread_over_step(amount, u.at_s, 0.0, t, sc_.dt_s); minted != 0.0) {
      h.tokens += minted;
      s.minted += minted;
      s.supply += minted;
    }
    orders[unlock_holder_of_[j]] += spread_over_step(amount * u.sell_fraction, u.at_s, u.sell_over_s, t, sc_.dt_s);
  }
  for (std::size_t h = 0; h < unlock_holders_.size(); ++h) orders[h] = -std::min(orders[h], unlock_holders_[h].tokens);
  std::size_t at = 0;
  for (const auto& f : sc_.flows)
    for (std::size_t m = 0; m < f.assets.size(); ++m, ++at) {
      const SpotHolder& h = flow_holders_[at];
      const auto& s = assets_[h.asset];
      const double drawdown = std::max(0.0, 1.0 - s.mark / s.peak_mark);
      const double intensity = std::clamp((drawdown - f.drawdown) / (f.full_drawdown - f.drawdown), 0.0, 1.0);
      double q = 0.0;
      if (intensity > 0.0) {
        const double vol = std::sqrt(s.ret2_ewma / plan_.dt_years);
        const double vol_base = sc_.assets[h.asset].book.vol_base_annual;
        const double boost = std::max(0.0, 1.0 + f.volatility_sensitivity * (vol / vol_base - 1.0));
        const double usd = f.rate_usd_per_hour * sc_.dt_s / 3600.0 * intensity * boost;
        q = f.kind == FlowKind::PanicSell ? -std::min(usd / s.mark, h.tokens)
                                          : std::min(usd, std::max(h.cash, 0.0)) / s.mark;
      }
      orders.push_back(q);
    }

  std::vector<double>& total = flow_totals_;
  total.assign(assets_.size(), 0.0);
  const auto holder = [&](std::size_t o) -> SpotHolder& {
    return o < unlock_holders_.size() ? unlock_holders_[o] : flow_holders_[o - unlock_holders_.size()];
  };
  for (std::size_t o = 0; o < orders.size(); ++o) total[holder(o).asset] += orders[o];
  std::vector<double>& unwind = vault_orders_;
  unwind.assign(assets_.size(), 0.0);
  if (vault_unwinds)
    for (std::size_t k = 0; k < assets_.size(); ++k) {
      unwind[k] = -sc_.exchange.backstop.unwind_per_step * assets_[k].vault_inventory;
      total[k] += unwind[k];
    }
  // One market order per asset; beyond the displacement cap each order fills the same fraction
  // (the rest is cancelled: the holder keeps it for later steps).
  std::vector<RoundFill>& fills = flow_fills_;
  fills.assign(assets_.size(), RoundFill{});
  for (std::size_t k = 0; k < assets_.size(); ++k)
    if (total[k] != 0.0) fills[k] = fill(k, total[k]);
  for (std::size_t o = 0; o < orders.size(); ++o) {
    SpotHolder& h = holder(o);
    const RoundFill& f = fills[h.asset];
    const double q = f.fraction >= 1.0 ? orders[o] : orders[o] * f.fraction;
    if (q == 0.0) continue;
    auto& s = assets_[h.asset];
    const double v = f.price;
    // Double entry with the liquidity providers, who take the other side of the book.
    h.tokens += q;
    h.cash -= q * v;
    s.counter_inventory -= q;
    s.spot_counter_inventory -= q;
    s.counter_cash += q * v;
    s.step_flow += q * v;
    const double usd = std::abs(q) * v;
    if (o < unlock_holders_.size())
      out_.unlock_sold_notional += usd;
    else
      (q < 0.0 ? out_.panic_sold_notional : out_.dip_bought_notional) += usd;
  }
  // The vault's part: perp inventory sold to the book's liquidity providers at the same price.
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    const double q = fills[k].fraction >= 1.0 ? unwind[k] : unwind[k] * fills[k].fraction;
    if (q == 0.0) continue;
    auto& s = assets_[k];
    const double v = fills[k].price;
    s.vault_cost *= 1.0 + q / s.vault_inventory;  // the part sold leaves at its average cost
    s.vault_inventory += q;
    fund_ -= q * v;
    fund_flow_ -= q * v;
    s.counter_inventory -= q;
    s.counter_cash += q * v;
    s.step_flow += q * v;
  }
}

}  // namespace cascade
