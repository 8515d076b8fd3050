#pragma once
// Bybit USDT-perpetual isolated margin (docs/exchanges.md, "bybit").
//
// Bybit takes the maintenance margin on the position value at entry, with the risk-limit tier
// of that value: MM = n*E*mmr(T) - deduction(T), T the tier containing n*E. The "MM deduction"
// obeys the same recurrence as Binance's maintenance amount (deduction_k = deduction_{k-1} +
// floor_k*(mmr_k - mmr_{k-1}), floor_k the risk limit of tier k-1), so the TierTable's derived
// `cum` is the deduction. Because MM does not move with the mark, the liquidation condition
// equity(P) = MM is linear in P and its root is Bybit's published closed form
//   LP = E - s*(IM - MM)/n - s*extra/n = E - s*(m - MM)/n     (m = IM + extra margin),
// unique, with no bracket search.
#include "models/margin_rule.hpp"
#include "models/tier_table.hpp"

namespace cascade {

class BybitTiers {
 public:
  explicit BybitTiers(const TierTable& tiers) : tiers_(&tiers) {}

  /// MM = n*E*mmr - deduction of the tier containing the entry value n*E, USD.
  double maintenance_margin(const IsolatedPosition& p) const noexcept {
    return tiers_->maintenance_margin(p.size * p.entry);
  }
  /// LP = E - s*(m - MM)/n, USD per base unit; not positive: NaN (never) for a long, 0 (at any
  /// price) for a short.
  double liquidation_price(const IsolatedPosition& p) const noexcept;
  /// The price at which MM/equity reaches `ratio`: E - s*(m - MM/ratio)/n; not positive: as for LP.
  double price_at_margin_ratio(const IsolatedPosition& p, double ratio) const noexcept;

 private:
  const TierTable* tiers_;
};

}  // namespace cascade
