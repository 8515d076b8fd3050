#pragma once
// Auto-deleveraging queues: which profitable opposite positions an exchange closes first when
// the insurance fund cannot cover a deficit (MODEL.md section 5.1; docs/exchanges.md, "ADL").
//
// Each function scores one candidate at the mark: > 0 for a candidate, higher first; 0 for a
// position that is not one (only profitable positions are: unrealised PnL > 0). Scores compare
// only within one profile. A candidate is seen through an AdlView: the position and the
// collateral behind it — its isolated margin, or for a cross position the account's wallet,
// equity and maintenance margin (venues rank cross positions on the account's numbers).
namespace cascade {

struct AdlView {
  int side = 1;         ///< +1 long, -1 short
  double size = 0.0;    ///< base units
  double entry = 0.0;   ///< USD per base unit
  double mark = 0.0;    ///< USD per base unit
  double wallet = 0.0;  ///< isolated margin (funding settled), or the cross account's wallet, USD
  double equity =
      0.0;  ///< wallet + unrealised PnL of what it backs (the position or the account), USD
  double maintenance = 0.0;  ///< maintenance margin of what it backs at the mark, USD
  double upnl() const noexcept { return side * size * (mark - entry); }
  double notional() const noexcept { return size * mark; }
};

/// Binance "LeveragePnL" (FAQ 360033525471, "What Is Auto-Deleveraging (ADL)"):
///   PnL percent  = max(0, unrealised PnL) / max(1, wallet balance)
///   margin ratio = maintenance margin / (wallet balance + unrealised PnL)   (0 if that is <= 0)
///   LeveragePnL  = PnL percent x margin ratio.
double adl_binance_leverage_pnl(const AdlView& v) noexcept;

/// BitMEX's ranking, which Bybit publishes the same way ("highest profit and effective
/// leverage"): PnL percentage x effective leverage, with PnL percentage = (mark value - entry
/// value) / |entry value| and effective leverage = |mark value| / (mark value - bankruptcy value)
/// = notional / equity.
double adl_pnl_percent_times_leverage(const AdlView& v) noexcept;

/// Hyperliquid's sorting index (mark/entry) x (notional / account value), with the price ratio
/// taken in the position's favour, 1 + s*(mark - E)/E (= mark/entry for longs).
double adl_hyperliquid_index(const AdlView& v) noexcept;

}  // namespace cascade
