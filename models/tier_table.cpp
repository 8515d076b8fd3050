#include "models/tier_table.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

std::optional<TierProblem> TierTable::validate(const std::vector<Tier>& rows,
                                               const std::vector<std::optional<double>>& given_cum) {
  if (rows.empty()) return TierProblem{0, "tiers", "at least one tier is required"};
  double cum = 0.0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Tier& t = rows[i];
    if (i == 0 && t.floor_usd != 0.0)
      return TierProblem{i, "floor", "the first tier must have floor 0"};
    if (i > 0 && !(t.floor_usd > rows[i - 1].floor_usd))
      return TierProblem{i, "floor", "tier floors must be strictly increasing"};
    if (!(t.mmr > 0.0 && t.mmr < 1.0))
      return TierProblem{i, "mmr", "mmr must be in (0, 1)"};
    if (!(t.max_leverage >= 1.0))
      return TierProblem{i, "max_leverage", "max_leverage must be >= 1"};
    if (!(1.0 / t.max_leverage > t.mmr))
      return TierProblem{i, "max_leverage",
                         "initial-margin rate 1/max_leverage must be above mmr (at or below it a "
                         "position opened at max leverage is liquidated at once)"};
    if (i > 0) cum += t.floor_usd * (t.mmr - rows[i - 1].mmr);
    if (i < given_cum.size() && given_cum[i]) {
      const double g = *given_cum[i];
      if (std::abs(g - cum) > std::max(1e-6, 1e-9 * std::abs(cum)))
        return TierProblem{i, "cum",
                           "cum " + std::to_string(g) + " is inconsistent with the derived " +
                               std::to_string(cum) + " (cum_k = cum_{k-1} + floor_k*(mmr_k - mmr_{k-1}))"};
    }
  }
  return std::nullopt;
}

TierTable::TierTable(std::vector<Tier> rows) : rows_(std::move(rows)) {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    rows_[i].cum_usd =
        i == 0 ? 0.0 : rows_[i - 1].cum_usd + rows_[i].floor_usd * (rows_[i].mmr - rows_[i - 1].mmr);
}

std::size_t TierTable::bracket_index(double notional_usd) const noexcept {
  // upper_bound on floors: first floor > notional; the bracket is the one before it.
  auto it = std::upper_bound(rows_.begin(), rows_.end(), notional_usd,
                             [](double v, const Tier& t) { return v < t.floor_usd; });
  return it == rows_.begin() ? 0 : static_cast<std::size_t>(it - rows_.begin()) - 1;
}

double TierTable::maintenance_margin(double notional_usd) const noexcept {
  const Tier& t = bracket(notional_usd);
  return notional_usd * t.mmr - t.cum_usd;
}

}  // namespace cascade
