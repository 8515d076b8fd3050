// Settlement of what a round closed: the insurance fund, auto-deleveraging and bad debt
// (MODEL.md section 5; docs/engine.md "Settlement and the insurance fund", "Auto-deleveraging").
#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::settle_cross_account(int t, int round, std::size_t slot, const std::vector<double>& prices) {
  auto& acct = cross_[slot];
  const double equity = acct.wallet + cross_realized_[slot];
  const double fee = std::fmin(fee_rate_ * cross_notional_[slot], std::fmax(equity, 0.0));
  // A deficit is shared by the account's positions in proportion to notional; each share is
  // deleveraged at the price where that position alone would have closed the account at zero.
  std::vector<DeficitShare> shares;
  if (equity < 0.0) {
    for (std::uint32_t i : cross_closing_[slot]) {
      const auto k = static_cast<std::size_t>(pos_.asset[i]);
      const double w = pos_.size[i] * prices[k] / cross_notional_[slot];
      shares.push_back({k, pos_.side[i], prices[k] + pos_.side[i] * (-equity) * w / pos_.size[i], w});
    }
  }
  acct.wallet = 0.0;
  cross_realized_[slot] = 0.0;
  cross_notional_[slot] = 0.0;
  cross_closing_[slot].clear();
  settle_rest(equity, fee, shares, t, round);
}

void Engine::settle_rest(double rest, double fee, const std::vector<DeficitShare>& shares, int t, int round) {
  out_.fees += fee;
  if (rest >= 0.0) {
    // Binance/Bybit: the fund takes the fee and whatever is left; Hyperliquid/dYdX: the trader
    // keeps what is left after the fee.
    const double to_fund = trader_keeps_rest_ ? fee : rest;
    fund_ += to_fund;
    fund_flow_ += to_fund;
    if (trader_keeps_rest_) retained_ += rest - fee;
    return;
  }
  const double deficit = -rest;
  const double paid = std::min(fund_, deficit);
  fund_ -= paid;
  fund_flow_ -= paid;
  const double uncovered = deficit - paid;
  if (uncovered <= 0.0) return;
  double covered = 0.0;
  for (const auto& share : shares) covered += auto_deleverage(share, uncovered * share.weight, t, round);
  bad_debt_ += uncovered - covered;
}

double Engine::auto_deleverage(const DeficitShare& share, double deficit, int t, int round) {
  const std::size_t k = share.asset;
  auto& s = assets_[k];
  const int sj = -share.side;  // deleveraged positions are on the other side
  const double per_unit = share.side * (share.price - s.mark);
  if (!(per_unit > 0.0) || !(deficit > 0.0)) return 0.0;
  const std::size_t idx = 2 * k + (sj > 0 ? 0 : 1);
  auto& rank = adl_rank_[idx];
  if (!adl_ranked_[idx]) {
    // Profitable positions on the other side, best ADL score first (ties: lower index). Scanning
    // the asset is acceptable here: ADL only runs once the insurance fund is exhausted.
    std::vector<std::pair<double, std::uint32_t>> scored;
    for (std::size_t i = 0; i < pos_.count(); ++i) {
      if (!pos_.open[i] || pos_.asset[i] != static_cast<std::int32_t>(k) || pos_.side[i] != sj) continue;
      IsolatedPosition p = pos_.isolated(i);
      p.margin = settled_margin(i);
      if (pos_.cross[i]) {  // rank a cross position on its share of the account's wallet
        const auto& acct = cross_[static_cast<std::size_t>(cross_slot_[i])];
        p.margin = acct.wallet / static_cast<double>(acct.positions.size());
      }
      const double score = plan_.rules[k].adl_score(p, s.mark);
      if (score > 0.0) scored.emplace_back(-score, static_cast<std::uint32_t>(i));
    }
    std::sort(scored.begin(), scored.end());
    rank.clear();
    for (const auto& [neg, i] : scored) rank.push_back(i);
    adl_cursor_[idx] = 0;
    adl_ranked_[idx] = 1;
  }
  double covered = 0.0;
  for (auto& c = adl_cursor_[idx]; c < rank.size() && covered < deficit; ++c) {
    const std::uint32_t j = rank[c];
    if (!pos_.open[j]) continue;
    settle_funding(j);
    touch(j);
    const double n = pos_.size[j];
    const double y = std::min(n, (deficit - covered) / per_unit);
    const double transfer = per_unit * y;  // what closing at the bankruptcy price costs j vs the mark
    // j closes y at the mark against the hedger (value-neutral), then pays `transfer`.
    s.counter_inventory += share.side * y * -1.0;
    s.counter_cash += share.side * y * s.mark;
    const double pnl = sj * y * (s.mark - pos_.entry[j]) - transfer;
    if (pos_.cross[j]) {
      cross_[static_cast<std::size_t>(cross_slot_[j])].wallet += pnl;
    } else {
      const double released = pos_.margin[j] * (y / n);
      pos_.margin.mut(j) -= released;
      retained_ += released + pnl;
    }
    (sj > 0 ? s.open_long_size : s.open_short_size) -= y;
    covered += transfer;
    out_.adl_count += 1;
    out_.adl_notional += y * share.price;
    if (sinks_.adl_events)
      sinks_.adl_events->push_back(LiquidationEvent{point_, path_, t, round, static_cast<std::int32_t>(k),
                                                    static_cast<std::int64_t>(j), pos_.side[j], y,
                                                    share.price, pos_.bankruptcy_price[j]});
    if (y >= n) {
      pos_.open.set(j, 0);
      pos_.size.set(j, 0.0);
    } else {
      pos_.size.set(j, n - y);
      if (!pos_.cross[j]) queue_isolated(j);
    }
    if (pos_.cross[j]) {
      const auto slot = static_cast<std::size_t>(cross_slot_[j]);
      if (!cross_.arm(slot, pos_, marks(), plan_.rules)) unhealthy_cross_.push_back(static_cast<std::uint32_t>(slot));
    }
    if (y < n) break;  // the deficit is covered
  }
  return covered;
}

}  // namespace cascade
