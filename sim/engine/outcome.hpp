#pragma once
// What one path produces (MODEL.md section 9): its outcome, its time series when recorded, and
// its liquidation events. The engine fills these plain structs; the results schema
// (sim/results/schema.hpp) names, units and describes every field for the file.
#include <cstdint>
#include <limits>
#include <vector>

namespace cascade {

/// One liquidation fill (a whole position, or the part of it the book filled in one round), for
/// /events/liquidations.
struct LiquidationEvent {
  std::int32_t point = 0;
  std::int64_t path = 0;
  std::int32_t step = 0;      ///< 1-based step in which it happened
  std::int32_t round = 0;     ///< 1-based cascade round within the step
  std::int32_t asset = 0;     ///< index into the root `assets` attribute
  std::int64_t position = 0;  ///< index into the initial book (/positions/initial)
  std::int8_t side = 1;       ///< +1 long, -1 short
  double size = 0.0;          ///< base units
  double fill_price = 0.0;    ///< USD per base unit (the round's VWAP in that asset)
  double bankruptcy_price = 0.0;  ///< USD per base unit (a cross leg's: given the account's other legs)
};

/// One auto-deleveraging fill, for /events/adl (MODEL.md section 5.1): an opposite position
/// closed at the bankrupt position's bankruptcy price.
struct AdlEvent {
  std::int32_t point = 0;
  std::int64_t path = 0;
  std::int32_t step = 0;      ///< 1-based step
  std::int32_t round = 0;     ///< 1-based cascade round within the step
  std::int32_t asset = 0;     ///< index into the root `assets` attribute
  std::int64_t position = 0;  ///< the deleveraged position (index into /positions/initial)
  std::int8_t side = 1;       ///< its side
  double size = 0.0;          ///< base units closed
  double price = 0.0;         ///< the fill: the bankrupt position's bankruptcy price, USD per base unit
  double mark = 0.0;          ///< the mark before the fill, USD per base unit
  std::int64_t bankrupt_position = 0;  ///< the position whose deficit it covers (-1: the vault's inventory)
};

/// Per-path outcomes (MODEL.md section 9).
struct PathOutcome {
  std::int32_t point = 0;
  std::int64_t path = 0;
  double liquidated_notional = 0.0;       ///< USD, sum of n*V
  std::int64_t liquidations = 0;              ///< count
  std::int64_t max_cascade_depth = 0;         ///< rounds that liquidated, in the deepest step
  std::int64_t agent_rounds = 0;              ///< rounds in which only agents acted (no liquidation)
  double largest_step_liquidation = 0.0;  ///< USD liquidated in the worst step
  double first_liquidation_time = std::numeric_limits<double>::quiet_NaN();  ///< s; NaN if none
  double insurance_fund_start = 0.0;      ///< USD at t = 0 (with a vault backstop: its capital)
  double insurance_fund_min = 0.0;        ///< USD
  double insurance_fund_final = 0.0;      ///< USD
  double fees = 0.0;                      ///< USD, liquidation fees collected
  std::int64_t adl_count = 0;                 ///< count
  double adl_notional = 0.0;              ///< USD, sum of size * price of ADL fills
  double adl_deficit_covered = 0.0;       ///< USD: the deficits (at the round's tentative fill) ADL covered
  double adl_haircut = 0.0;               ///< USD: sum of size * |mark - price| over ADL fills
  double adl_overshoot = 0.0;             ///< USD: adl_haircut - adl_deficit_covered
  double adl_max_profit_share = 0.0;      ///< largest haircut / unrealised profit of one fill's position (account)
  double first_adl_time = std::numeric_limits<double>::quiet_NaN();  ///< s; NaN if none
  std::int64_t liquidations_before_first_adl = 0;  ///< liquidations before the round of the first ADL (all when none)
  double socialized_loss = 0.0;           ///< USD taken from winners' unrealised profit (after_fund: socialize)
  std::int64_t partial_liquidations = 0;  ///< partial (or tier-by-tier) liquidations, also in `liquidations`
  std::int64_t vault_takeovers = 0;       ///< positions (cross accounts: legs) the vault took over, also in `liquidations`
  double vault_pnl = 0.0;                 ///< USD: the vault's equity at the end less its capital (0 without a vault)
  double vault_min_equity = 0.0;          ///< USD: the vault's lowest equity (cash + inventory at mark) at a step's end
  double vault_max_drawdown = 0.0;        ///< fraction: the largest fall of the vault's equity from its running peak
  double bad_debt = 0.0;                  ///< USD not covered by fund or ADL
  double unfilled_notional = 0.0;         ///< USD (at the cap price) of liquidations the book could not fill when first offered
  double pending_liquidation_notional = 0.0;  ///< USD at the final mark still in liquidation at the end
  double oi_liquidated_share = 0.0;       ///< liquidated size / open interest ever held, at start prices, [0, 1]
  double peak_slippage_bps = 0.0;         ///< max over assets and fills
  double min_depth_scale = 1.0;           ///< min over assets and steps of w
  double conservation_residual = 0.0;     ///< USD, MODEL.md section 6
  // Agents (MODEL.md section 7, docs/agents.md).
  std::int64_t stops = 0;                     ///< count of stop-losses filled
  double stop_notional = 0.0;             ///< USD, sum of size*fill price of stop-losses
  std::int64_t margin_calls = 0;              ///< count of margin calls answered (or ignored)
  std::int64_t top_ups = 0;                   ///< count of margin calls answered with a top-up
  double top_up_usd = 0.0;                ///< USD added to margins by top-ups
  std::int64_t reduces = 0;                   ///< count of margin calls answered with a reduce
  double reduce_notional = 0.0;           ///< USD, sum of size*fill price of reduces
  std::int64_t arrivals = 0;                  ///< count of positions opened during the path
  double arrival_notional = 0.0;          ///< USD, notional of those positions at entry
  double unlock_sold_notional = 0.0;      ///< USD, unlocked tokens sold (size*fill price)
  double panic_sold_notional = 0.0;       ///< USD, panic sellers' sales
  double dip_bought_notional = 0.0;       ///< USD, dip buyers' purchases

  // Per asset, indexed like Scenario::assets.
  std::vector<double> asset_liquidated_notional, asset_long_liquidated_notional,
      asset_short_liquidated_notional, asset_min_price_ratio, asset_max_price_ratio,
      asset_max_drawdown, asset_peak_slippage_bps, asset_min_depth_scale, asset_unfilled_notional;
  std::vector<std::int64_t> asset_liquidations;

  void resize_assets(std::size_t n) {
    for (auto* v : {&asset_liquidated_notional, &asset_long_liquidated_notional,
                    &asset_short_liquidated_notional, &asset_unfilled_notional,
                    &asset_peak_slippage_bps, &asset_max_drawdown})
      v->assign(n, 0.0);
    asset_liquidations.assign(n, 0);
    asset_min_price_ratio.assign(n, 1.0);
    asset_max_price_ratio.assign(n, 1.0);
    asset_min_depth_scale.assign(n, 1.0);
  }
};

/// Time series of one recorded path; each vector is [step][asset] row-major, steps+1 rows
/// (row 0 is the state at t = 0).
struct PathTimeseries {
  std::int32_t point = 0;
  std::int64_t path = 0;
  std::vector<double> mark_price, index_price, liquidated_notional, open_interest, depth_scale,
      circulating_supply, flow_notional, vault_inventory,
      insurance_fund,  ///< [step] only (one column), as vault_equity
      vault_equity;
};

}  // namespace cascade
