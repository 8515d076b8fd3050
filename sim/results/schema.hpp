#pragma once
// What a run produces, in memory, before the writer lays it out in HDF5 (docs/results.md).
//
// Outcomes are plain structs filled by one path's Engine; the metric tables below are the one
// place that names each metric, its unit and its description, so the writer, `inspect` and the
// docs cannot drift apart.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace cascade {

/// One liquidation (or, later, ADL / stop) fill, for /events/liquidations.
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
  double bankruptcy_price = 0.0;
};

/// Per-path outcomes (MODEL.md section 9).
struct PathOutcome {
  std::int32_t point = 0;
  std::int64_t path = 0;
  double liquidated_notional = 0.0;       ///< USD, sum of n*V
  double liquidations = 0.0;              ///< count
  double max_cascade_depth = 0.0;         ///< rounds in the deepest step
  double largest_step_liquidation = 0.0;  ///< USD liquidated in the worst step
  double first_liquidation_time = std::numeric_limits<double>::quiet_NaN();  ///< s; NaN if none
  double insurance_fund_min = 0.0;        ///< USD
  double insurance_fund_final = 0.0;      ///< USD
  double fees = 0.0;                      ///< USD, liquidation fees collected
  double adl_count = 0.0;                 ///< count
  double adl_notional = 0.0;              ///< USD
  double bad_debt = 0.0;                  ///< USD not covered by fund or ADL
  double unfilled_notional = 0.0;         ///< USD of liquidation orders beyond the displacement cap
  double oi_liquidated_share = 0.0;       ///< liquidated notional / initial open interest
  double peak_slippage_bps = 0.0;         ///< max over assets and fills
  double min_depth_scale = 1.0;           ///< min over assets and steps of w
  double conservation_residual = 0.0;     ///< USD, MODEL.md section 6
  // Agents (MODEL.md section 7, docs/agents.md).
  double stops = 0.0;                     ///< count of stop-losses filled
  double stop_notional = 0.0;             ///< USD, sum of size*fill price of stop-losses
  double margin_calls = 0.0;              ///< count of margin calls answered (or ignored)
  double top_ups = 0.0;                   ///< count of margin calls answered with a top-up
  double top_up_usd = 0.0;                ///< USD added to margins by top-ups
  double reduces = 0.0;                   ///< count of margin calls answered with a reduce
  double reduce_notional = 0.0;           ///< USD, sum of size*fill price of reduces
  double arrivals = 0.0;                  ///< count of positions opened during the path
  double arrival_notional = 0.0;          ///< USD, notional of those positions at entry
  double unlock_sold_notional = 0.0;      ///< USD, unlocked tokens sold (size*fill price)
  double panic_sold_notional = 0.0;       ///< USD, panic sellers' sales
  double dip_bought_notional = 0.0;       ///< USD, dip buyers' purchases

  // Per asset, indexed like Scenario::assets.
  std::vector<double> asset_liquidated_notional, asset_long_liquidated_notional,
      asset_short_liquidated_notional, asset_liquidations, asset_min_price_ratio,
      asset_max_price_ratio, asset_max_drawdown, asset_peak_slippage_bps, asset_min_depth_scale,
      asset_unfilled_notional;

  void resize_assets(std::size_t n) {
    for (auto* v : {&asset_liquidated_notional, &asset_long_liquidated_notional,
                    &asset_short_liquidated_notional, &asset_liquidations, &asset_unfilled_notional,
                    &asset_peak_slippage_bps, &asset_max_drawdown})
      v->assign(n, 0.0);
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
      circulating_supply, flow_notional,
      insurance_fund;  ///< insurance_fund is [step] only (one column)
};

/// One row of the initial book (/positions/initial, `cascade levels --csv`).
struct InitialPosition {
  std::int64_t position = 0;
  std::int32_t account = 0;   ///< index into RunResults::account_names
  std::int32_t asset = 0;
  std::int8_t side = 1;
  double size = 0.0, entry_price = 0.0, margin = 0.0;
  double liquidation_price = std::numeric_limits<double>::quiet_NaN();  ///< NaN: never
  double bankruptcy_price = 0.0;
};

struct RunResults {
  std::vector<PathOutcome> outcomes;        ///< ordered by (point, path)
  std::vector<PathTimeseries> timeseries;   ///< ordered by (point, path)
  std::vector<LiquidationEvent> events;     ///< ordered by (point, path, step, round, asset, position)
  std::vector<InitialPosition> initial_positions;
  std::vector<std::string> account_names;
};

/// One swept scenario key (`cascade sweep`): its value at each sweep point, for /sweep/<key>.
struct SweepAxis {
  std::string key;             ///< dotted scenario key, e.g. "exchange.liquidation_fee"
  std::string unit;            ///< the key's unit ("USD", "fraction", ...), the dataset's `unit`
  std::vector<double> values;  ///< one per point, indexed by PathOutcome::point
  std::int32_t axis = 0;       ///< grid axis; keys on the same axis move together
};

/// Which block of the flattened (point, path) grid a shard file holds (`--shard i/n`).
struct ShardInfo {
  std::int32_t index = 0;       ///< 0-based shard index
  std::int32_t count = 1;       ///< number of shards of the run
  std::int64_t row_begin = 0;   ///< first row (row = point * paths + path)
  std::int64_t row_end = 0;     ///< one past the last row
  std::int64_t rows_total = 0;  ///< rows of the whole run (points * paths)
};

/// Metadata written as root attributes.
struct RunInfo {
  std::string cascade_version;
  std::string command_line;
  std::string scenario_yaml;
  std::uint64_t seed = 0;
  std::int64_t paths = 0;
  std::int32_t steps = 0;
  double dt_s = 0.0;
  std::vector<std::string> assets;
  bool events_enabled = false;     ///< write /events/liquidations (empty datasets if no events)
  std::string scenario_name;       ///< shown by `cascade inspect`, e.g. the scenario file's stem
  std::vector<SweepAxis> sweep;    ///< empty for a plain run (no /sweep group)
  std::string run_fingerprint;     ///< identifies the run a shard belongs to (empty: not written)
  std::optional<ShardInfo> shard;  ///< set for a shard file, absent for a whole run
};

struct SummaryMetric {
  const char* name;
  const char* unit;
  const char* description;
  double PathOutcome::*field;
};
struct AssetMetric {
  const char* name;
  const char* unit;
  const char* description;
  std::vector<double> PathOutcome::*field;
};

inline constexpr SummaryMetric kSummaryMetrics[] = {
    {"liquidated_notional", "USD", "sum of size*fill price of all liquidations", &PathOutcome::liquidated_notional},
    {"liquidations", "count", "number of positions liquidated", &PathOutcome::liquidations},
    {"max_cascade_depth", "rounds", "most cascade rounds in one step", &PathOutcome::max_cascade_depth},
    {"largest_step_liquidation", "USD", "largest notional liquidated in one step", &PathOutcome::largest_step_liquidation},
    {"first_liquidation_time", "s", "time of the first liquidation (NaN if none)", &PathOutcome::first_liquidation_time},
    {"insurance_fund_min", "USD", "lowest insurance fund balance", &PathOutcome::insurance_fund_min},
    {"insurance_fund_final", "USD", "insurance fund at the end", &PathOutcome::insurance_fund_final},
    {"fees", "USD", "liquidation fees collected", &PathOutcome::fees},
    {"adl_count", "count", "positions auto-deleveraged", &PathOutcome::adl_count},
    {"adl_notional", "USD", "notional auto-deleveraged", &PathOutcome::adl_notional},
    {"bad_debt", "USD", "deficits neither the fund nor ADL covered", &PathOutcome::bad_debt},
    {"unfilled_notional", "USD", "liquidation volume beyond the displacement cap (book ran dry)", &PathOutcome::unfilled_notional},
    {"oi_liquidated_share", "fraction", "liquidated notional / initial open interest", &PathOutcome::oi_liquidated_share},
    {"peak_slippage_bps", "bps", "largest fill slippage against the pre-trade mid", &PathOutcome::peak_slippage_bps},
    {"min_depth_scale", "fraction", "lowest depth scale w over assets and steps", &PathOutcome::min_depth_scale},
    {"conservation_residual", "USD", "change of total wealth across all parties, less deposits and the revaluation of spot tokens (should be ~0)", &PathOutcome::conservation_residual},
    {"stops", "count", "stop-losses filled", &PathOutcome::stops},
    {"stop_notional", "USD", "sum of size*fill price of stop-losses", &PathOutcome::stop_notional},
    {"margin_calls", "count", "margin calls (answered or ignored)", &PathOutcome::margin_calls},
    {"top_ups", "count", "margin calls answered with a top-up", &PathOutcome::top_ups},
    {"top_up_usd", "USD", "margin added by top-ups", &PathOutcome::top_up_usd},
    {"reduces", "count", "margin calls answered by reducing the position", &PathOutcome::reduces},
    {"reduce_notional", "USD", "sum of size*fill price of reduces", &PathOutcome::reduce_notional},
    {"arrivals", "count", "positions opened during the path", &PathOutcome::arrivals},
    {"arrival_notional", "USD", "notional at entry of the positions opened during the path", &PathOutcome::arrival_notional},
    {"unlock_sold_notional", "USD", "unlocked tokens sold, size*fill price", &PathOutcome::unlock_sold_notional},
    {"panic_sold_notional", "USD", "panic sellers' sales, size*fill price", &PathOutcome::panic_sold_notional},
    {"dip_bought_notional", "USD", "dip buyers' purchases, size*fill price", &PathOutcome::dip_bought_notional},
};

inline constexpr AssetMetric kAssetMetrics[] = {
    {"liquidated_notional", "USD", "liquidated notional", &PathOutcome::asset_liquidated_notional},
    {"long_liquidated_notional", "USD", "liquidated notional of longs", &PathOutcome::asset_long_liquidated_notional},
    {"short_liquidated_notional", "USD", "liquidated notional of shorts", &PathOutcome::asset_short_liquidated_notional},
    {"liquidations", "count", "positions liquidated", &PathOutcome::asset_liquidations},
    {"min_price_ratio", "fraction", "lowest mark / start price", &PathOutcome::asset_min_price_ratio},
    {"max_price_ratio", "fraction", "highest mark / start price", &PathOutcome::asset_max_price_ratio},
    {"max_drawdown", "fraction", "largest peak-to-trough fall of the mark", &PathOutcome::asset_max_drawdown},
    {"peak_slippage_bps", "bps", "largest fill slippage against the pre-trade mid", &PathOutcome::asset_peak_slippage_bps},
    {"min_depth_scale", "fraction", "lowest depth scale w", &PathOutcome::asset_min_depth_scale},
    {"unfilled_notional", "USD", "liquidation volume beyond the displacement cap", &PathOutcome::asset_unfilled_notional},
};

struct SeriesMetric {
  const char* name;
  const char* unit;
  const char* description;
  std::vector<double> PathTimeseries::*field;
  bool per_asset;
};
inline constexpr SeriesMetric kSeriesMetrics[] = {
    {"mark_price", "USD", "mark price at the end of the step", &PathTimeseries::mark_price, true},
    {"index_price", "USD", "fundamental (index) price F", &PathTimeseries::index_price, true},
    {"liquidated_notional", "USD", "notional liquidated in the step", &PathTimeseries::liquidated_notional, true},
    {"open_interest", "USD", "open interest (long side) at mark", &PathTimeseries::open_interest, true},
    {"depth_scale", "fraction", "depth scale w", &PathTimeseries::depth_scale, true},
    {"circulating_supply", "base units", "circulating supply (0 without assets.X.supply)", &PathTimeseries::circulating_supply, true},
    {"flow_notional", "USD", "signed notional of the step's scheduled flows (unlock sales, panic sellers, dip buyers; buys positive)", &PathTimeseries::flow_notional, true},
    {"insurance_fund", "USD", "insurance fund balance", &PathTimeseries::insurance_fund, false},
};

}  // namespace cascade
