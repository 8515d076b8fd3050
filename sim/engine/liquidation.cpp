// Cascade rounds: what the marks have crossed, one order per asset, the fills (MODEL.md section 5;
// docs/engine.md). Settlement with the fund and ADL: settlement.cpp.
#include <algorithm>
#include <cmath>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"

namespace cascade {

namespace {
constexpr int kLiquidationQueue = 0;
constexpr int kCallQueue = 1;
}  // namespace

void Engine::queue_isolated(std::uint32_t i) {
  settle_funding(i);
  pos_.generation.mut(i) += 1;
  const auto k = static_cast<std::size_t>(pos_.asset[i]);
  const IsolatedPosition p = pos_.isolated(i);
  pos_.liquidation_price.set(i, plan_.rules[k].liquidation_price(p));
  pos_.bankruptcy_price.set(i, MarginRule::bankruptcy_price(p));
  push_thresholds(i, true, true);
}

void Engine::push_thresholds(std::uint32_t i, bool liquidation, bool call) {
  const auto k = static_cast<std::size_t>(pos_.asset[i]);
  auto& s = assets_[k];
  const int at = pos_.side[i] > 0 ? 0 : 1;
  const bool drifts = sc_.exchange.funding.enabled;
  const std::uint32_t gen = pos_.generation[i];
  // Keys are thresholds less the funding offset of their queue (sim/engine/funding.cpp); a long
  // without a threshold waits at 0 when funding may give it one.
  if (liquidation) {
    const double lp = pos_.liquidation_price[i];
    if (!std::isnan(lp))
      s.queues.liquidation[at].push({lp - threshold_offset(k, kLiquidationQueue, at), i, gen});
    else if (drifts && at == 0)
      s.queues.liquidation[at].push({-threshold_offset(k, kLiquidationQueue, at), i, gen});
  }
  if (call && (pos_.agent[i] & PositionBook::kAnswersCalls) && !(pos_.agent[i] & PositionBook::kIgnoredCall)) {
    const double ratio = margin_call_of(sc_, i, k).warning_ratio;
    const double price = plan_.rules[k].margin_call_price(settled_position(i), ratio);
    if (!std::isnan(price))
      s.queues.call[at].push({price - threshold_offset(k, kCallQueue, at), i, gen});
    else if (drifts && at == 0)
      s.queues.call[at].push({-threshold_offset(k, kCallQueue, at), i, gen});
  }
}

bool Engine::collect_round() {
  using Book = PositionBook;
  const auto current = [this](const ThresholdQueue::Entry& e) {
    return pos_.open[e.position] == Book::kOpen && pos_.generation[e.position] == e.generation;
  };
  const auto prefetch_current = [this](std::uint32_t i) {
    pos_.open.prefetch(i);
    pos_.generation.prefetch(i);
  };
  bool any = false;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    hits_[k].clear();
    partials_[k].clear();
    pending_[k].swap(in_liquidation_[k]);  // what the book could not fill yet is offered again
    in_liquidation_[k].clear();
    stops_[k].clear();
    reduces_[k].clear();
    popped_.clear();
    for (int at = 0; at < 2; ++at)
      s.queues.liquidation[at].pop_crossed(s.mark - threshold_offset(k, kLiquidationQueue, at), current,
                                           popped_, prefetch_current);
    const bool exact = s.funding_rises == 0.0 && s.funding_falls == 0.0;
    const double certain[2] = {certain_offset(k, kLiquidationQueue, 0), certain_offset(k, kLiquidationQueue, 1)};
    for (const auto& e : popped_) {
      // A key crossed under the funding drift bound: unless the mark is past the bound's other
      // end too, check the position's own price now. One that has not crossed is re-queued at
      // its liquidation price of now, with the funding paid since its last settlement (its
      // stored price is that of the last settlement: re-keyed with it, a long that keeps paying
      // would wait below its true price and outlive it).
      const int side = pos_.side[e.position];
      if (exact || MarginRule::crossed(side, e.price + certain[side > 0 ? 0 : 1], s.mark) ||
          MarginRule::crossed(side, current_liquidation_price(e.position), s.mark))
        hits_[k].push_back(e.position);
      else
        queue_isolated(e.position);
    }
    any = any || !pending_[k].empty();
    any = route_hits(k) || any;
  }
  // Cross accounts whose safe band a mark has left are checked exactly at the current marks;
  // an unhealthy account is liquidated whole, in every asset, in this round (contagion).
  cross_hit_.clear();
  cross_calls_.clear();
  if (!cross_.empty()) {
    std::vector<std::uint32_t> candidates;
    candidates.swap(unhealthy_cross_);
    for (std::size_t k = 0; k < assets_.size(); ++k) cross_.pop_triggered(k, assets_[k].mark, candidates);
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    const auto& m = marks();
    for (std::uint32_t slot : candidates) {
      auto& acct = cross_[slot];
      if (!acct.open) continue;
      const double equity = cross_.equity(slot, pos_, m);
      const double maintenance = cross_.maintenance(slot, pos_, m, plan_.rules);
      if (equity < maintenance && vault_ && equity < sc_.exchange.backstop.takeover_ratio * maintenance) {
        take_over_account(slot);  // the vault takes the whole account over at the marks
        any = true;
      } else if (equity < maintenance) {
        acct.open = false;
        cross_hit_.push_back(slot);
        // Each leg's bankruptcy price given the account's other assets at their marks (the
        // computation `cascade levels` shows: CrossAccounts::bankruptcy_price).
        for (std::uint32_t i : acct.positions)
          if (pos_.open[i] == Book::kOpen) pos_.bankruptcy_price.set(i, cross_.bankruptcy_price(slot, i, pos_, m));
        for (std::uint32_t i : acct.positions)
          if (pos_.open[i] == Book::kOpen) hits_[static_cast<std::size_t>(pos_.asset[i])].push_back(i);
      } else if (cross_.in_call(slot, equity, maintenance)) {
        cross_calls_.push_back(slot);  // answered with the round's margin calls (agents.cpp)
      } else if (!cross_.arm(slot, pos_, m, plan_.rules)) {
        unhealthy_cross_.push_back(slot);  // exactly at its maintenance: look again next round
      }
    }
  }
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    for (std::uint32_t i : hits_[k]) {
      pos_.open.set(i, Book::kInLiquidation);  // taken over by the liquidation engine
      pos_.generation.mut(i) += 1;             // its queue entries are void
      touch(i);
    }
    out_.liquidations += static_cast<std::int64_t>(hits_[k].size());
    out_.asset_liquidations[k] += static_cast<std::int64_t>(hits_[k].size());
    any = any || !hits_[k].empty();
  }
  if (!any_agents_) return any || !cross_calls_.empty();

  // Stop-losses, then margin calls, of positions the liquidation engine has not taken over
  // (liquidation takes precedence over both, a stop over a margin call: docs/agents.md).
  const auto open = [this](const ThresholdQueue::Entry& e) { return pos_.open[e.position] == Book::kOpen; };
  const auto prefetch_open = [this](std::uint32_t i) { pos_.open.prefetch(i); };
  const auto answers = [this](const ThresholdQueue::Entry& e) {
    const std::uint32_t i = e.position;
    return pos_.open[i] == Book::kOpen && pos_.generation[i] == e.generation &&
           !(pos_.agent[i] & (Book::kIgnoredCall | Book::kOrderInRound));
  };
  calls_.clear();
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    popped_.clear();
    for (int at = 0; at < 2; ++at) s.queues.stop[at].pop_crossed(s.mark, open, popped_, prefetch_open);
    for (const auto& e : popped_) {
      if (pos_.agent[e.position] & Book::kOrderInRound) {  // being partially liquidated: later
        s.queues.stop[pos_.side[e.position] > 0 ? 0 : 1].push(e);
        continue;
      }
      stops_[k].push_back({e.position, pos_.size[e.position]});
      pos_.open.set(e.position, Book::kClosed);  // the trader's stop order is in the round
      touch(e.position);
    }
    popped_.clear();
    for (int at = 0; at < 2; ++at)
      s.queues.call[at].pop_crossed(s.mark - threshold_offset(k, kCallQueue, at), answers, popped_,
                                    prefetch_current);
    const bool exact = s.funding_rises == 0.0 && s.funding_falls == 0.0;
    const double certain[2] = {certain_offset(k, kCallQueue, 0), certain_offset(k, kCallQueue, 1)};
    for (const auto& e : popped_) {
      const std::uint32_t i = e.position;
      const int side = pos_.side[i];
      const double ratio = margin_call_of(sc_, i, k).warning_ratio;
      if (exact || MarginRule::crossed(side, e.price + certain[side > 0 ? 0 : 1], s.mark) ||
          MarginRule::crossed(side, plan_.rules[k].margin_call_price(settled_position(i), ratio), s.mark))
        calls_.push_back(i);
      else
        push_thresholds(i, false, true);
    }
    any = any || !stops_[k].empty();
  }
  return any || !calls_.empty() || !cross_calls_.empty();
}

Engine::RoundFill Engine::fill(std::size_t k, double q) {
  auto& s = assets_[k];
  // Beyond the displacement cap the book fills only part of the order (models/capped_book.hpp):
  // every order of the round in the asset fills the same fraction at the VWAP of that part.
  const BookFill f = s.book.execute(q);
  if (f.filled != 0.0) {
    const double slippage_bps = 1e4 * std::abs(f.vwap - f.mid_before) / f.mid_before;
    out_.asset_peak_slippage_bps[k] = std::max(out_.asset_peak_slippage_bps[k], slippage_bps);
  }
  if (const double c = sc_.assets[k].index_coupling; c != 0.0) {  // docs/market.md
    s.book.leak_to_index(f.mid_before, c);
    fundamentals_[k] = s.book.fundamental();
  }
  update_mark(k);
  return RoundFill{f.vwap, f.filled_fraction(), f.cap_price};
}

template <class PositionOf>
void Engine::canonical_order(std::size_t count, PositionOf&& position_of) {
  sort_keys_.resize(count);
  for (std::size_t j = 0; j < count; ++j) {
    if (j + 8 < count) {
      const std::uint32_t ahead = position_of(j + 8);
      pos_.side.prefetch(ahead);
      pos_.size.prefetch(ahead);
      pos_.entry.prefetch(ahead);
      pos_.margin.prefetch(ahead);
    }
    const std::uint32_t i = position_of(j);
    sort_keys_[j] = {pos_.side[i] * pos_.size[i], pos_.entry[i], pos_.margin[i], i, static_cast<std::uint32_t>(j)};
  }
  std::sort(sort_keys_.begin(), sort_keys_.end(), [](const SortKey& a, const SortKey& b) {
    if (a.signed_size != b.signed_size) return a.signed_size < b.signed_size;
    if (a.entry != b.entry) return a.entry < b.entry;
    if (a.margin != b.margin) return a.margin < b.margin;
    return a.position < b.position;
  });
}

void Engine::sort_round(std::size_t k) {
  // Settle in a canonical order of the positions' contents (signed size, entry, margin), so
  // that floating-point sums, and with them every result, do not depend on the order in which
  // the hits were found or on the positions' row order in the input; equal keys are identical
  // positions, whose order cannot matter. The keys are gathered once (the positions are
  // scattered through the book), then sorted.
  for (auto* list : {&hits_[k], &pending_[k]}) {
    if (list->size() < 2) continue;
    canonical_order(list->size(), [&](std::size_t j) { return (*list)[j]; });
    for (std::size_t j = 0; j < list->size(); ++j) (*list)[j] = sort_keys_[j].position;
  }
  for (auto* orders : {&partials_[k], &stops_[k], &reduces_[k]}) {
    if (orders->size() < 2) continue;
    canonical_order(orders->size(), [&](std::size_t j) { return (*orders)[j].position; });
    sorted_orders_.clear();
    for (const SortKey& key : sort_keys_) sorted_orders_.push_back((*orders)[key.slot]);
    orders->swap(sorted_orders_);
  }
}

bool Engine::has_orders(std::size_t k) const noexcept {
  return !hits_[k].empty() || !pending_[k].empty() || !partials_[k].empty() || !stops_[k].empty() ||
         !reduces_[k].empty();
}

double Engine::round_order(std::size_t k) const {
  double q = 0.0;
  for (const auto* list : {&hits_[k], &pending_[k]})
    for (std::uint32_t i : *list)
      if (pos_.open[i] == PositionBook::kInLiquidation) q -= pos_.side[i] * pos_.size[i];
  for (const auto* orders : {&partials_[k], &stops_[k], &reduces_[k]})
    for (const AgentOrder& o : *orders) q -= pos_.side[o.position] * o.size;
  return q;
}

void Engine::record_liquidated(int t, int round, std::size_t k, std::uint32_t i, int side, double y,
                               double price, double bankruptcy_price) {
  auto& s = assets_[k];
  const double notional = y * price;
  (side > 0 ? s.open_long_size : s.open_short_size) -= y;
  out_.liquidated_notional += notional;
  out_.asset_liquidated_notional[k] += notional;
  (side > 0 ? out_.asset_long_liquidated_notional : out_.asset_short_liquidated_notional)[k] += notional;
  s.step_liquidated += notional;
  s.liquidated_size += y;
  if (sinks_.events)
    sinks_.events->push_back(LiquidationEvent{point_, path_, t, round, static_cast<std::int32_t>(k),
                                              static_cast<std::int64_t>(i), static_cast<std::int8_t>(side), y,
                                              price, bankruptcy_price});
}

void Engine::close_liquidation(int t, int round, std::size_t k, std::uint32_t i, const RoundFill& f,
                               bool first) {
  if (pos_.open[i] != PositionBook::kInLiquidation) return;  // deleveraged whole before the book
  auto& s = assets_[k];
  const int side = pos_.side[i];
  const double n = pos_.size[i];
  const double y = f.fraction >= 1.0 - 1e-9 ? n : n * f.fraction;  // no dust left in liquidation
  if (first && y < n) {  // the book ran dry: the rest waits in liquidation (counted when first offered)
    out_.unfilled_notional += (n - y) * f.cap_price;
    out_.asset_unfilled_notional[k] += (n - y) * f.cap_price;
  }
  if (y > 0.0) {
    s.counter_inventory += side * y;
    s.counter_cash -= side * y * f.price;
    record_liquidated(t, round, k, i, side, y, f.price, pos_.bankruptcy_price[i]);
    if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
      const auto a = static_cast<std::size_t>(slot);
      cross_realized_[a] += side * y * (f.price - pos_.entry[i]);
      cross_bucket_pnl_[a][2 * k + (side > 0 ? 0 : 1)] += side * y * (f.price - pos_.entry[i]);
      cross_notional_[a] += y * f.price;
      if (y < n) pos_.size.set(i, n - y);
    } else {
      settle_isolated_part(i, y, f.price, fee_rate_);
    }
  }
  if (y < n)
    in_liquidation_[k].push_back(i);
  else
    pos_.open.set(i, PositionBook::kClosed);
}

double Engine::partial_size(std::size_t k, std::uint32_t i) const {
  // How much of a crossed position the venue sells now (MODEL.md section 5.2); 0: all of it.
  const LiquidationSpec& spec = sc_.exchange.liquidation;
  const double n = pos_.size[i];
  if (spec.mode == LiquidationMode::Partial) {
    if (n * assets_[k].mark <= spec.partial_above_usd) return 0.0;
    if (const auto it = last_partial_s_.find(i);
        it != last_partial_s_.end() && step_ * sc_.dt_s - it->second < spec.cooldown_s)
      return 0.0;  // within the cooldown after a partial: the whole position
    return spec.partial_fraction * n;
  }
  if (spec.mode == LiquidationMode::Tiered) {
    // Down to the limit of the tier below, by the value at entry (Bybit's tiers), then re-checked
    // at that tier's rate; the first tier is closed whole.
    const auto& rows = plan_.rules[k].tiers().rows();
    const double value = n * pos_.entry[i];
    std::size_t tier = 0;
    // A value at a floor (where the last reduction left it, up to rounding) is in the tier below:
    // maintenance is continuous there, and the next reduction goes to the next floor down.
    while (tier + 1 < rows.size() && rows[tier + 1].floor_usd * (1.0 + 1e-12) < value) ++tier;
    if (tier == 0) return 0.0;
    const double y = n - rows[tier].floor_usd / pos_.entry[i];
    return y > 1e-9 * n ? y : 0.0;
  }
  return 0.0;
}

bool Engine::route_hits(std::size_t k) {
  // A crossed isolated position goes to the vault (equity below the takeover ratio of its
  // maintenance), to a partial liquidation (the trader keeps the rest), or whole to the
  // liquidation engine (it stays in hits_).
  using Book = PositionBook;
  auto& hits = hits_[k];
  partials_[k].clear();
  std::size_t kept = 0;
  bool routed = false;
  for (std::uint32_t i : hits) {
    if (vault_) {
      const IsolatedPosition p = settled_position(i);
      const double mark = assets_[k].mark;
      if (MarginRule::equity(p, mark) <
          sc_.exchange.backstop.takeover_ratio * plan_.rules[k].maintenance_margin(p, mark)) {
        take_over(k, i);
        routed = true;
        continue;
      }
    }
    if (const double y = partial_size(k, i); y > 0.0) {
      partials_[k].push_back({i, y});
      pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] | Book::kOrderInRound));
      out_.liquidations += 1;
      out_.asset_liquidations[k] += 1;
      out_.partial_liquidations += 1;
      touch(i);
      routed = true;
      continue;
    }
    hits[kept++] = i;
  }
  hits.resize(kept);
  return routed;
}

void Engine::settle_partial(int t, int round, std::size_t k, const AgentOrder& o, const RoundFill& f) {
  // The part the book filled is sold; the trader keeps the rest of the position with its margin
  // less the realised loss and the fee of the part sold (MODEL.md section 5.2). A dry book that
  // fills nothing of it hands the whole position to the liquidation engine.
  using Book = PositionBook;
  const std::uint32_t i = o.position;
  pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] & ~Book::kOrderInRound));
  const double y = f.fraction >= 1.0 - 1e-9 ? o.size : o.size * f.fraction;
  if (!(y > 0.0)) {
    pos_.open.set(i, Book::kInLiquidation);
    pos_.generation.mut(i) += 1;
    in_liquidation_[k].push_back(i);
    return;
  }
  auto& s = assets_[k];
  settle_funding(i);
  const int side = pos_.side[i];
  const double realized = side * y * (f.price - pos_.entry[i]);
  const double notional = y * f.price;
  const double fee = std::fmin(fee_rate_ * notional, std::fmax(pos_.margin[i] + realized, 0.0));
  pos_.margin.mut(i) += realized - fee;
  pos_.size.set(i, pos_.size[i] - y);
  s.counter_inventory += side * y;
  s.counter_cash -= side * y * f.price;
  record_liquidated(t, round, k, i, side, y, f.price, pos_.bankruptcy_price[i]);
  pay_out(LiquidationOutcome{notional, fee, fee, fee, 0.0}, k, side);
  last_partial_s_[i] = t * sc_.dt_s;
  queue_isolated(i);  // a smaller position: new liquidation and bankruptcy prices
}

int Engine::cascade(int t) {
  const std::size_t n = assets_.size();
  int depth = 0;
  // A vault the move has put underwater is deleveraged before anything else trades, also in a
  // step without liquidations (MODEL.md section 5.2).
  if (vault_ && sc_.exchange.adl.after_fund == AfterFund::Adl && vault_underwater()) {
    std::fill(adl_ranked_.begin(), adl_ranked_.end(), 0);
    round_ = 1;
    liquidations_before_round_ = out_.liquidations;
    double left = 0.0;
    deleverage_vault(t, 1, left);
  }
  cascade_exhausted_ = true;
  for (int round = 1; round <= sc_.engine.max_rounds; ++round) {
    round_ = round;
    liquidations_before_round_ = out_.liquidations;
    if (!collect_round()) {
      cascade_exhausted_ = false;
      break;
    }
    const bool calls = !calls_.empty() || !cross_calls_.empty();
    if (calls) answer_margin_calls(calls_);
    bool taken_over = !cross_hit_.empty() || out_.liquidations != liquidations_before_round_,
         agent_orders = false;
    for (std::size_t k = 0; k < n; ++k) {
      taken_over = taken_over || !hits_[k].empty() || !partials_[k].empty();
      agent_orders = agent_orders || !stops_[k].empty() || !reduces_[k].empty();
      sort_round(k);
    }
    const std::size_t first_event = sinks_.events ? sinks_.events->size() : 0;
    const std::int64_t adl_before = out_.adl_count;
    // Who is deleveraged is decided before any order executes (MODEL.md section 5.1); its fills
    // are recorded in the order made: by asset, bankrupt positions in canonical order, then the
    // counterparties in ranking order.
    plan_bankruptcies(t, round);
    for (std::size_t k = 0; k < n; ++k)
      if (has_orders(k)) round_fills_[k] = fill(k, round_order(k));
    const double liquidated_before = out_.liquidated_notional;

    for (std::size_t k = 0; k < n; ++k) {
      if (!has_orders(k)) continue;
      const RoundFill& f = round_fills_[k];
      for (const auto* list : {&hits_[k], &pending_[k]}) {
        const bool first = list == &hits_[k];
        for (std::size_t j = 0; j < list->size(); ++j) {
          if (j + 4 < list->size()) {
            const std::uint32_t ahead = (*list)[j + 4];
            pos_.funding_base.prefetch(ahead);
            pos_.bankruptcy_price.prefetch(ahead);
            cross_slot_.prefetch(ahead);
          }
          close_liquidation(t, round, k, (*list)[j], f, first);
        }
      }
    }
    for (std::size_t k = 0; k < n; ++k)
      for (const AgentOrder& o : partials_[k]) settle_partial(t, round, k, o, round_fills_[k]);
    for (std::size_t k = 0; k < n; ++k)
      if (!stops_[k].empty() || !reduces_[k].empty()) settle_agent_orders(k, round_fills_[k]);
    finish_cross_accounts();
    pay_deficits();
    if (sinks_.events)  // events of a round are listed by asset, then position index
      std::sort(sinks_.events->begin() + static_cast<std::ptrdiff_t>(first_event), sinks_.events->end(),
                [](const auto& a, const auto& b) {
                  return a.asset != b.asset ? a.asset < b.asset : a.position < b.position;
                });
    out_.insurance_fund_min = std::min(out_.insurance_fund_min, fund_);
    // Depth counts the rounds that liquidated (MODEL.md section 5 step 3): a position taken over,
    // a liquidation filled, or one deleveraged. Rounds in which only agents acted are counted apart.
    const bool liquidated = taken_over || out_.liquidated_notional != liquidated_before ||
                            out_.adl_count != adl_before;
    if (liquidated) {
      ++depth;
      if (std::isnan(out_.first_liquidation_time)) out_.first_liquidation_time = t * sc_.dt_s;
    } else if (agent_orders || calls) {
      ++out_.agent_rounds;
    } else {
      cascade_exhausted_ = false;
      break;  // only liquidations the dry book cannot fill: nothing moves until it refills
    }
  }
  return depth;
}

}  // namespace cascade
