#include "models/margin_profile.hpp"

namespace cascade {

namespace {
// Binance USDⓈ-M: maintenance on notional at mark with `cum` (maintenance amount); the
// liquidation clearance fee and any leftover margin go to the insurance fund; funding 8-hourly.
constexpr ProfileTraits kBinance{"binance", 0.005, false, 8 * 3600.0};
}  // namespace

const ProfileTraits& traits(Profile p) noexcept {
  switch (p) {
    case Profile::Binance:
    default:
      return kBinance;
  }
}

std::optional<Profile> profile_from_name(std::string_view name) noexcept {
  if (name == "binance") return Profile::Binance;
  return std::nullopt;
}

double MarginRule::maintenance_margin(const IsolatedPosition& p, double mark) const noexcept {
  return tiers_->maintenance_margin(p.size * mark);
}

double MarginRule::liquidation_price(const IsolatedPosition& p) const noexcept {
  return BinanceTiers(*tiers_).liquidation_price(p);
}

double MarginRule::adl_score(const IsolatedPosition& p, double mark) const noexcept {
  // Binance ranks profitable positions by PnL% x effective leverage: PnL% on margin, effective
  // leverage = notional at mark / equity at mark.
  const double upnl = p.side * p.size * (mark - p.entry);
  const double eq = p.margin + upnl;
  if (upnl <= 0.0 || eq <= 0.0) return 0.0;
  return (upnl / p.margin) * (p.size * mark / eq);
}

}  // namespace cascade
