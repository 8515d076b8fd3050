// Periodic funding (MODEL.md section 5 step 4; docs/engine.md "Funding").
#include <algorithm>
#include <cmath>

#include "sim/engine.hpp"

namespace cascade {

void Engine::apply_funding(double intervals) {
  const FundingSpec& spec = sc_.exchange.funding;
  std::vector<double> pay(assets_.size());  // USD per base unit paid by longs (received by shorts)
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    const MarginRule& rule = plan_.rules[k];
    const auto& t = rule.traits();
    const double premium = s.premium_steps > 0 ? s.premium_sum / s.premium_steps : 0.0;
    const double i8 = spec.interest.value_or(t.funding_interest_8h);
    const double c8 = spec.interest_clamp.value_or(t.funding_clamp_8h);
    const double cap = spec.cap.value_or(rule.funding_cap());
    const double f8 = premium + std::clamp(i8 - premium, -c8, c8);
    const double rate = std::clamp(f8 * funding_interval_s_ / (8.0 * 3600.0), -cap, cap);
    pay[k] = rate * intervals * s.mark;
    s.premium_sum = 0.0;
    s.premium_steps = 0;
    // The hedger is on the other side of the population's net position.
    s.counter_cash += pay[k] * (s.open_long_size - s.open_short_size);
  }
  // Settle into margins (cross: the wallet), then re-key every threshold: funding moves
  // liquidation prices by amounts that differ with the tier, so the heaps are rebuilt (O(N) per
  // funding interval, not per step).
  for (auto& s : assets_) {
    s.longs.clear();
    s.shorts.clear();
  }
  for (std::size_t i = 0; i < pos_.count(); ++i) {
    if (!pos_.open[i]) continue;
    const auto k = static_cast<std::size_t>(pos_.asset[i]);
    const double delta = -pos_.side[i] * pos_.size[i] * pay[k];
    if (pos_.cross[i]) {
      cross_[static_cast<std::size_t>(cross_slot_[i])].wallet += delta;
      continue;
    }
    pos_.margin[i] += delta;
    const IsolatedPosition p = pos_.isolated(i);
    pos_.liquidation_price[i] = plan_.rules[k].liquidation_price(p);
    pos_.bankruptcy_price[i] = MarginRule::bankruptcy_price(p);
    if (std::isnan(pos_.liquidation_price[i])) continue;
    auto& s = assets_[k];
    (p.side > 0 ? s.longs : s.shorts).add({pos_.liquidation_price[i], static_cast<std::uint32_t>(i), pos_.generation[i]});
  }
  for (auto& s : assets_) {
    s.longs.build();
    s.shorts.build();
  }
  const auto& m = marks();
  for (std::size_t a = 0; a < cross_.size(); ++a)
    if (cross_[a].open && !cross_.arm(a, pos_, m, plan_.rules)) unhealthy_cross_.push_back(static_cast<std::uint32_t>(a));
}

}  // namespace cascade
