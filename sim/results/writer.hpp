#pragma once
// Writes a run's results as one HDF5 file (layout: docs/results.md).
//
// The layout is driven by tables: the metric tables of sim/results/schema.hpp for /summary and
// /timeseries, and the column tables below for /events/liquidations and /positions/initial. The
// writer, the reader (sim/results/reader.hpp) and the docs iterate the same tables, so a new
// metric is one line in results.hpp.
//
// Atomicity: the file is written under a temporary name next to the output and renamed over it
// only once complete (root attribute `complete` = 1, written last), so a failed or interrupted run
// never leaves a file at the output path that looks complete.
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "sim/ensemble/interrupt.hpp"
#include "sim/results/schema.hpp"

namespace cascade {

inline constexpr const char* kResultsFormat = "cascade-results";
/// Bumped on any incompatible layout change; see the changelog in docs/results.md.
inline constexpr std::int32_t kResultsFormatVersion = 1;

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
    {"size", "base units", "size liquidated", &LiquidationEvent::size},
    {"fill_price", "USD per base unit", "fill price (the round's VWAP in that asset)", &LiquidationEvent::fill_price},
    {"bankruptcy_price", "USD per base unit", "bankruptcy price of the position", &LiquidationEvent::bankruptcy_price},
};

inline constexpr Column<InitialPosition> kPositionColumns[] = {
    {"position", "index", "row index of the position (0-based, the `position` of events)", &InitialPosition::position},
    {"account", "index", "index into this group's attribute `accounts`", &InitialPosition::account},
    {"asset", "index", "index into the root attribute `assets`", &InitialPosition::asset},
    {"side", "+1 long / -1 short", "side of the position", &InitialPosition::side},
    {"size", "base units", "position size", &InitialPosition::size},
    {"entry_price", "USD per base unit", "entry price", &InitialPosition::entry_price},
    {"margin", "USD", "margin (isolated) or the account's allocated wallet (cross)", &InitialPosition::margin},
    {"liquidation_price", "USD per base unit", "mark price at which it is liquidated (NaN: never)", &InitialPosition::liquidation_price},
    {"bankruptcy_price", "USD per base unit", "price at which its margin is exhausted", &InitialPosition::bankruptcy_price},
};
// clang-format on

/// Writes `results` to `out_path` atomically: writes `<out_path>.tmp.<pid>`, then renames it over
/// `out_path`; the root attribute `complete` = 1 is written last, just before close and rename.
/// On any exception (including Interrupted) the temporary file is removed and the exception
/// rethrown. Refuses (std::runtime_error "OUT exists (use --force to overwrite)") when `out_path`
/// exists and !force. Inconsistent input (a per-asset vector or time series of the wrong length)
/// throws std::invalid_argument before any file is created. Called from one thread only.
///
/// `poll` is called between datasets and aborts the write by throwing; the default throws
/// Interrupted once SIGINT/SIGTERM was received. Tests inject failures through it.
void write_results(const std::string& out_path, const RunInfo& info, const RunResults& results,
                   bool force, const std::function<void()>& poll = throw_if_interrupted);

}  // namespace cascade
