#pragma once
// Maintenance margin, liquidation and bankruptcy prices of isolated positions (MODEL.md s. 4).
//
// `BinanceTiers` is the Binance USDⓈ-M convention: maintenance margin on notional at the mark,
// MM(P) = n*P*mmr(T) - cum(T) with the bracket T chosen by n*P. Because `cum` makes MM
// continuous in P and equity - MM is strictly monotone in P (slope n*(1 - mmr) for longs,
// -n*(1 + mmr) for shorts), there is exactly one liquidation price; we find its bracket by the
// sign of equity - MM at the bracket floors rather than by testing every bracket's candidate
// against its own bounds, which is fragile at the floors in floating point. Other exchange
// profiles (issue 3) add siblings with the same interface.
#include <cmath>
#include <limits>

#include "models/tier_table.hpp"

namespace cascade {

/// The margin state of one isolated position.
struct IsolatedPosition {
  int side = 1;            ///< +1 long, -1 short
  double size = 0.0;       ///< n, base units
  double entry = 0.0;      ///< E, USD per base unit
  double margin = 0.0;     ///< m, USD
};

inline constexpr double kNever = std::numeric_limits<double>::quiet_NaN();

/// A threshold price solved from a linear condition, as the engine uses it: a long is crossed
/// when the mark falls to it, so a root at or below zero means never (NaN); a short is crossed
/// when the mark rises to it, so a root at or below zero means at any price (0: every positive
/// mark has crossed it) — a short whose margin is gone, for example after a partial close
/// beyond its bankruptcy price.
inline double at_positive_price(int side, double root) noexcept {
  if (root > 0.0) return root;
  return side > 0 ? kNever : 0.0;
}

class BinanceTiers {
 public:
  explicit BinanceTiers(const TierTable& tiers) : tiers_(&tiers) {}

  /// MM(P) = n*P*mmr - cum, USD.
  double maintenance_margin(const IsolatedPosition& p, double price) const noexcept {
    return tiers_->maintenance_margin(p.size * price);
  }
  /// equity(P) = m + s*n*(P - E), USD.
  static double equity(const IsolatedPosition& p, double price) noexcept {
    return p.margin + p.side * p.size * (price - p.entry);
  }
  /// BP = E - s*m/n, USD per base unit.
  static double bankruptcy_price(const IsolatedPosition& p) noexcept {
    return p.entry - p.side * p.margin / p.size;
  }
  /// LP = (s*n*E - m - cum)/(n*(s - mmr)) of the bracket containing n*LP; NaN (kNever) when a
  /// long cannot be liquidated at any positive price, 0 when a short is liquidated at any price.
  double liquidation_price(const IsolatedPosition& p) const noexcept {
    return price_at_margin_ratio(p, 1.0);
  }
  /// The price P at which the margin ratio MM(P)/equity(P) reaches `ratio` (in (max mmr, 1]):
  /// the root of ratio*equity(P) = MM(P), (r*s*n*E - r*m - cum)/(n*(r*s - mmr)) in its
  /// bracket; ratio 1 is the liquidation price. NaN (kNever) when there is none at P > 0.
  double price_at_margin_ratio(const IsolatedPosition& p, double ratio) const noexcept;
  /// True when the mark has reached LP (long: mark <= LP; short: mark >= LP).
  static bool crossed(int side, double liquidation_price, double mark) noexcept {
    return side > 0 ? mark <= liquidation_price : mark >= liquidation_price;
  }

 private:
  const TierTable* tiers_;
};

/// Settlement of a liquidation filled at V with fee rate f (MODEL.md section 5):
/// rest = m + s*n*(V - E), fee = min(f*n*V, max(rest, 0)). Who receives the rest is the
/// profile's rule (MarginRule::settle, models/margin_profile.hpp).
struct LiquidationSettlement {
  double notional = 0.0;  ///< n*V, USD
  double rest = 0.0;      ///< USD (negative: a deficit)
  double fee = 0.0;       ///< USD
};

inline LiquidationSettlement settle_liquidation(const IsolatedPosition& p, double fill_price,
                                                double fee_rate) noexcept {
  LiquidationSettlement s;
  s.notional = p.size * fill_price;
  s.rest = p.margin + p.side * p.size * (fill_price - p.entry);
  s.fee = std::fmin(fee_rate * s.notional, std::fmax(s.rest, 0.0));
  return s;
}

}  // namespace cascade
