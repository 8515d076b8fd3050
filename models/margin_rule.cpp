#include "models/margin_rule.hpp"

namespace cascade {

double BinanceTiers::price_at_margin_ratio(const IsolatedPosition& p, double ratio) const noexcept {
  const auto& rows = tiers_->rows();
  const double s = p.side;
  const double n = p.size;
  const double r = ratio;
  // f(P) = r*equity(P) - MM(P); the root lies in the last bracket whose floor price still has
  // f <= 0 (long, f increasing) or f > 0 (short, f decreasing).
  auto f = [&](double price) { return r * equity(p, price) - tiers_->maintenance_margin(n * price); };
  std::size_t k = 0;
  if (p.side > 0) {
    if (f(0.0) > 0.0) return kNever;  // equity stays above maintenance down to zero
    for (std::size_t i = 1; i < rows.size(); ++i) {
      if (f(rows[i].floor_usd / n) <= 0.0) k = i;
      else break;
    }
  } else {
    for (std::size_t i = 1; i < rows.size(); ++i) {
      if (f(rows[i].floor_usd / n) > 0.0) k = i;
      else break;
    }
  }
  const Tier& t = rows[k];
  const double price = (r * s * n * p.entry - r * p.margin - t.cum_usd) / (n * (r * s - t.mmr));
  return at_positive_price(p.side, price);
}

}  // namespace cascade
