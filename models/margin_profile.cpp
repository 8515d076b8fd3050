#include "models/margin_profile.hpp"

#include <algorithm>
#include <array>

#include "models/adl_ranking.hpp"
#include "models/bybit_margin.hpp"

namespace cascade {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kHour = 3600.0;

// The numbers and their sources: docs/exchanges.md.
// Binance USDⓈ-M: maintenance on the notional at the mark with `cum` (maintenance amount); the
// liquidation clearance fee and any leftover margin go to the insurance fund; funding 8-hourly,
// interest 0.01 %/8 h, clamp 0.05 %, cap 0.75 x the first tier's maintenance rate.
constexpr ProfileTraits kBinance{.name = "binance",
                                 .default_liquidation_fee = 0.005,
                                 .trader_keeps_rest = false,
                                 .funding_interval_s = 8 * kHour,
                                 .mm_on_entry_value = false,
                                 .mmr_from_max_leverage = false,
                                 .funding_interest_8h = 0.0001,
                                 .funding_clamp_8h = 0.0005,
                                 .funding_cap_fixed = 0.0,
                                 .funding_cap_imr_multiple = 0.0,
                                 .funding_cap_mmr_multiple = 0.75};
// Bybit USDT perpetual: maintenance on the value at entry minus the tier's deduction; closed at
// the bankruptcy price, so the leftover margin goes to the insurance fund; the liquidated order
// pays the taker fee (0.055 %); funding 8-hourly as Binance's formula (cap: see the docs).
constexpr ProfileTraits kBybit{.name = "bybit",
                               .default_liquidation_fee = 0.00055,
                               .trader_keeps_rest = false,
                               .funding_interval_s = 8 * kHour,
                               .mm_on_entry_value = true,
                               .mmr_from_max_leverage = false,
                               .funding_interest_8h = 0.0001,
                               .funding_clamp_8h = 0.0005,
                               .funding_cap_fixed = 0.0,
                               .funding_cap_imr_multiple = 0.0,
                               .funding_cap_mmr_multiple = 0.75};
// Hyperliquid: mmr = half the initial margin at max leverage, on the notional at the mark with
// a maintenance deduction; liquidated through the book at the taker fee (0.045 %), the remaining
// collateral stays with the trader; ADL at the previous mark; funding hourly at 1/8 of the
// 8-hour rate, cap 4 %/h.
constexpr ProfileTraits kHyperliquid{.name = "hyperliquid",
                                     .default_liquidation_fee = 0.00045,
                                     .trader_keeps_rest = true,
                                     .funding_interval_s = kHour,
                                     .mm_on_entry_value = false,
                                     .mmr_from_max_leverage = true,
                                     .funding_interest_8h = 0.0001,
                                     .funding_clamp_8h = 0.0005,
                                     .funding_cap_fixed = 0.04,
                                     .funding_cap_imr_multiple = 0.0,
                                     .funding_cap_mmr_multiple = 0.0};
// dYdX v4: maintenance margin fraction on the notional at the oracle price; liquidation penalty
// up to 1.5 % to the insurance fund, the rest stays in the account; deleveraging at the
// bankruptcy price; funding hourly = premium/8 (interest 0 for cross markets), the 8-hour
// rate capped at 600 % x (IMF - MMF), i.e. 75 % x (IMF - MMF) per hour.
constexpr ProfileTraits kDydx{.name = "dydx",
                              .default_liquidation_fee = 0.015,
                              .trader_keeps_rest = true,
                              .funding_interval_s = kHour,
                              .mm_on_entry_value = false,
                              .mmr_from_max_leverage = false,
                              .funding_interest_8h = 0.0,
                              .funding_clamp_8h = 0.0,
                              .funding_cap_fixed = 0.0,
                              .funding_cap_imr_multiple = 0.75,
                              .funding_cap_mmr_multiple = -0.75};

constexpr std::array<std::string_view, 4> kNames{kBinance.name, kBybit.name, kHyperliquid.name,
                                                 kDydx.name};

}  // namespace

const ProfileTraits& traits(Profile p) noexcept {
  switch (p) {
    case Profile::Bybit:
      return kBybit;
    case Profile::Hyperliquid:
      return kHyperliquid;
    case Profile::Dydx:
      return kDydx;
    case Profile::Binance:
    default:
      return kBinance;
  }
}

std::optional<Profile> profile_from_name(std::string_view name) noexcept {
  for (const Profile p : {Profile::Binance, Profile::Bybit, Profile::Hyperliquid, Profile::Dydx})
    if (traits(p).name == name) return p;
  return std::nullopt;
}

std::span<const std::string_view> profile_names() noexcept { return kNames; }

std::optional<double> derived_mmr(Profile p, double max_leverage) noexcept {
  if (!traits(p).mmr_from_max_leverage) return std::nullopt;
  return 1.0 / (2.0 * max_leverage);
}

double MarginRule::maintenance_margin(const IsolatedPosition& p, double mark) const noexcept {
  if (traits().mm_on_entry_value) return BybitTiers(*tiers_).maintenance_margin(p);
  return tiers_->maintenance_margin(p.size * mark);
}

double MarginRule::liquidation_price(const IsolatedPosition& p) const noexcept {
  if (traits().mm_on_entry_value) return BybitTiers(*tiers_).liquidation_price(p);
  // Binance, Hyperliquid and dYdX share the convention MM(P) = n*P*mmr(T) - cum(T) with T the
  // tier of n*P (one tier for dYdX's single maintenance fraction); only the numbers differ.
  return BinanceTiers(*tiers_).liquidation_price(p);
}

double MarginRule::margin_call_price(const IsolatedPosition& p, double ratio) const noexcept {
  if (traits().mm_on_entry_value) return BybitTiers(*tiers_).price_at_margin_ratio(p, ratio);
  return BinanceTiers(*tiers_).price_at_margin_ratio(p, ratio);
}

double MarginRule::adl_score(const AdlView& v, double random_key) const noexcept {
  switch (profile_) {
    case Profile::Hyperliquid:
      return adl_hyperliquid_index(v);
    case Profile::Dydx:
      return v.upnl() > 0.0 && v.equity > 0.0 ? random_key : 0.0;
    case Profile::Bybit:
      return adl_pnl_percent_times_leverage(v);
    case Profile::Binance:
    default:
      return adl_binance_leverage_pnl(v);
  }
}

LiquidationOutcome MarginRule::settle(const IsolatedPosition& p, double fill_price,
                                      double fee_rate) const noexcept {
  const LiquidationSettlement s = settle_liquidation(p, fill_price, fee_rate);
  return split_rest(traits(), s.notional, s.rest, s.fee);
}

LiquidationOutcome split_rest(const ProfileTraits& t, double notional, double rest, double fee) noexcept {
  LiquidationOutcome o{notional, rest, fee, rest, 0.0};
  if (t.trader_keeps_rest && rest > 0.0) {
    o.to_fund = fee;
    o.to_trader = rest - fee;
  }
  return o;
}

double MarginRule::funding_cap() const noexcept {
  const ProfileTraits& t = traits();
  const Tier& first = tiers_->rows().front();
  if (t.funding_cap_fixed == 0.0 && t.funding_cap_imr_multiple == 0.0 &&
      t.funding_cap_mmr_multiple == 0.0)
    return kInf;
  const double cap = t.funding_cap_fixed + t.funding_cap_imr_multiple / first.max_leverage +
                     t.funding_cap_mmr_multiple * first.mmr;
  return std::max(cap, 0.0);
}

double MarginRule::funding_rate(double premium) const noexcept {
  const ProfileTraits& t = traits();
  const double clamp8 = t.funding_clamp_8h;
  const double f8 = premium + std::clamp(t.funding_interest_8h - premium, -clamp8, clamp8);
  const double cap = funding_cap();
  return std::clamp(f8 * t.funding_interval_s / (8 * kHour), -cap, cap);
}

}  // namespace cascade
