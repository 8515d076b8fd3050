#pragma once
// The rows of a run (outcomes, time series, events) as a flat byte buffer, for sending a rank's
// share to rank 0 (sim/ensemble/mpi_session.hpp), plus a status so a failing rank never leaves rank 0
// waiting: every rank always sends, and rank 0 reports the first failure.
//
// The layout follows the metric tables (kSummaryMetrics, kAssetMetrics, kSeriesMetrics,
// kEventColumns), so exactly what the results file holds travels, bit for bit. Native byte
// order: all ranks of one job run the same binary.
#include <string>
#include <vector>

#include "sim/results/schema.hpp"

namespace cascade {

enum class RankStatus : std::int32_t { Ok = 0, Failed = 1, Interrupted = 2 };

/// One rank's contribution: its status, a message when it failed, and its rows.
struct RankRows {
  RankStatus status = RankStatus::Ok;
  std::string message;
  RunResults rows;  ///< outcomes, timeseries, events only
};

std::vector<char> serialize_rows(const RankRows& rows);
/// Throws std::runtime_error on a truncated or malformed buffer.
RankRows deserialize_rows(const std::vector<char>& bytes);

/// Appends `more`'s outcomes, time series and events to `into` (rows in order).
void append_rows(RunResults& into, RunResults&& more);

}  // namespace cascade
