#pragma once
// Liquidation and bankruptcy prices of cross-margin positions, for the liquidation map.
//
// A cross position has no price of its own: its account falls when wallet + unrealised PnL
// drops below the maintenance margin of all its positions. For the map we report, per asset an
// account holds, the price of that asset at which this happens with every other asset held at
// its start price (and the price at which the account's equity reaches zero as the "bankruptcy"
// price). This is what `cascade levels` and /positions/initial show for cross positions.
#include <vector>

#include "sim/book/position_book.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/plan/run_plan.hpp"

namespace cascade {

/// Fills liquidation_price and bankruptcy_price of the cross rows of `rows` (as produced by
/// describe_positions(book)), given the start prices of the assets.
void fill_cross_levels(const RunPlan& plan, const PositionBook& book, const std::vector<double>& start_prices,
                       std::vector<InitialPosition>& rows);

}  // namespace cascade
