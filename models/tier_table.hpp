#pragma once
// Maintenance-margin brackets of one perpetual (MODEL.md section 4).
//
// Brackets are keyed by position notional. The maintenance amount `cum` of each bracket is
// derived, never taken on trust, so that MM(notional) = notional*mmr - cum is continuous across
// bracket floors (the Binance convention); this continuity is what makes the liquidation price
// unique. Validation returns a message instead of throwing so that the loader can attach the
// YAML location of the offending row.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cascade {

struct Tier {
  double floor_usd = 0.0;      ///< lowest notional of the bracket, USD (inverse contracts: coin)
  double max_leverage = 1.0;   ///< x; initial-margin rate is 1/max_leverage
  double mmr = 0.0;            ///< maintenance-margin rate, fraction of notional
  double cum_usd = 0.0;        ///< maintenance amount, USD (derived)
};

struct TierProblem {
  std::size_t row;
  std::string field;   ///< the key at fault ("floor", "mmr", "max_leverage", "cum")
  std::string message;
};

class TierTable {
 public:
  TierTable() = default;

  /// Checks rows (cum ignored unless `given_cum` has a value for the row). First floor must be
  /// 0, floors strictly increasing, 0 < mmr < 1, max_leverage >= 1, 1/max_leverage >= mmr,
  /// a given cum equal to the derived one (1e-9 relative, 1e-6 USD absolute).
  static std::optional<TierProblem> validate(const std::vector<Tier>& rows,
                                             const std::vector<std::optional<double>>& given_cum);

  /// Builds the table, deriving cum. Precondition: validate() found no problem.
  explicit TierTable(std::vector<Tier> rows);

  const std::vector<Tier>& rows() const noexcept { return rows_; }
  bool empty() const noexcept { return rows_.empty(); }

  /// Index of the bracket with floor <= notional (the last such).
  std::size_t bracket_index(double notional_usd) const noexcept;
  const Tier& bracket(double notional_usd) const noexcept { return rows_[bracket_index(notional_usd)]; }

  /// MM = notional*mmr - cum of the bracket containing notional, USD.
  double maintenance_margin(double notional_usd) const noexcept;

 private:
  std::vector<Tier> rows_;
};

}  // namespace cascade
