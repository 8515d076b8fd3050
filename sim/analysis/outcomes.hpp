#pragma once
// The outcomes the analysis commands talk about, and columns of them over a set of paths.
#include <array>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "sim/results/schema.hpp"

namespace cascade {

/// The paths of one sweep point (or of one run), in file order.
using Rows = std::vector<const PathOutcome*>;

/// The main outcomes, in the order `inspect`, `compare` and the report show them.
inline constexpr std::array<std::string_view, 9> kMainOutcomes = {
    "liquidated_notional", "liquidations",      "max_cascade_depth",
    "insurance_fund_min",  "bad_debt",          "adl_notional",
    "oi_liquidated_share", "peak_slippage_bps", "conservation_residual"};

/// The /summary metric named `name`, or null (a metric this build's table does not have).
const SummaryMetric* summary_metric(std::string_view name);
/// The /summary/by_asset metric named `name`, or null.
const AssetMetric* asset_metric(std::string_view name);

/// The metric's value on each row, as doubles.
std::vector<double> column(const Rows& rows, const SummaryMetric& metric);
std::vector<double> column(const Rows& rows, const AssetMetric& metric, std::size_t asset);

/// The rows of each sweep point present.
std::map<std::int32_t, Rows> rows_by_point(const std::vector<PathOutcome>& outcomes);

}  // namespace cascade
