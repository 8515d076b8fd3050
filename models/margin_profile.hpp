#pragma once
// An exchange's margin rule for one perpetual: which maintenance convention, which liquidation
// price, what happens to leftover margin, how auto-deleveraging ranks positions, how funding is
// formed (MODEL.md s. 4-5).
//
// The engine holds one MarginRule per asset (built once per run) and asks it only these
// questions; the exchange-specific conventions live behind `Profile`, so adding an exchange is a
// change here, not in the step loop. Profiles are plain data + a switch (no virtual call per
// position). The per-exchange arithmetic lives in its own files: `BinanceTiers`
// (models/margin_rule.*: maintenance on the notional at the mark, shared by Binance, Hyperliquid
// and dYdX), `BybitTiers` (models/bybit_margin.*: maintenance on the entry value) and the ADL
// rankings (models/adl_ranking.*). docs/exchanges.md compares the profiles side by side, with
// the sources of every formula and number.
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

#include "models/adl_ranking.hpp"
#include "models/margin_rule.hpp"
#include "models/tier_table.hpp"

namespace cascade {

enum class Profile { Binance, Bybit, Hyperliquid, Dydx };

/// What differs between exchanges beyond the tier numbers. All rates are fractions.
struct ProfileTraits {
  std::string_view name;
  double default_liquidation_fee;  ///< fraction of liquidated notional (`exchange.liquidation_fee`)
  bool trader_keeps_rest;          ///< leftover margin after the fee returns to the trader
  double funding_interval_s;       ///< s between funding settlements
  /// Maintenance margin on the position value at entry (Bybit), not at the mark: the
  /// maintenance margin and with it the liquidation price do not move with the mark.
  bool mm_on_entry_value;
  /// Maintenance-margin rate of a tier derived from its max leverage, mmr = 1/(2*max_leverage)
  /// (Hyperliquid); `mmr` is then optional in the tier rows and must agree when given.
  bool mmr_from_max_leverage;
  // Funding: the rate of one interval is, for the interval's average premium index P (the
  // perpetual's premium over the index, a fraction),
  //   F8   = P + clamp(I8 - P, -C8, C8)          (an 8-hour rate; dYdX: C8 = 0, F8 = P)
  //   rate = clamp(F8 * interval/8h, -cap, cap)  (paid once per interval, longs pay when > 0)
  //   cap  = cap_fixed + cap_imr_multiple * imr0 + cap_mmr_multiple * mmr0
  // with imr0 = 1/max_leverage and mmr0 the rates of the first tier. MarginRule::funding_rate
  // evaluates it.
  double funding_interest_8h;       ///< I8, interest component per 8 h
  double funding_clamp_8h;          ///< C8, clamp of I8 - P per 8 h
  double funding_cap_fixed;         ///< fixed part of the per-interval cap
  double funding_cap_imr_multiple;  ///< multiple of the first tier's initial-margin rate
  double funding_cap_mmr_multiple;  ///< multiple of the first tier's maintenance rate
};

const ProfileTraits& traits(Profile p) noexcept;
/// The profile of a scenario name ("binance", "bybit", "hyperliquid", "dydx"), else nullopt.
std::optional<Profile> profile_from_name(std::string_view name) noexcept;
/// Every profile name, in enum order (for messages and did-you-mean).
std::span<const std::string_view> profile_names() noexcept;

/// Maintenance-margin rate the profile derives for a tier of this max leverage (Hyperliquid:
/// half the initial margin at max leverage), or nullopt when the tier row must give it.
std::optional<double> derived_mmr(Profile p, double max_leverage) noexcept;

/// A liquidation's cash flows (MODEL.md s. 5, with the profile's rule for leftover margin):
/// rest = m + s*n*(V - E), fee = min(f*n*V, max(rest, 0)); `to_fund + to_trader == rest`.
struct LiquidationOutcome {
  double notional = 0.0;   ///< n*V, USD
  double rest = 0.0;       ///< margin left at the fill, USD (negative: a deficit)
  double fee = 0.0;        ///< liquidation fee, USD
  double to_fund = 0.0;    ///< to the insurance fund (negative: the fund pays), USD
  double to_trader = 0.0;  ///< returned to the trader's wallet, USD (>= 0)
};

/// Who receives a liquidation's rest under profile traits `t`: with rest >= 0 the fund takes the
/// fee and, unless the trader keeps it (`trader_keeps_rest`), the rest; a negative rest is a
/// deficit for the fund (to_fund = rest < 0). Used for isolated positions (MarginRule::settle)
/// and for cross accounts (rest = the account's equity after all its legs are closed).
LiquidationOutcome split_rest(const ProfileTraits& t, double notional, double rest, double fee) noexcept;

class MarginRule {
 public:
  MarginRule(Profile profile, const TierTable& tiers) : profile_(profile), tiers_(&tiers) {}

  Profile profile() const noexcept { return profile_; }
  const ProfileTraits& traits() const noexcept { return cascade::traits(profile_); }
  const TierTable& tiers() const noexcept { return *tiers_; }

  /// Maintenance margin of the position when the mark is `mark`, USD (Bybit: independent of
  /// the mark, taken on the value at entry).
  double maintenance_margin(const IsolatedPosition& p, double mark) const noexcept;
  /// Price at which an isolated position is liquidated: the root of equity(P) = MM(P); NaN
  /// (kNever) if there is none at a positive price.
  double liquidation_price(const IsolatedPosition& p) const noexcept;
  /// Price at which the margin ratio MM/equity reaches `ratio` (a margin call at ratio < 1; 1 is
  /// the liquidation price). `ratio` must exceed every tier's mmr. NaN when there is none.
  double margin_call_price(const IsolatedPosition& p, double ratio) const noexcept;
  static double bankruptcy_price(const IsolatedPosition& p) noexcept {
    return BinanceTiers::bankruptcy_price(p);
  }
  static double equity(const IsolatedPosition& p, double mark) noexcept {
    return BinanceTiers::equity(p, mark);
  }
  static bool crossed(int side, double liquidation_price, double mark) noexcept {
    return BinanceTiers::crossed(side, liquidation_price, mark);
  }
  /// Auto-deleveraging priority of a candidate (models/adl_ranking.hpp): > 0 for candidates
  /// (profitable, positive equity), higher first; 0 otherwise. dYdX deleverages "against randomly
  /// chosen offsetting positions": its score is `random_key` (in (0, 1], drawn by the caller
  /// from the path's streams) for every candidate. Equal scores are ties the caller breaks
  /// deterministically.
  double adl_score(const AdlView& v, double random_key) const noexcept;

  /// Settlement of a liquidation filled at `fill_price` with fee rate `fee_rate`: the fee and a
  /// deficit always go through the fund; a positive remainder to the trader or to the fund
  /// according to `traits().trader_keeps_rest`.
  LiquidationOutcome settle(const IsolatedPosition& p, double fill_price,
                            double fee_rate) const noexcept;

  /// Funding rate of one interval (`traits().funding_interval_s`) for an average premium index
  /// `premium` (fraction); positive: longs pay shorts. See ProfileTraits.
  double funding_rate(double premium) const noexcept;
  /// The per-interval cap of funding_rate (inf when the profile has none).
  double funding_cap() const noexcept;

 private:
  Profile profile_;
  const TierTable* tiers_;
};

}  // namespace cascade
