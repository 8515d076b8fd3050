// Agents inside the cascade (MODEL.md section 7; docs/agents.md): stop-losses and margin calls,
// which are threshold events like liquidations and trade in the round's order of their asset,
// and positions arriving during the path.
#include <algorithm>
#include <cmath>

#include <boost/random/uniform_01.hpp>

#include "sim/book/initial_book.hpp"
#include "sim/book/population_sampler.hpp"
#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::answer_margin_calls(std::vector<std::uint32_t>& calls) {
  // One draw per call, in position order: the answers do not depend on the heaps' pop order.
  std::sort(calls.begin(), calls.end());
  boost::random::uniform_01<double> uniform;
  for (std::uint32_t i : calls) {
    const auto k = static_cast<std::size_t>(pos_.asset[i]);
    const MarginCallSpec& spec = margin_call_of(sc_, i, k);
    out_.margin_calls += 1;
    const double x = uniform(agents_rng_);
    if (x < spec.top_up_probability && pos_.wallet[i] > 0.0) {
      settle_funding(i);
      touch(i);
      const double amount = std::min(spec.top_up_amount * pos_.margin[i], pos_.wallet[i]);
      pos_.margin.mut(i) += amount;
      pos_.wallet.mut(i) -= amount;
      deposits_ += amount;  // from the trader's wallet outside the exchange
      out_.top_ups += 1;
      out_.top_up_usd += amount;
      queue_isolated(i);  // a lower liquidation price, and a new margin-call price
    } else if (x >= spec.top_up_probability && x < spec.top_up_probability + spec.reduce_probability) {
      touch(i);
      reduces_[k].push_back({i, spec.reduce_fraction * pos_.size[i]});
      // It trades in this round: no auto-deleveraging picks it as a counterparty meanwhile.
      pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] | PositionBook::kOrderInRound));
      out_.reduces += 1;
    } else {  // ignores it (or wanted to top up with an empty wallet): no further calls
      pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] | PositionBook::kIgnoredCall));
    }
  }
  // Cross accounts called on their margin ratio, after the isolated calls, in slot order (the
  // draws of a scenario without them are unchanged). The account answers as a whole: a top-up
  // goes into its wallet, a reduce closes the same fraction of every leg in the round's order
  // of each leg's asset.
  std::sort(cross_calls_.begin(), cross_calls_.end());
  for (std::uint32_t slot : cross_calls_) {
    auto& acct = cross_[slot];
    const MarginCallSpec& spec = *acct.margin_call;
    out_.margin_calls += 1;
    const double x = uniform(agents_rng_);
    const double amount = std::min(spec.top_up_amount * std::max(acct.wallet, 0.0), acct.top_up_left);
    if (x < spec.top_up_probability && amount > 0.0) {
      acct.wallet += amount;
      acct.top_up_left -= amount;
      deposits_ += amount;  // from outside the exchange
      out_.top_ups += 1;
      out_.top_up_usd += amount;
      rearm_cross(slot);  // still called (too small a top-up): answered again next round
    } else if (x >= spec.top_up_probability && x < spec.top_up_probability + spec.reduce_probability) {
      bool any = false;
      for (std::uint32_t i : acct.positions) {
        if (pos_.open[i] != PositionBook::kOpen || (pos_.agent[i] & PositionBook::kOrderInRound)) continue;
        const auto k = static_cast<std::size_t>(pos_.asset[i]);
        touch(i);
        reduces_[k].push_back({i, spec.reduce_fraction * pos_.size[i]});
        pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] | PositionBook::kOrderInRound));
        any = true;
      }
      if (any) {
        out_.reduces += 1;
      } else {
        acct.ignored_call = true;
        rearm_cross(slot);
      }
    } else {  // ignores it (or wanted to top up with nothing left): no further calls
      acct.ignored_call = true;
      rearm_cross(slot);
    }
  }
}

void Engine::rearm_cross(std::size_t slot) {
  if (!cross_.arm(slot, pos_, marks(), plan_.rules)) unhealthy_cross_.push_back(static_cast<std::uint32_t>(slot));
}

void Engine::close_by_trader(std::size_t k, std::uint32_t i, double price) {
  // The trader closes the whole position at the round's price and keeps what is left; a
  // position closed beyond its bankruptcy price leaves a deficit for the fund (an agent's order
  // is not a liquidation: auto-deleveraging, decided before the round's fills, does not cover
  // it), then bad debt.
  auto& s = assets_[k];
  const IsolatedPosition p = settled_position(i);
  (p.side > 0 ? s.open_long_size : s.open_short_size) -= p.size;
  s.counter_inventory += p.side * p.size;
  s.counter_cash -= p.side * p.size * price;
  pos_.open.set(i, PositionBook::kClosed);
  const double realized = p.side * p.size * (price - p.entry);
  if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
    // A closed leg holds nothing: the account's equity and maintenance no longer see it.
    pos_.size.set(i, 0.0);
    cross_[static_cast<std::size_t>(slot)].wallet += realized;
    rearm_cross(static_cast<std::size_t>(slot));
    return;
  }
  const double rest = p.margin + realized;
  if (rest >= 0.0)
    retained_ += rest;
  else
    pay_out(LiquidationOutcome{p.size * price, rest, 0.0, rest, 0.0}, k, p.side);
}

void Engine::reduce_by_trader(std::size_t k, std::uint32_t i, double y, double price) {
  // Closing y of n: the realised PnL is settled into the margin (the wallet for a cross
  // position), which stays with the rest of the position, so the same equity now carries a
  // smaller maintenance margin (the point of reducing against a margin call).
  auto& s = assets_[k];
  settle_funding(i);  // before the size changes
  const int side = pos_.side[i];
  const double realized = side * y * (price - pos_.entry[i]);
  pos_.size.set(i, pos_.size[i] - y);
  (side > 0 ? s.open_long_size : s.open_short_size) -= y;
  s.counter_inventory += side * y;
  s.counter_cash -= side * y * price;
  pos_.open.set(i, PositionBook::kOpen);
  if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
    cross_[static_cast<std::size_t>(slot)].wallet += realized;
    rearm_cross(static_cast<std::size_t>(slot));
    return;
  }
  pos_.margin.mut(i) += realized;
  queue_isolated(i);
}

void Engine::settle_agent_orders(std::size_t k, const RoundFill& f) {
  // Agents' orders are immediate or cancel: each fills the round's fraction of its size at the
  // round's price; a stop's unfilled part is cancelled (the rest of the position stays open,
  // without a stop), and so is a reduce's.
  for (const AgentOrder& o : stops_[k]) {
    const std::uint32_t i = o.position;
    const double y = f.fraction >= 1.0 ? o.size : o.size * f.fraction;
    if (y > 0.0) {
      out_.stops += 1;
      out_.stop_notional += y * f.price;
    }
    if (y >= pos_.size[i]) {
      close_by_trader(k, i, f.price);
    } else if (y > 0.0) {
      reduce_by_trader(k, i, y, f.price);
    } else {
      // Nothing filled: the stop is cancelled and the position is the trader's again, with its
      // thresholds re-queued (the round discarded its margin-call entry while it was the stop's;
      // a cross leg's threshold is its account's, which never left the queues).
      pos_.open.set(i, PositionBook::kOpen);
      if (cross_slot_[i] < 0) queue_isolated(i);
    }
  }
  for (const AgentOrder& o : reduces_[k]) {
    const std::uint32_t i = o.position;
    pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] & ~PositionBook::kOrderInRound));
    const double y = f.fraction >= 1.0 ? o.size : o.size * f.fraction;
    if (!(y > 0.0)) {
      // The book could not take any of it: the trader gives up answering calls, as if ignored
      // (a reduce retried every round would only burn the step's rounds); for a cross leg, its
      // account does.
      if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
        cross_[static_cast<std::size_t>(slot)].ignored_call = true;
        rearm_cross(static_cast<std::size_t>(slot));
      } else {
        pos_.agent.set(i, static_cast<std::uint8_t>(pos_.agent[i] | PositionBook::kIgnoredCall));
      }
      continue;
    }
    out_.reduce_notional += y * f.price;
    if (y >= pos_.size[i])
      close_by_trader(k, i, f.price);
    else
      reduce_by_trader(k, i, y, f.price);
  }
}

void Engine::arrive() {
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    const auto& a = sc_.assets[k];
    if (!a.population || !(a.population->arrivals_per_day > 0.0)) continue;
    const PopulationSpec& pop = *a.population;
    const std::int64_t count = arrivals_per_step_[k](agents_rng_);
    auto& s = assets_[k];
    for (std::int64_t c = 0; c < count; ++c) {
      // A new position opens at the mark against the hedger; its margin comes from outside.
      const SampledPosition drawn = sample_position(a, plan_.rules[k], pop, agents_rng_, s.mark);
      IsolatedPosition p = drawn.position;
      // With arrival_cross_share, two more draws: whether it joins a cross account, and which
      // (none without it, so the stream of a scenario without cross arrivals is unchanged).
      std::int32_t slot = -1;
      if (pop.arrival_cross_share > 0.0) {
        boost::random::uniform_01<double> uniform;
        const double u_cross = uniform(agents_rng_), u_account = uniform(agents_rng_);
        if (u_cross < pop.arrival_cross_share) {
          const auto m = static_cast<std::size_t>(sc_.cross_accounts);
          const std::size_t j = std::min(static_cast<std::size_t>(u_account * static_cast<double>(m)), m - 1);
          slot = join_cross_account(j, p.margin);
          if (slot >= 0) p.margin = 0.0;
        }
      }
      const std::int32_t account = slot >= 0 ? cross_[static_cast<std::size_t>(slot)].id : -1;
      const std::uint32_t i = pos_.add(static_cast<std::int32_t>(k), account, p, slot >= 0);
      pos_.stop_price.set(i, drawn.stop_price);
      pos_.funding_base.set(i, s.funding_index);
      if (pop.margin_call && slot < 0) {
        pos_.agent.set(i, PositionBook::kAnswersCalls);
        pos_.wallet.set(i, pop.margin_call->wallet * p.margin);
      }
      if (slot < 0) pos_.liquidation_price.set(i, plan_.rules[k].liquidation_price(p));
      cross_slot_.push_back(slot);
      touched_flag_.push_back(1);
      touched_.push_back(i);
      (p.side > 0 ? s.open_long_size : s.open_short_size) += p.size;
      s.arrived_size += p.size;
      s.counter_inventory -= p.side * p.size;
      s.counter_cash += p.side * p.size * p.entry;
      deposits_ += slot >= 0 ? drawn.position.margin : p.margin;
      out_.arrivals += 1;
      out_.arrival_notional += p.size * p.entry;
      if (slot >= 0) {
        cross_.add_position(static_cast<std::size_t>(slot), i, static_cast<std::uint32_t>(k));
        rearm_cross(static_cast<std::size_t>(slot));
      } else {
        push_thresholds(i, true, true);
      }
      if (!std::isnan(drawn.stop_price))
        s.queues.stop[p.side > 0 ? 0 : 1].push({drawn.stop_price, i, 0});
    }
  }
}

std::int32_t Engine::join_cross_account(std::size_t j, double margin) {
  // The account "cross-j" gets the position's margin in its wallet (money from outside). An
  // account liquidated earlier whose liquidation is finished opens again, empty; one whose legs
  // the book is still selling takes none (-1: the position opens isolated).
  const std::int32_t id = first_cross_account(sc_) + static_cast<std::int32_t>(j);
  std::int32_t found = cross_.slot_of(id);
  if (found >= 0 && std::find(cross_liquidating_.begin(), cross_liquidating_.end(),
                              static_cast<std::uint32_t>(found)) != cross_liquidating_.end())
    return -1;
  if (found < 0) {
    found = static_cast<std::int32_t>(cross_.add_account(id));
    cross_realized_.push_back(0.0);
    cross_notional_.push_back(0.0);
    cross_bucket_pnl_.emplace_back();
  }
  const auto slot = static_cast<std::size_t>(found);
  auto& acct = cross_[slot];
  if (!acct.open) {
    // Settled (its legs closed, wallet paid out): a new life of the account.
    acct.open = true;
    acct.positions.clear();
    acct.assets.clear();
    acct.wallet = 0.0;
    acct.ignored_call = false;
  }
  if (acct.margin_call == nullptr && sc_.cross_margin_call) acct.margin_call = &*sc_.cross_margin_call;
  if (acct.margin_call) acct.top_up_left += acct.margin_call->wallet * margin;
  acct.wallet += margin;
  return static_cast<std::int32_t>(slot);
}

}  // namespace cascade
