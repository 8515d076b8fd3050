#include "models/adl_ranking.hpp"

namespace cascade {

double adl_pnl_times_leverage(const IsolatedPosition& p, double mark) noexcept {
  const double upnl = p.side * p.size * (mark - p.entry);
  const double eq = p.margin + upnl;
  if (upnl <= 0.0 || eq <= 0.0) return 0.0;
  return (upnl / p.margin) * (p.size * mark / eq);
}

double adl_hyperliquid_index(const IsolatedPosition& p, double mark) noexcept {
  const double upnl = p.side * p.size * (mark - p.entry);
  const double eq = p.margin + upnl;
  if (upnl <= 0.0 || eq <= 0.0) return 0.0;
  const double price_ratio = 1.0 + p.side * (mark - p.entry) / p.entry;
  return price_ratio * (p.size * mark / eq);
}

double adl_offsetting(const IsolatedPosition& p, double mark) noexcept {
  return BinanceTiers::equity(p, mark) > 0.0 ? 1.0 : 0.0;
}

}  // namespace cascade
