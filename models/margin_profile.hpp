#pragma once
// An exchange's margin rule for one perpetual: which maintenance convention, which liquidation
// price, what happens to leftover margin, how auto-deleveraging ranks positions (MODEL.md s. 4-5).
//
// The engine holds one MarginRule per asset (built once per run) and asks it only these
// questions; the exchange-specific conventions live behind `Profile`, so adding an exchange is a
// change here, not in the step loop. Profiles are plain data + a switch (no virtual call per
// position). docs/exchanges.md compares them side by side.
#include <cmath>
#include <optional>
#include <string_view>

#include "models/margin_rule.hpp"
#include "models/tier_table.hpp"

namespace cascade {

enum class Profile { Binance, Bybit, Hyperliquid, Dydx };

/// What differs between exchanges beyond the tier numbers.
struct ProfileTraits {
  std::string_view name;
  double default_liquidation_fee;  ///< fraction of liquidated notional
  bool trader_keeps_rest;          ///< leftover margin after the fee returns to the trader
  double funding_interval_s;       ///< s between funding settlements
};

const ProfileTraits& traits(Profile p) noexcept;
std::optional<Profile> profile_from_name(std::string_view name) noexcept;

class MarginRule {
 public:
  MarginRule(Profile profile, const TierTable& tiers) : profile_(profile), tiers_(&tiers) {}

  Profile profile() const noexcept { return profile_; }
  const ProfileTraits& traits() const noexcept { return cascade::traits(profile_); }
  const TierTable& tiers() const noexcept { return *tiers_; }

  /// Maintenance margin of the position when the mark is `mark`, USD.
  double maintenance_margin(const IsolatedPosition& p, double mark) const noexcept;
  /// Price at which an isolated position is liquidated; NaN (kNever) if none.
  double liquidation_price(const IsolatedPosition& p) const noexcept;
  static double bankruptcy_price(const IsolatedPosition& p) noexcept {
    return BinanceTiers::bankruptcy_price(p);
  }
  static double equity(const IsolatedPosition& p, double mark) noexcept {
    return BinanceTiers::equity(p, mark);
  }
  static bool crossed(int side, double liquidation_price, double mark) noexcept {
    return BinanceTiers::crossed(side, liquidation_price, mark);
  }
  /// Auto-deleveraging priority at `mark`: > 0 for profitable positions, higher first;
  /// <= 0 for positions that are not candidates.
  double adl_score(const IsolatedPosition& p, double mark) const noexcept;

 private:
  Profile profile_;
  const TierTable* tiers_;
};

}  // namespace cascade
