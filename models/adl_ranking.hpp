#pragma once
// Auto-deleveraging queues: which profitable opposite positions an exchange closes first when
// the insurance fund cannot cover a deficit (MODEL.md s. 5; docs/exchanges.md, "ADL").
//
// Each function scores one isolated position at the mark: > 0 for a candidate, higher first;
// 0 for a position that is not a candidate. Scores compare only within one profile.
#include "models/margin_rule.hpp"

namespace cascade {

/// Binance and Bybit: PnL% x effective leverage, PnL% = unrealised PnL / margin, effective
/// leverage = notional at the mark / equity at the mark. Candidates: unrealised PnL > 0.
double adl_pnl_times_leverage(const IsolatedPosition& p, double mark) noexcept;

/// Hyperliquid's sorting index (mark/entry) x (notional / account value), with the price ratio
/// taken in the position's favour, 1 + s*(mark - E)/E (= mark/entry for longs). Candidates:
/// unrealised PnL > 0.
double adl_hyperliquid_index(const IsolatedPosition& p, double mark) noexcept;

/// dYdX v4 deleverages offsetting positions in a pseudo-random order, not by profit: every
/// position with positive equity at the mark is a candidate with the same score 1.
double adl_offsetting(const IsolatedPosition& p, double mark) noexcept;

}  // namespace cascade
