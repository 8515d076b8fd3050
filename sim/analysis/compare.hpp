#pragma once
// `cascade compare`: two runs (or two points of one sweep) side by side (docs/analysis.md,
// "Comparing two runs"). Per main outcome the percentiles of each and the mean difference b - a
// with its Monte Carlo standard error: paired path by path when the two share their seed and
// path indices (common random numbers make the pairs strongly correlated, so the paired error is
// small), else Welch's unpaired difference; significant at the two-sided 95 % level. The risk
// scorecard of each, with the difference of each entry (probabilities paired like the outcomes;
// VaR and ES differences with the two errors combined as if independent, which overstates the
// error under common random numbers).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/analysis/outcomes.hpp"
#include "sim/analysis/scorecard.hpp"
#include "sim/analysis/statistics.hpp"

namespace cascade {

/// One side: its label (file, point), seed and rows.
struct CompareSide {
  std::string label;
  std::uint64_t seed = 0;
  Rows rows;
};

struct Percentiles {
  double p5 = 0, p50 = 0, p95 = 0, mean = 0;
};
Percentiles percentiles(const std::vector<double>& values);

struct MetricComparison {
  const SummaryMetric* metric = nullptr;
  Percentiles a, b;
  Difference difference;
};

struct ScoreComparison {
  ScoreEntry a, b;
  Estimate difference;
  bool significant = false;
};

struct Comparison {
  bool paired = false;
  std::string pairing;  ///< why (not) paired, for reading
  std::vector<MetricComparison> metrics;
  std::vector<ScoreComparison> scores;
};

/// Paired when both sides have the same seed and the same path indices (rows matched by path).
Comparison compare(const CompareSide& a, const CompareSide& b);

/// A table for reading.
std::string comparison_text(const CompareSide& a, const CompareSide& b, const Comparison& c);
/// `--json` (INTERFACE.md): {"a": label, "b": label, "paired": bool, "metrics": {NAME: {"a":
/// {"p5", "p50", "p95", "mean"}, "b": {...}, "difference", "stderr", "significant", "unit"}},
/// "scorecard": {KEY: {"a", "a_stderr", "b", "b_stderr", "difference", "stderr",
/// "significant"}}}; NaN is null.
std::string comparison_json(const CompareSide& a, const CompareSide& b, const Comparison& c);

/// A JSON number (null for NaN or infinity; the shortest text that reads back to the same
/// double) / string literal.
std::string json_number(double x);
std::string json_string(const std::string& s);

}  // namespace cascade
