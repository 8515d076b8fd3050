#pragma once
// The risk scorecard (docs/analysis.md, "The risk scorecard"): the few numbers a risk committee
// asks of a run, each with its Monte Carlo standard error (sim/analysis/statistics.hpp):
//
// - P(insurance fund exhausted): share of paths whose fund reached 0 (insurance_fund_min <= 0);
// - VaR and ES at 95 % and 99 % of the fund draw, insurance_fund_start - insurance_fund_min;
// - P(bad debt), VaR and ES at 95 % and 99 % of bad_debt;
// - P(any ADL): share of paths with adl_count > 0;
// - when the results have vault metrics (`vault_min_equity`, `vault_pnl`, with a vault: values
//   not all 0 or NaN): P(vault exhausted) (vault_min_equity <= 0) and VaR/ES of the vault's loss
//   max(0, -vault_pnl).
//
// Probabilities carry binomial standard errors; VaR and ES the order-statistic and asymptotic
// ones. A metric the file lacks (written before it existed) gives NaN entries.
#include <string>
#include <vector>

#include "sim/analysis/outcomes.hpp"
#include "sim/analysis/statistics.hpp"

namespace cascade {

struct ScoreEntry {
  std::string key;    ///< for --json: "p_fund_exhausted", "fund_draw_var99", ...
  std::string label;  ///< for reading: "P(insurance fund exhausted)", "fund draw VaR 99%"
  std::string unit;   ///< "probability" or the loss's unit ("USD")
  Estimate estimate;
  /// The per-path values it is computed from (0/1 for probabilities, the losses for VaR/ES),
  /// so that two runs' entries can be differenced path by path.
  std::vector<double> per_path;
  double level = 0.0;  ///< 0 for a probability, else the VaR/ES level
  bool expected_shortfall = false;
};

struct Scorecard {
  std::vector<ScoreEntry> entries;
};

Scorecard scorecard(const Rows& rows);

/// The entry's estimate recomputed from other per-path values (used for differences).
Estimate score_estimate(const ScoreEntry& like, const std::vector<double>& per_path);

}  // namespace cascade
