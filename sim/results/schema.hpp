#pragma once
// The results schema: what a run produces, in memory, and how the file names it (docs/results.md).
//
// Outcomes are plain structs filled by one path's Engine (sim/engine/outcome.hpp); the metric
// and column tables below are the one place that names each metric and column, its unit and its
// description, so the writer, the reader, `inspect`, the MPI transport and the docs cannot drift
// apart. Plain data only: no HDF5 here, so the ensemble (sweeps, MPI) can use the tables without
// the writer.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/book/initial_book.hpp"
#include "sim/engine/outcome.hpp"

namespace cascade {

struct RunResults {
  std::vector<PathOutcome> outcomes;        ///< ordered by (point, path)
  std::vector<PathTimeseries> timeseries;   ///< ordered by (point, path)
  std::vector<LiquidationEvent> events;     ///< ordered by (point, path, step, round, asset, position)
  std::vector<AdlEvent> adl_events;         ///< ordered by (point, path, step, round), then as made
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
  /// Root attribute `independent_points`: 1 when the sweep points drew independent random
  /// numbers, 0 when they share them (common random numbers); -1 read from a file written
  /// before common random numbers existed (every point drew its own, and the population was
  /// drawn differently), and then not written.
  std::int32_t independent_points = 0;
  std::string run_fingerprint;     ///< identifies the run a shard belongs to (empty: not written)
  std::optional<ShardInfo> shard;  ///< set for a shard file, absent for a whole run
};

/// A /summary column: a real quantity (float64) or a count (int64).
struct SummaryMetric {
  const char* name;
  const char* unit;
  const char* description;
  std::variant<double PathOutcome::*, std::int64_t PathOutcome::*> field;
  bool is_count() const noexcept { return field.index() == 1; }
  /// The value for `o`, as a double (counts convert exactly below 2^53).
  double value(const PathOutcome& o) const noexcept {
    return std::visit([&](auto f) { return static_cast<double>(o.*f); }, field);
  }
};
/// A /summary/by_asset column, [row, asset]: real (float64) or a count (int64).
struct AssetMetric {
  const char* name;
  const char* unit;
  const char* description;
  std::variant<std::vector<double> PathOutcome::*, std::vector<std::int64_t> PathOutcome::*> field;
  bool is_count() const noexcept { return field.index() == 1; }
  double value(const PathOutcome& o, std::size_t asset) const noexcept {
    return std::visit([&](auto f) { return static_cast<double>((o.*f)[asset]); }, field);
  }
  /// Number of assets `o` holds values for.
  std::size_t size(const PathOutcome& o) const noexcept {
    return std::visit([&](auto f) { return (o.*f).size(); }, field);
  }
};

inline constexpr SummaryMetric kSummaryMetrics[] = {
    {"liquidated_notional", "USD", "sum of size*fill price of all liquidations", &PathOutcome::liquidated_notional},
    {"liquidations", "count", "number of positions liquidated", &PathOutcome::liquidations},
    {"max_cascade_depth", "rounds", "most cascade rounds that liquidated, in one step", &PathOutcome::max_cascade_depth},
    {"agent_rounds", "rounds", "cascade rounds in which only agents acted (stops, margin calls), no liquidation", &PathOutcome::agent_rounds},
    {"largest_step_liquidation", "USD", "largest notional liquidated in one step", &PathOutcome::largest_step_liquidation},
    {"first_liquidation_time", "s", "time of the first liquidation (NaN if none)", &PathOutcome::first_liquidation_time},
    {"insurance_fund_start", "USD", "insurance fund at the start (the draw is start - min)", &PathOutcome::insurance_fund_start},
    {"insurance_fund_min", "USD", "lowest insurance fund balance", &PathOutcome::insurance_fund_min},
    {"insurance_fund_final", "USD", "insurance fund at the end", &PathOutcome::insurance_fund_final},
    {"fees", "USD", "liquidation fees collected", &PathOutcome::fees},
    {"adl_count", "count", "positions auto-deleveraged", &PathOutcome::adl_count},
    {"adl_notional", "USD", "notional auto-deleveraged (size x bankruptcy price)", &PathOutcome::adl_notional},
    {"adl_deficit_covered", "USD", "deficits (at the round's tentative fill) covered by auto-deleveraging", &PathOutcome::adl_deficit_covered},
    {"adl_haircut", "USD", "what auto-deleveraging cost the deleveraged against closing at the mark: sum over fills of size x max(0, side x (mark - price)); a fill on the winner's side of the mark costs nothing", &PathOutcome::adl_haircut},
    {"adl_overshoot", "USD", "adl_haircut - adl_deficit_covered (negative: ADL covered more than it cost winners against the mark)", &PathOutcome::adl_overshoot},
    {"adl_max_profit_share", "fraction", "largest share of one position's (cross: account's) unrealised profit taken by one ADL fill", &PathOutcome::adl_max_profit_share},
    {"first_adl_time", "s", "time of the first auto-deleveraging (NaN if none)", &PathOutcome::first_adl_time},
    {"liquidations_before_first_adl", "count", "liquidations before the round of the first auto-deleveraging (all of them if none)", &PathOutcome::liquidations_before_first_adl},
    {"socialized_loss", "USD", "deficits taken from winners' unrealised profit (exchange.adl.after_fund: socialize)", &PathOutcome::socialized_loss},
    {"partial_liquidations", "count", "partial or tier-by-tier liquidations (also counted in liquidations)", &PathOutcome::partial_liquidations},
    {"vault_takeovers", "count", "positions taken over by the liquidator vault (also counted in liquidations)", &PathOutcome::vault_takeovers},
    {"vault_pnl", "USD", "the liquidator vault's equity at the end less its capital (0 without a vault)", &PathOutcome::vault_pnl},
    {"vault_min_equity", "USD", "the liquidator vault's lowest equity (cash + inventory at mark) at the end of a step", &PathOutcome::vault_min_equity},
    {"vault_max_drawdown", "fraction", "largest fall of the vault's equity from its running peak, relative to the peak", &PathOutcome::vault_max_drawdown},
    {"bad_debt", "USD", "deficits neither the fund nor ADL covered", &PathOutcome::bad_debt},
    {"unfilled_notional", "USD", "liquidation volume the book could not fill when first offered (beyond the displacement cap), at the cap price", &PathOutcome::unfilled_notional},
    {"pending_liquidation_notional", "USD", "liquidations still unfilled at the end (the book ran dry), at the final mark", &PathOutcome::pending_liquidation_notional},
    {"oi_liquidated_share", "fraction", "share of the open interest (initial and arriving, at start prices) liquidated", &PathOutcome::oi_liquidated_share},
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
    {"unfilled_notional", "USD", "liquidation volume the book could not fill when first offered, at the cap price", &PathOutcome::asset_unfilled_notional},
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
    {"vault_inventory", "base units", "the liquidator vault's inventory (signed: long positive; 0 without a vault)", &PathTimeseries::vault_inventory, true},
    {"insurance_fund", "USD", "insurance fund balance (with a vault backstop: the vault's cash)", &PathTimeseries::insurance_fund, false},
    {"vault_equity", "USD", "the liquidator vault's equity: cash + inventory at mark (0 without a vault)", &PathTimeseries::vault_equity, false},
};

inline constexpr const char* kResultsFormat = "cascade-results";
/// Bumped on any incompatible layout change; see the changelog in docs/results.md.
inline constexpr std::int32_t kResultsFormatVersion = 2;

/// One column of a row table (/events/liquidations, /positions/initial): a 1-D dataset.
template <class Row>
struct Column {
  const char* name;
  const char* unit;
  const char* description;
  std::variant<std::int8_t Row::*, std::int32_t Row::*, std::int64_t Row::*, double Row::*> field;
};

// clang-format off
inline constexpr Column<LiquidationEvent> kEventColumns[] = {
    {"point", "index", "sweep point (index into /sweep; 0 for a plain run)", &LiquidationEvent::point},
    {"path", "index", "Monte Carlo path", &LiquidationEvent::path},
    {"step", "index", "1-based step in which the liquidation happened (ends at time step*dt)", &LiquidationEvent::step},
    {"round", "index", "1-based cascade round within the step", &LiquidationEvent::round},
    {"asset", "index", "index into the root attribute `assets`", &LiquidationEvent::asset},
    {"position", "index", "index into /positions/initial", &LiquidationEvent::position},
    {"side", "+1 long / -1 short", "side of the liquidated position", &LiquidationEvent::side},
    {"size", "base units", "size liquidated by this fill (a position the book could not fill at once has one event per fill)", &LiquidationEvent::size},
    {"fill_price", "USD per base unit", "fill price (the round's VWAP in that asset)", &LiquidationEvent::fill_price},
    {"bankruptcy_price", "USD per base unit", "bankruptcy price of the position (a cross leg's: given its account's other legs at their marks)", &LiquidationEvent::bankruptcy_price},
};

inline constexpr Column<AdlEvent> kAdlColumns[] = {
    {"point", "index", "sweep point (index into /sweep; 0 for a plain run)", &AdlEvent::point},
    {"path", "index", "Monte Carlo path", &AdlEvent::path},
    {"step", "index", "1-based step of the fill", &AdlEvent::step},
    {"round", "index", "1-based cascade round within the step", &AdlEvent::round},
    {"asset", "index", "index into the root attribute `assets`", &AdlEvent::asset},
    {"position", "index", "the deleveraged position (index into /positions/initial)", &AdlEvent::position},
    {"side", "+1 long / -1 short", "side of the deleveraged position", &AdlEvent::side},
    {"size", "base units", "size closed", &AdlEvent::size},
    {"price", "USD per base unit", "fill price: the bankrupt position's bankruptcy price", &AdlEvent::price},
    {"mark", "USD per base unit", "mark price before the fill", &AdlEvent::mark},
    {"bankrupt_position", "index", "the position whose deficit the fill covers (index into /positions/initial; -1: the vault's inventory)", &AdlEvent::bankrupt_position},
};

inline constexpr Column<InitialPosition> kPositionColumns[] = {
    {"position", "index", "row index of the position (0-based, the `position` of events)", &InitialPosition::position},
    {"account", "index", "index into this group's attribute `accounts`", &InitialPosition::account},
    {"asset", "index", "index into the root attribute `assets`", &InitialPosition::asset},
    {"side", "+1 long / -1 short", "side of the position", &InitialPosition::side},
    {"size", "base units", "position size", &InitialPosition::size},
    {"entry_price", "USD per base unit", "entry price", &InitialPosition::entry_price},
    {"margin", "USD", "margin (isolated); 0 for a cross leg, whose margin is its account's wallet", &InitialPosition::margin},
    {"liquidation_price", "USD per base unit", "mark price at which it is liquidated (NaN: never); a cross leg's: its account's, the other assets at their start prices", &InitialPosition::liquidation_price},
    {"bankruptcy_price", "USD per base unit", "price at which its margin is exhausted; a cross leg's: its account's equity is zero, the other assets at their start prices", &InitialPosition::bankruptcy_price},
};
// clang-format on

}  // namespace cascade
