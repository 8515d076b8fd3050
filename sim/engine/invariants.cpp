// What must hold after every step's cascade, asserted when `engine.check_invariants` is on
// (docs/engine.md "Invariants"). Each check is O(positions), so production runs leave it off;
// ctest runs every test and every shipped scenario with it on (CASCADE_CHECK_INVARIANTS=1).
// A violation is a bug in the engine, reported as InvariantViolation (exit status 1).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::check_invariants(int t) const {
  const auto fail = [&](const std::string& what) {
    std::ostringstream msg;
    msg.precision(17);
    msg << "invariant violated at point " << point_ << ", path " << path_ << ", step " << t << ": "
        << what;
    throw InvariantViolation(msg.str());
  };
  const std::size_t n = assets_.size();
  // 1. Marks finite and positive, the book's mid inside F*(1 +- cap).
  for (std::size_t k = 0; k < n; ++k) {
    const auto& s = assets_[k];
    const double f = s.book.fundamental(), mid = s.book.mid(), cap = s.book.cap_distance();
    if (!(std::isfinite(s.mark) && s.mark > 0.0))
      fail(sc_.assets[k].name + ": mark " + std::to_string(s.mark));
    if (!(std::abs(mid / f - 1.0) <= cap * (1.0 + 1e-9)))
      fail(sc_.assets[k].name + ": mid " + std::to_string(mid) +
           " outside the cap band around the index " + std::to_string(f));
  }
  // 2.-3. Nobody open past a crossed liquidation condition once the cascade is over (unless it
  // ran out of rounds: the rest waits for the next step).
  if (!cascade_exhausted_) {
    for (std::size_t i = 0; i < pos_.count(); ++i) {
      if (pos_.open[i] != PositionBook::kOpen || cross_slot_[i] >= 0) continue;
      const auto k = static_cast<std::size_t>(pos_.asset[i]);
      const double lp = current_liquidation_price(i);
      if (!std::isnan(lp) && MarginRule::crossed(pos_.side[i], lp, assets_[k].mark)) {
        std::ostringstream what;
        what.precision(17);
        what << "position " << i << " (" << sc_.assets[k].name << ", side " << int(pos_.side[i])
             << ") is open past its liquidation price " << lp << " at the mark " << assets_[k].mark;
        fail(what.str());
      }
    }
    const auto& m = const_cast<Engine*>(this)->marks();
    for (std::size_t a = 0; a < cross_.size(); ++a) {
      if (!cross_[a].open) continue;
      const double equity = cross_.equity(a, pos_, m),
                   mm = cross_.maintenance(a, pos_, m, plan_.rules);
      if (equity < mm)
        fail("cross account " + std::to_string(cross_[a].id) +
             " is open below maintenance (equity " + std::to_string(equity) + " < " +
             std::to_string(mm) + ")");
    }
  }
  // 4. No open position with negative equity (in liquidation it may be: the book is selling it;
  // and one a partial close left bankrupt waits for the next round, which a cascade that used
  // every round leaves to the next step).
  for (std::size_t i = 0; i < pos_.count() && !cascade_exhausted_; ++i) {
    if (pos_.open[i] != PositionBook::kOpen || cross_slot_[i] >= 0) continue;
    const auto k = static_cast<std::size_t>(pos_.asset[i]);
    const IsolatedPosition p = settled_position(i);
    if (MarginRule::equity(p, assets_[k].mark) < -1e-9 * p.size * assets_[k].mark)
      fail("position " + std::to_string(i) + " is open with negative equity");
  }
  // 5. Every trade has two sides: traders' longs = shorts + the hedger's perp position, per asset,
  // and the running open sizes agree with the positions.
  std::vector<double> longs(n, 0.0), shorts(n, 0.0);
  for (std::size_t i = 0; i < pos_.count(); ++i)
    if (pos_.open[i] != PositionBook::kClosed)
      (pos_.side[i] > 0 ? longs : shorts)[static_cast<std::size_t>(pos_.asset[i])] += pos_.size[i];
  for (std::size_t k = 0; k < n; ++k) {
    const auto& s = assets_[k];
    // Running sums drift by rounding of the sizes that went through them.
    const auto& l = start_->ledgers[k];
    const double scale = 1e-9 * (1.0 + l.open_long_size + l.open_short_size + s.arrived_size);
    if (std::abs(longs[k] - s.open_long_size) > scale ||
        std::abs(shorts[k] - s.open_short_size) > scale)
      fail(sc_.assets[k].name + ": open sizes " + std::to_string(s.open_long_size) + "/" +
           std::to_string(s.open_short_size) + " disagree with the positions' " +
           std::to_string(longs[k]) + "/" + std::to_string(shorts[k]));
    // The counterparties' perp position is their inventory less what they bought in spot flows.
    const double hedger = s.counter_inventory - s.spot_counter_inventory;
    if (std::abs(longs[k] - shorts[k] + s.vault_inventory + hedger) > scale)
      fail(sc_.assets[k].name + ": long size " + std::to_string(longs[k]) + " != short size " +
           std::to_string(shorts[k]) + " - the vault's " + std::to_string(s.vault_inventory) +
           " + the hedger's " + std::to_string(-hedger));
  }
  // 6. The wealth ledger (MODEL.md section 6): necessary, never sufficient.
  const PathOutcome o = outcome();
  // 7. Outcomes in their ranges: bad debt is never negative (not even by rounding), a share of
  // the open interest at most 1 (up to the rounding of two sums: a unit liquidated twice fails).
  if (!(o.bad_debt >= 0.0)) fail("bad debt " + std::to_string(o.bad_debt) + " USD is negative");
  if (!(o.oi_liquidated_share >= 0.0 && o.oi_liquidated_share <= 1.0 + 1e-9))
    fail("oi_liquidated_share " + std::to_string(o.oi_liquidated_share) + " outside [0, 1]");
  const double scale = 1e-8 * (1.0 + initial_open_interest_ + o.arrival_notional +
                               o.liquidated_notional + std::abs(fund_flow_) + deposits_);
  if (!(std::abs(o.conservation_residual) <= scale))
    fail("conservation residual " + std::to_string(o.conservation_residual) + " USD");
}

}  // namespace cascade
