#include "models/bybit_margin.hpp"

namespace cascade {

double BybitTiers::liquidation_price(const IsolatedPosition& p) const noexcept {
  const double lp = p.entry - p.side * (p.margin - maintenance_margin(p)) / p.size;
  return at_positive_price(p.side, lp);
}

double BybitTiers::price_at_margin_ratio(const IsolatedPosition& p, double ratio) const noexcept {
  const double price = p.entry - p.side * (p.margin - maintenance_margin(p) / ratio) / p.size;
  return at_positive_price(p.side, price);
}

}  // namespace cascade
