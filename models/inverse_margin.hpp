#pragma once
// Inverse (coin-margined) perpetuals: BitMEX XBTUSD, Binance COIN-M, Bybit inverse (MODEL.md s. 4).
//
// An inverse contract is quoted in USD but margined and settled in the coin: a position is a
// number of USD contracts n (face value n*c USD, c the contract size), its value in coin at
// price P is n*c/P, and its PnL in coin is s*n*c*(1/E - 1/P). The collateral is the coin itself,
// so a long loses twice as the price falls (the position and the margin's USD value), and a 1x
// short is a perfect hedge that is never liquidated. Everything that is linear in P for a
// USD-margined contract is linear in u = 1/P here, which is how the liquidation price is solved:
// equity - MM is continuous (the tiers' `cum`, in coin) and monotone in u, so there is one root;
// its bracket (by coin value n*c*u) comes from the sign at the bracket floors, as in
// models/margin_rule.hpp.
//
// `BinanceCoinM`: Binance's COIN-M rule, tiers in coin notional and maintenance amounts in coin:
//   MM(P) = (n*c/P)*mmr(T) - cum(T)                                 (coin)
//   LP    = n*c*(mmr + s) / (m + cum + s*n*c/E)                     ("How to Calculate
//           Liquidation Price of COIN-M Futures Contracts", isolated: TMM = UPNL = 0)
//   BP    = n*c / (n*c/E + s*m)                                     (equity = 0)
// `BybitInverse`: Bybit's inverse rule, maintenance on the entry value plus the fee to close at
// the bankruptcy price ("How to calculate Liquidation Price (Inverse Contract)"):
//   BP    = n*c*(1 + s*f) / (n*c/E + s*m)
//   1/LP  = 1/E + s*(m - (n*c/E)*mmr - n*c*f/BP) / (n*c)
// with m the position's margin (isolated) or the account balance (cross, one position).
#include <cmath>

#include "models/margin_rule.hpp"
#include "models/tier_table.hpp"

namespace cascade {

/// The margin state of one inverse position.
struct InversePosition {
  int side = 1;              ///< +1 long, -1 short
  double contracts = 0.0;    ///< n, contracts (> 0)
  double contract_usd = 1.0; ///< c, USD face value of one contract
  double entry = 0.0;        ///< E, USD per coin
  double margin = 0.0;       ///< m, coin

  double face_usd() const noexcept { return contracts * contract_usd; }
  /// n*c/P: the position's value in coin at price P.
  double value_coin(double price) const noexcept { return face_usd() / price; }
  /// s*n*c*(1/E - 1/P), coin.
  double pnl_coin(double price) const noexcept {
    return side * face_usd() * (1.0 / entry - 1.0 / price);
  }
  /// m + PnL, coin.
  double equity_coin(double price) const noexcept { return margin + pnl_coin(price); }
};

class BinanceCoinM {
 public:
  /// `tiers`: floors in coin notional, maintenance amounts (cum) in coin.
  explicit BinanceCoinM(const TierTable& tiers) : tiers_(&tiers) {}

  /// MM(P) = (n*c/P)*mmr - cum, coin.
  double maintenance_margin(const InversePosition& p, double price) const noexcept {
    return tiers_->maintenance_margin(p.value_coin(price));
  }
  /// BP = n*c/(n*c/E + s*m), USD per coin; NaN (kNever) when the margin covers any rise (a short
  /// with m >= n*c/E).
  static double bankruptcy_price(const InversePosition& p) noexcept;
  /// The P where equity = MM in the bracket containing n*c/P; NaN (kNever) when there is none at
  /// a positive price (a short collateralised at 1x or less).
  double liquidation_price(const InversePosition& p) const noexcept;

 private:
  const TierTable* tiers_;
};

class BybitInverse {
 public:
  /// `mmr`: the risk limit's maintenance rate; `close_fee`: the taker fee to close, fraction.
  BybitInverse(double mmr, double close_fee) : mmr_(mmr), fee_(close_fee) {}

  /// BP = n*c*(1 + s*f)/(n*c/E + s*m): the price at which margin less the closing fee is gone.
  double bankruptcy_price(const InversePosition& p) const noexcept;
  /// 1/LP = 1/E + s*(m - (n*c/E)*mmr - n*c*f/BP)/(n*c); NaN when there is none.
  double liquidation_price(const InversePosition& p) const noexcept;

 private:
  double mmr_, fee_;
};

}  // namespace cascade
