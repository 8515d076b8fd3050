// Within-step extremes (MODEL.md section 2; docs/market.md "Within-step extremes").
//
// A step of 5 minutes moves the index from its start to its end value, but on the exchange the
// price went through every point in between, and a wick below the end value liquidates longs
// that the end value spares. With `engine.intrastep_extremes` the index follows a Brownian bridge
// inside the step; its minimum and maximum are drawn exactly (PriceProcess::bridge_extremes,
// from the path's price stream) and visited before the end value: first the extreme away from
// where the step ends (a falling step is more likely to peak early and bottom late), then the
// other, each with a full cascade, then the end value, whose cascade is the step's usual one.
// All assets visit their first extremes together, then their second: a sector that sells off
// together wicks together. What a cascade at an extreme does to the book (its imbalance) stays;
// what the index coupling leaks into the index at an extreme is carried to the end value.
#include <algorithm>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::visit_extremes(int t) {
  if (!plan_.market.intrastep_extremes) return;
  const std::size_t n = assets_.size();
  extreme_leak_.assign(n, 1.0);
  extreme_end_ = fundamentals_;  // the cascades' index coupling writes fundamentals_
  for (int stage = 0; stage < 2; ++stage) {
    bool moved = false;
    for (std::size_t k = 0; k < n; ++k) {
      auto& s = assets_[k];
      const bool falling = extreme_end_[k] < prices_.step_start(k);
      const bool high_first = falling;
      const bool high = (stage == 0) == high_first;
      const double target = (high ? prices_.step_high(k) : prices_.step_low(k)) * extreme_leak_[k];
      if (target == s.book.fundamental()) continue;
      moved = true;
      s.book.set_fundamental(target);
      s.book.clip_to_cap();
      update_mark(k);
      const double ratio = s.mark / s.start_price;
      out_.asset_min_price_ratio[k] = std::min(out_.asset_min_price_ratio[k], ratio);
      out_.asset_max_price_ratio[k] = std::max(out_.asset_max_price_ratio[k], ratio);
    }
    if (!moved) continue;
    std::vector<double>& before = extreme_at_;
    before.resize(n);
    for (std::size_t k = 0; k < n; ++k) before[k] = assets_[k].book.fundamental();
    const int depth = cascade(t);
    out_.max_cascade_depth = std::max<std::int64_t>(out_.max_cascade_depth, depth);
    for (std::size_t k = 0; k < n; ++k) extreme_leak_[k] *= assets_[k].book.fundamental() / before[k];
  }
  // Back to the end value (moved by what the coupling leaked at the extremes).
  for (std::size_t k = 0; k < n; ++k) {
    auto& s = assets_[k];
    fundamentals_[k] = extreme_end_[k] * extreme_leak_[k];
    if (s.book.fundamental() == fundamentals_[k]) continue;
    s.book.set_fundamental(fundamentals_[k]);
    s.book.clip_to_cap();
    update_mark(k);
  }
}

}  // namespace cascade
