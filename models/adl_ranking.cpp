#include "models/adl_ranking.hpp"

#include <algorithm>

namespace cascade {

double adl_binance_leverage_pnl(const AdlView& v) noexcept {
  const double upnl = v.upnl();
  if (!(upnl > 0.0) || !(v.equity > 0.0)) return 0.0;
  const double pnl_percent = upnl / std::max(1.0, v.wallet);
  return pnl_percent * (v.maintenance / v.equity);
}

double adl_pnl_percent_times_leverage(const AdlView& v) noexcept {
  const double upnl = v.upnl();
  if (!(upnl > 0.0) || !(v.equity > 0.0)) return 0.0;
  const double pnl_percent = upnl / (v.size * v.entry);
  return pnl_percent * (v.notional() / v.equity);
}

double adl_hyperliquid_index(const AdlView& v) noexcept {
  const double upnl = v.upnl();
  if (!(upnl > 0.0) || !(v.equity > 0.0)) return 0.0;
  const double price_ratio = 1.0 + v.side * (v.mark - v.entry) / v.entry;
  return price_ratio * (v.notional() / v.equity);
}

}  // namespace cascade
