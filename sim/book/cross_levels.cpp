#include "sim/book/cross_levels.hpp"

#include <cmath>

#include "sim/book/cross_accounts.hpp"

namespace cascade {
namespace {

/// The price of asset k, moving against the account's net exposure there from marks[k], at
/// which equity - MM reaches zero; NaN when it never does.
double threshold_price(const CrossAccounts& acc, std::size_t slot, const PositionBook& book,
                       const RunPlan& plan, std::vector<double> marks, std::size_t k) {
  double exposure = 0.0;
  for (std::uint32_t i : acc[slot].positions)
    if (static_cast<std::size_t>(book.asset[i]) == k) exposure += book.side[i] * book.size[i];
  if (exposure == 0.0) return kNever;
  const auto gap = [&](double p) {
    marks[k] = p;
    return acc.equity(slot, book, marks) - acc.maintenance(slot, book, marks, plan.rules);
  };
  double safe = marks[k];
  if (gap(safe) <= 0.0) return safe;  // already at or past it
  double hit = safe;
  for (int i = 0;; ++i) {  // bracket: move against the exposure until the gap closes
    hit = exposure > 0 ? hit * 0.5 : hit * 2.0;
    if (gap(hit) <= 0.0) break;
    if (i == 60) return kNever;
  }
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (safe + hit);
    (gap(mid) > 0.0 ? safe : hit) = mid;
  }
  return 0.5 * (safe + hit);
}

}  // namespace

void fill_cross_levels(const RunPlan& plan, const PositionBook& book, const std::vector<double>& start_prices,
                       std::vector<InitialPosition>& rows) {
  const CrossAccounts acc(book, start_prices.size());
  for (std::size_t slot = 0; slot < acc.size(); ++slot) {
    for (std::uint32_t i : acc[slot].positions) {
      const auto k = static_cast<std::size_t>(book.asset[i]);
      rows[i].liquidation_price = threshold_price(acc, slot, book, plan, start_prices, k);
      rows[i].bankruptcy_price = acc.bankruptcy_price(slot, i, book, start_prices);
    }
  }
}

}  // namespace cascade
