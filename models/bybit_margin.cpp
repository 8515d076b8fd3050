#include "models/bybit_margin.hpp"

namespace cascade {

double BybitTiers::liquidation_price(const IsolatedPosition& p) const noexcept {
  const double lp = p.entry - p.side * (p.margin - maintenance_margin(p)) / p.size;
  return lp > 0.0 ? lp : kNever;
}

}  // namespace cascade
