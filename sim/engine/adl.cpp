// Auto-deleveraging (MODEL.md section 5.1; docs/engine.md "Auto-deleveraging").
//
// Before a round's orders execute, the engine decides who is deleveraged, from a tentative fill
// of each asset's whole order (ImpactModel::preview) and the fund available: in a canonical order
// (assets in scenario order; within an asset the liquidated positions in the canonical order of
// their contents; then cross accounts in account order), each bankrupt position's deficit at the
// tentative fill is reserved against the fund. The first one the fund cannot cover is handed, for
// the fraction the fund cannot pay, to profitable opposite positions in the same asset at its
// bankruptcy price, and so is every later one, whole. What is deleveraged never goes through the
// book: the counterparties take it at BP (no fee), the rest of the bankrupt position is sold in
// the book as usual. A counterparty is never closed beyond its own bankruptcy price (its equity
// stays >= 0); one that cannot take the price is skipped; what nobody can take goes to the book
// and its deficit is bad debt. A cross account's deficit is carried by its losing legs, in
// proportion to their losses, each leg deleveraged in its own asset at the price that covers its
// share; a loss in one asset never reprices another asset's counterparties.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/engine/engine.hpp"

namespace cascade {

double Engine::account_upnl(std::size_t slot) const {
  double u = 0.0;
  for (std::uint32_t i : cross_[slot].positions) {
    const auto k = static_cast<std::size_t>(pos_.asset[i]);
    u += pos_.side[i] * pos_.size[i] * (assets_[k].mark - pos_.entry[i]);
  }
  return u;
}

void Engine::rank_adl_candidates(std::size_t k, int side) {
  // Profitable open positions on `side`, best ADL score first (ties: lower index). Scanning the
  // asset is acceptable here: ADL only runs once the insurance fund is exhausted, and at most
  // once per (asset, side) and round.
  const std::size_t idx = 2 * k + (side > 0 ? 0 : 1);
  auto& rank = adl_rank_[idx];
  rank.clear();
  adl_ranked_[idx] = 1;
  const double mark = assets_[k].mark;
  const MarginRule& rule = plan_.rules[k];
  adl_scored_.clear();
  const auto& m = marks();
  for (std::size_t i = 0; i < pos_.count(); ++i) {
    if (pos_.asset[i] != static_cast<std::int32_t>(k) || pos_.side[i] != side) continue;
    if (pos_.open[i] != PositionBook::kOpen || (pos_.agent[i] & PositionBook::kOrderInRound))
      continue;
    AdlView v{side, pos_.size[i], pos_.entry[i], mark, 0.0, 0.0, 0.0};
    if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
      // Cross positions are ranked on their account's wallet, equity and maintenance.
      const auto a = static_cast<std::size_t>(slot);
      v.wallet = cross_[a].wallet;
      v.equity = v.wallet + account_upnl(a);
      v.maintenance = cross_.maintenance(a, pos_, m, plan_.rules);
      // An account that earlier fills left at zero equity (up to rounding) is no candidate.
      if (v.equity <= 1e-9 * (std::abs(v.wallet) + v.notional())) continue;
    } else {
      const IsolatedPosition p = settled_position(i);
      v.wallet = p.margin;
      v.equity = p.margin + v.upnl();
      v.maintenance = rule.maintenance_margin(p, mark);
    }
    // dYdX's "randomly chosen offsetting positions": a uniform key in (0, 1) from the path's
    // seed, the position and the step (not its index order, which follows leverage in a per-run
    // book).
    const std::uint64_t h =
        splitmix64(adl_salt_ ^ splitmix64(i) ^ (static_cast<std::uint64_t>(step_) << 20));
    const double key = (static_cast<double>(h >> 11) + 0.5) * 0x1.0p-53;
    const double score = rule.adl_score(v, key);
    if (score > 0.0) adl_scored_.emplace_back(-score, static_cast<std::uint32_t>(i));
  }
  std::sort(adl_scored_.begin(), adl_scored_.end());
  for (const auto& [neg, i] : adl_scored_) rank.push_back(i);
}

namespace {
/// A deleveraged position left worth less than this at the ADL price is closed whole.
constexpr double kAdlDustUsd = 0.01;
}  // namespace

double Engine::deleverage(const AdlDemand& d, int t, int round) {
  const std::size_t k = d.asset;
  auto& s = assets_[k];
  const int sj = -d.side;  // deleveraged positions are on the other side
  const std::size_t idx = 2 * k + (sj > 0 ? 0 : 1);
  if (!adl_ranked_[idx]) rank_adl_candidates(k, sj);
  const double mark = s.mark;
  const double price = d.price;
  const double cost_per_unit = sj * (mark - price);  // what closing a unit at the price costs against the mark
  const AdlPolicy policy = sc_.exchange.adl.policy;
  // The candidates that can take the price, and how much each can give: an isolated position
  // never beyond its own bankruptcy price, a cross account never below zero equity.
  adl_candidates_.clear();
  adl_members_.clear();
  adl_equity_left_.clear();  // per cross account: equity its earlier legs here did not reserve
  double capacity = 0.0;
  for (std::uint32_t j : adl_rank_[idx]) {
    if (policy == AdlPolicy::Queue && capacity >= d.size) break;  // the queue stops where it is served
    if (pos_.open[j] != PositionBook::kOpen) continue;
    const double n = pos_.size[j];
    AdlCandidate c{n, n, mark, 0.0};
    if (const std::int32_t slot = cross_slot_[j]; slot >= 0) {
      const auto a = static_cast<std::size_t>(slot);
      c.equity = cross_[a].wallet + account_upnl(a);
      // Legs of one account share its equity: each reserves what it could pay, in rank order.
      auto [left, fresh] = adl_equity_left_.try_emplace(a, c.equity);
      (void)fresh;
      if (cost_per_unit > 0.0) {
        c.capacity = std::min(n, std::max(0.0, left->second) / cost_per_unit);
        left->second -= c.capacity * cost_per_unit;
      }
      // An account its earlier fills left at zero (up to rounding, or able to give less than a
      // cent's worth) is no counterparty.
      if (c.capacity <= 1e-9 * n || c.capacity * price < kAdlDustUsd) continue;
    } else {
      settle_funding(j);
      const IsolatedPosition p = pos_.isolated(j);
      if (sj * (price - MarginRule::bankruptcy_price(p)) < 0.0) continue;  // it cannot take the price
      c.equity = MarginRule::equity(p, mark);
    }
    capacity += c.capacity;
    adl_candidates_.push_back(c);
    adl_members_.push_back(j);
  }
  const std::vector<double> give = allocate_adl(policy, adl_candidates_, d.size);
  double taken = 0.0;
  for (std::size_t m = 0; m < adl_members_.size(); ++m) {
    const std::uint32_t j = adl_members_[m];
    const double n = pos_.size[j];
    // A remainder within rounding of nothing (1e-9 of the position), or worth less than a cent
    // at the price, is closed with the rest: successive fills of one round would otherwise
    // shrink a winner geometrically into dust. The hedger takes the extra at the price, so both
    // sides stay equal and wealth is conserved.
    const double wanted = give[m];  // what the bankrupt position hands over
    double y = wanted;
    if (y > 0.0 && adl_candidates_[m].capacity >= n * (1.0 - 1e-9) &&
        (y >= n * (1.0 - 1e-9) || (n - y) * price < kAdlDustUsd)) {
      s.counter_inventory += sj * (n - y);
      s.counter_cash -= sj * (n - y) * price;
      y = n;
    }
    if (!(y > 0.0)) continue;
    const std::int32_t slot = cross_slot_[j];
    const double profit_base = slot >= 0 ? account_upnl(static_cast<std::size_t>(slot))
                                         : sj * n * (mark - pos_.entry[j]);  // whose profit it comes out of
    touch(j);
    const double pnl = sj * y * (price - pos_.entry[j]);
    if (slot >= 0) {
      cross_[static_cast<std::size_t>(slot)].wallet += pnl;
    } else {
      const double released = y >= n ? pos_.margin[j] : pos_.margin[j] * (y / n);
      if (sc_.engine.check_invariants && released + pnl < -1e-9 * y * price)
        throw InvariantViolation("invariant violated: position " + std::to_string(j) +
                                 " deleveraged beyond its bankruptcy price");
      pos_.margin.mut(j) -= released;
      retained_ += released + pnl;
    }
    (sj > 0 ? s.open_long_size : s.open_short_size) -= y;
    // What the fill costs the winner against closing at the mark; a price on its side of the
    // mark (an index mark above a bankrupt long's BP) costs it nothing: no haircut.
    const double haircut = y * std::max(0.0, cost_per_unit);
    out_.adl_count += 1;
    out_.adl_notional += y * price;
    out_.adl_haircut += haircut;
    if (profit_base > 0.0)
      out_.adl_max_profit_share = std::max(out_.adl_max_profit_share, haircut / profit_base);
    if (std::isnan(out_.first_adl_time)) {
      out_.first_adl_time = t * sc_.dt_s;
      out_.liquidations_before_first_adl = liquidations_before_round_;
    }
    if (sinks_.adl_events)
      sinks_.adl_events->push_back(AdlEvent{
          point_, path_, t, round, static_cast<std::int32_t>(k), static_cast<std::int64_t>(j),
          static_cast<std::int8_t>(sj), y, price, mark,
          d.bankrupt == std::numeric_limits<std::uint32_t>::max() ? std::int64_t{-1}
                                                                  : static_cast<std::int64_t>(d.bankrupt)});
    if (y >= n) {
      pos_.open.set(j, PositionBook::kClosed);
      pos_.size.set(j, 0.0);
    } else {
      pos_.size.set(j, n - y);
      if (slot < 0) queue_isolated(j);
    }
    if (slot >= 0) {
      const auto a = static_cast<std::size_t>(slot);
      if (!cross_.arm(a, pos_, marks(), plan_.rules))
        unhealthy_cross_.push_back(static_cast<std::uint32_t>(a));
    }
    taken += wanted;
  }
  return std::min(taken, d.size);
}

void Engine::plan_bankruptcies(int t, int round) {
  std::fill(adl_ranked_.begin(), adl_ranked_.end(), 0);
  const std::size_t n = assets_.size();
  bool any = false;
  for (std::size_t k = 0; k < n; ++k) {
    if (has_orders(k)) {
      const BookFill f = assets_[k].book.preview(round_order(k));
      tentative_[k] = RoundFill{f.vwap, f.filled_fraction(), f.cap_price};
    }
    any = any || !hits_[k].empty() || !pending_[k].empty();
  }
  const bool adl = sc_.exchange.adl.after_fund == AfterFund::Adl;
  double fund_left = backstop_available();
  if (vault_ && adl) deleverage_vault(t, round, fund_left);
  if (!any || !adl) return;
  // The deficit the fund cannot cover: the fraction of it (and of the position) to deleverage.
  const auto share_to_deleverage = [&fund_left](double deficit) {
    if (deficit <= fund_left || 1.0 - fund_left / deficit <= 1e-9) {  // covered, up to rounding
      fund_left = std::max(0.0, fund_left - deficit);
      return 0.0;
    }
    const double a = 1.0 - fund_left / deficit;
    fund_left = 0.0;
    return a;
  };
  for (std::size_t k = 0; k < n; ++k) {
    auto& s = assets_[k];
    const double v0 = tentative_[k].price;
    for (const auto* list : {&hits_[k], &pending_[k]})
      for (std::uint32_t i : *list) {
        if (cross_slot_[i] >= 0 || pos_.open[i] != PositionBook::kInLiquidation) continue;
        settle_funding(i);
        const IsolatedPosition p = pos_.isolated(i);
        const double deficit = -(p.margin + p.side * p.size * (v0 - p.entry));
        if (!(deficit > 0.0)) continue;
        const double a = share_to_deleverage(deficit);
        if (a == 0.0) continue;
        const double bp = MarginRule::bankruptcy_price(p);
        double taken = deleverage({k, i, p.side, a * p.size, bp, deficit / p.size}, t, round);
        if (!(taken > 0.0)) continue;
        if (p.size - taken <= 1e-9 * p.size) {  // a rounding remainder: the hedger takes it at BP
          s.counter_inventory += p.side * (p.size - taken);
          s.counter_cash -= p.side * (p.size - taken) * bp;
          taken = p.size;
        }
        // The part taken closes at its bankruptcy price: nothing left, nothing owed (the
        // rounding of "nothing" stays with the trader, so wealth is conserved exactly).
        const double part_margin = taken >= p.size ? p.margin : p.margin * (taken / p.size);
        retained_ += part_margin + p.side * taken * (bp - p.entry);
        out_.adl_deficit_covered += taken * deficit / p.size;
        (p.side > 0 ? s.open_long_size : s.open_short_size) -= taken;
        if (taken >= p.size) {
          pos_.open.set(i, PositionBook::kClosed);
          continue;
        }
        pos_.size.set(i, p.size - taken);
        pos_.margin.set(i, p.margin - part_margin);
        pos_.liquidation_price.set(i, plan_.rules[k].liquidation_price(pos_.isolated(i)));
      }
  }
  // Cross accounts, once the book can take all their remaining legs in this round.
  for (const auto* slots : {&cross_hit_, &cross_liquidating_})
    for (std::uint32_t slot : *slots) {
      const auto& legs = cross_[slot].positions;
      double rest = cross_[slot].wallet + cross_realized_[slot], losses = 0.0;
      bool fillable = true;
      for (std::uint32_t i : legs) {
        if (pos_.open[i] != PositionBook::kInLiquidation) continue;
        const auto k = static_cast<std::size_t>(pos_.asset[i]);
        fillable = fillable && tentative_[k].fraction >= 1.0;
        const double pnl = pos_.side[i] * pos_.size[i] * (tentative_[k].price - pos_.entry[i]);
        rest += pnl;
        losses += std::max(0.0, -pnl);
      }
      if (!fillable || !(rest < 0.0) || !(losses > 0.0)) continue;
      const double deficit = -rest;
      const double a = share_to_deleverage(deficit);
      if (a == 0.0) continue;
      for (std::uint32_t i : legs) {
        if (pos_.open[i] != PositionBook::kInLiquidation) continue;
        const auto k = static_cast<std::size_t>(pos_.asset[i]);
        const int side = pos_.side[i];
        const double y = pos_.size[i], v0 = tentative_[k].price;
        const double loss = -side * y * (v0 - pos_.entry[i]);
        if (!(loss > 0.0)) continue;
        // This leg's share of the deficit, covered by closing it at the price that saves it.
        const double share = a * deficit * (loss / losses);
        const double price = v0 + side * share / y;
        double taken = deleverage({k, i, side, y, price, share / y}, t, round);
        if (!(taken > 0.0)) continue;
        if (y - taken <= 1e-9 * y) {  // a rounding remainder: the hedger takes it at the price
          assets_[k].counter_inventory += side * (y - taken);
          assets_[k].counter_cash -= side * (y - taken) * price;
          taken = y;
        }
        cross_realized_[slot] += side * taken * (price - pos_.entry[i]);
        out_.adl_deficit_covered += taken * share / y;
        (side > 0 ? assets_[k].open_long_size : assets_[k].open_short_size) -= taken;
        if (taken >= y) {
          pos_.open.set(i, PositionBook::kClosed);
          pos_.size.set(i, 0.0);
        } else {
          pos_.size.set(i, y - taken);
        }
      }
    }
}

}  // namespace cascade
