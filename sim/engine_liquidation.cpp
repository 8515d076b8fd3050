// Cascade rounds, settlement and auto-deleveraging (MODEL.md section 5; docs/engine.md).
#include <algorithm>
#include <cmath>

#include "sim/engine.hpp"

namespace cascade {

void Engine::queue_isolated(std::uint32_t i) {
  const auto k = static_cast<std::size_t>(pos_.asset[i]);
  ++pos_.generation[i];
  const IsolatedPosition p = pos_.isolated(i);
  pos_.liquidation_price[i] = plan_.rules[k].liquidation_price(p);
  pos_.bankruptcy_price[i] = MarginRule::bankruptcy_price(p);
  if (std::isnan(pos_.liquidation_price[i])) return;
  auto& s = assets_[k];
  (p.side > 0 ? s.longs : s.shorts).push({pos_.liquidation_price[i], i, pos_.generation[i]});
}

bool Engine::collect_round(std::vector<std::vector<std::uint32_t>>& hits,
                           std::vector<std::uint32_t>& cross_hit) {
  const auto current = [this](const ThresholdQueue::Entry& e) {
    return pos_.open[e.position] != 0 && pos_.generation[e.position] == e.generation;
  };
  std::vector<ThresholdQueue::Entry> popped;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    hits[k].clear();
    popped.clear();
    assets_[k].longs.pop_crossed(assets_[k].mark, current, popped);
    assets_[k].shorts.pop_crossed(assets_[k].mark, current, popped);
    for (const auto& e : popped) hits[k].push_back(e.position);
  }
  // Cross accounts whose safe band a mark has left are checked exactly at the current marks;
  // an unhealthy account is liquidated whole, in every asset, in this round (contagion).
  cross_hit.clear();
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
      if (cross_.equity(slot, pos_, m) < cross_.maintenance(slot, pos_, m, plan_.rules)) {
        acct.open = false;
        cross_hit.push_back(slot);
        for (std::uint32_t i : acct.positions)
          if (pos_.open[i]) hits[static_cast<std::size_t>(pos_.asset[i])].push_back(i);
      } else if (!cross_.arm(slot, pos_, m, plan_.rules)) {
        unhealthy_cross_.push_back(slot);  // exactly at its maintenance: look again next round
      }
    }
  }
  bool any = false;
  for (auto& h : hits) {
    for (std::uint32_t i : h) pos_.open[i] = 0;  // taken over by the liquidation engine
    any = any || !h.empty();
  }
  return any;
}

double Engine::execute_round(std::size_t k, std::vector<std::uint32_t>& hits) {
  auto& s = assets_[k];
  // Settle in a canonical order of the positions' contents (signed size, entry, margin), so
  // that floating-point sums, and with them every result, do not depend on the order in which
  // the hits were found or on the positions' row order in the input; equal keys are identical
  // positions, whose order cannot matter.
  std::sort(hits.begin(), hits.end(), [this](std::uint32_t i, std::uint32_t j) {
    const double si = pos_.side[i] * pos_.size[i], sj = pos_.side[j] * pos_.size[j];
    if (si != sj) return si < sj;
    if (pos_.entry[i] != pos_.entry[j]) return pos_.entry[i] < pos_.entry[j];
    if (pos_.margin[i] != pos_.margin[j]) return pos_.margin[i] < pos_.margin[j];
    return i < j;
  });
  double q = 0.0;
  for (std::uint32_t i : hits) q -= pos_.side[i] * pos_.size[i];
  const BookFill fill = s.book.execute(q);
  // What the book could not take (beyond the displacement cap) goes to the hedger at the cap
  // price: every liquidation of the round shares one blended price.
  double price = fill.vwap;
  if (fill.capped()) {
    const double unfilled = q - fill.filled;
    price = (fill.vwap * fill.filled + fill.cap_price * unfilled) / q;
    const double unfilled_usd = std::abs(unfilled) * fill.cap_price;
    out_.unfilled_notional += unfilled_usd;
    out_.asset_unfilled_notional[k] += unfilled_usd;
  }
  const double slippage_bps = 1e4 * std::abs(price - fill.mid_before) / fill.mid_before;
  out_.asset_peak_slippage_bps[k] = std::max(out_.asset_peak_slippage_bps[k], slippage_bps);
  if (const double c = sc_.assets[k].index_coupling; c != 0.0) {  // docs/market.md
    s.book.leak_to_index(fill.mid_before, c);
    fundamentals_[k] = s.book.fundamental();
  }
  update_mark(k);
  return price;
}

void Engine::close_position(int t, int round, std::size_t k, std::uint32_t i, double price) {
  auto& s = assets_[k];
  const IsolatedPosition p = pos_.isolated(i);
  (p.side > 0 ? s.open_long_size : s.open_short_size) -= p.size;
  s.counter_inventory += p.side * p.size;
  s.counter_cash -= p.side * p.size * price;
  const double notional = p.size * price;
  out_.liquidated_notional += notional;
  out_.liquidations += 1.0;
  out_.asset_liquidated_notional[k] += notional;
  out_.asset_liquidations[k] += 1.0;
  (p.side > 0 ? out_.asset_long_liquidated_notional : out_.asset_short_liquidated_notional)[k] += notional;
  s.step_liquidated += notional;
  if (sinks_.events)
    sinks_.events->push_back(LiquidationEvent{point_, path_, t, round, static_cast<std::int32_t>(k),
                                              static_cast<std::int64_t>(i), pos_.side[i], p.size,
                                              price, pos_.bankruptcy_price[i]});
  if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
    const auto a = static_cast<std::size_t>(slot);
    cross_realized_[a] += p.side * p.size * (price - p.entry);
    cross_notional_[a] += notional;
    cross_closing_[a].push_back(i);
    return;
  }
  const LiquidationSettlement st = settle_liquidation(p, price, fee_rate_);
  settle_rest(st.rest, st.fee, {{k, p.side, pos_.bankruptcy_price[i], 1.0}}, t, round);
}

void Engine::settle_cross_account(int t, int round, std::size_t slot, const std::vector<double>& prices) {
  auto& acct = cross_[slot];
  const double equity = acct.wallet + cross_realized_[slot];
  const double fee = std::fmin(fee_rate_ * cross_notional_[slot], std::fmax(equity, 0.0));
  // A deficit is shared by the account's positions in proportion to notional; each share is
  // deleveraged at the price where that position alone would have closed the account at zero.
  std::vector<DeficitShare> shares;
  if (equity < 0.0) {
    for (std::uint32_t i : cross_closing_[slot]) {
      const auto k = static_cast<std::size_t>(pos_.asset[i]);
      const double w = pos_.size[i] * prices[k] / cross_notional_[slot];
      shares.push_back({k, pos_.side[i], prices[k] + pos_.side[i] * (-equity) * w / pos_.size[i], w});
    }
  }
  acct.wallet = 0.0;
  cross_realized_[slot] = 0.0;
  cross_notional_[slot] = 0.0;
  cross_closing_[slot].clear();
  settle_rest(equity, fee, shares, t, round);
}

void Engine::settle_rest(double rest, double fee, const std::vector<DeficitShare>& shares, int t, int round) {
  out_.fees += fee;
  if (rest >= 0.0) {
    // Binance/Bybit: the fund takes the fee and whatever is left; Hyperliquid/dYdX: the trader
    // keeps what is left after the fee.
    fund_ += trader_keeps_rest_ ? fee : rest;
    if (trader_keeps_rest_) retained_ += rest - fee;
    return;
  }
  const double deficit = -rest;
  const double paid = std::min(fund_, deficit);
  fund_ -= paid;
  const double uncovered = deficit - paid;
  if (uncovered <= 0.0) return;
  double covered = 0.0;
  for (const auto& share : shares) covered += auto_deleverage(share, uncovered * share.weight, t, round);
  bad_debt_ += uncovered - covered;
}

double Engine::auto_deleverage(const DeficitShare& share, double deficit, int t, int round) {
  const std::size_t k = share.asset;
  auto& s = assets_[k];
  const int sj = -share.side;  // deleveraged positions are on the other side
  const double per_unit = share.side * (share.price - s.mark);
  if (!(per_unit > 0.0) || !(deficit > 0.0)) return 0.0;
  const std::size_t idx = 2 * k + (sj > 0 ? 0 : 1);
  auto& rank = adl_rank_[idx];
  if (!adl_ranked_[idx]) {
    // Profitable positions on the other side, best ADL score first (ties: lower index). Scanning
    // the asset is acceptable here: ADL only runs once the insurance fund is exhausted.
    std::vector<std::pair<double, std::uint32_t>> scored;
    for (std::size_t i = 0; i < pos_.count(); ++i) {
      if (!pos_.open[i] || pos_.asset[i] != static_cast<std::int32_t>(k) || pos_.side[i] != sj) continue;
      IsolatedPosition p = pos_.isolated(i);
      if (pos_.cross[i]) {  // rank a cross position on its share of the account's wallet
        const auto& acct = cross_[static_cast<std::size_t>(cross_slot_[i])];
        p.margin = acct.wallet / static_cast<double>(acct.positions.size());
      }
      const double score = plan_.rules[k].adl_score(p, s.mark);
      if (score > 0.0) scored.emplace_back(-score, static_cast<std::uint32_t>(i));
    }
    std::sort(scored.begin(), scored.end());
    rank.clear();
    for (const auto& [neg, i] : scored) rank.push_back(i);
    adl_cursor_[idx] = 0;
    adl_ranked_[idx] = 1;
  }
  double covered = 0.0;
  for (auto& c = adl_cursor_[idx]; c < rank.size() && covered < deficit; ++c) {
    const std::uint32_t j = rank[c];
    if (!pos_.open[j]) continue;
    const double n = pos_.size[j];
    const double y = std::min(n, (deficit - covered) / per_unit);
    const double transfer = per_unit * y;  // what closing at the bankruptcy price costs j vs the mark
    // j closes y at the mark against the hedger (value-neutral), then pays `transfer`.
    s.counter_inventory += share.side * y * -1.0;
    s.counter_cash += share.side * y * s.mark;
    const double pnl = sj * y * (s.mark - pos_.entry[j]) - transfer;
    if (pos_.cross[j]) {
      cross_[static_cast<std::size_t>(cross_slot_[j])].wallet += pnl;
    } else {
      const double released = pos_.margin[j] * (y / n);
      pos_.margin[j] -= released;
      retained_ += released + pnl;
    }
    (sj > 0 ? s.open_long_size : s.open_short_size) -= y;
    covered += transfer;
    out_.adl_count += 1.0;
    out_.adl_notional += y * share.price;
    if (sinks_.adl_events)
      sinks_.adl_events->push_back(LiquidationEvent{point_, path_, t, round, static_cast<std::int32_t>(k),
                                                    static_cast<std::int64_t>(j), pos_.side[j], y,
                                                    share.price, pos_.bankruptcy_price[j]});
    if (y >= n) {
      pos_.open[j] = 0;
      pos_.size[j] = 0.0;
    } else {
      pos_.size[j] = n - y;
      if (!pos_.cross[j]) queue_isolated(j);
    }
    if (pos_.cross[j]) {
      const auto slot = static_cast<std::size_t>(cross_slot_[j]);
      if (!cross_.arm(slot, pos_, marks(), plan_.rules)) unhealthy_cross_.push_back(static_cast<std::uint32_t>(slot));
    }
    if (y < n) break;  // the deficit is covered
  }
  return covered;
}

int Engine::cascade(int t) {
  const std::size_t n = assets_.size();
  std::vector<std::vector<std::uint32_t>> hits(n);
  std::vector<std::uint32_t> cross_hit;
  std::vector<double> prices(n, 0.0);
  int depth = 0;
  for (int round = 1; round <= sc_.engine.max_rounds; ++round) {
    if (!collect_round(hits, cross_hit)) break;
    depth = round;
    std::fill(adl_ranked_.begin(), adl_ranked_.end(), 0);
    for (std::size_t k = 0; k < n; ++k)
      if (!hits[k].empty()) prices[k] = execute_round(k, hits[k]);
    const std::size_t first_event = sinks_.events ? sinks_.events->size() : 0;
    for (std::size_t k = 0; k < n; ++k)
      for (std::uint32_t i : hits[k]) close_position(t, round, k, i, prices[k]);
    for (std::uint32_t slot : cross_hit) settle_cross_account(t, round, slot, prices);
    if (sinks_.events)  // events of a round are listed by asset, then position index
      std::sort(sinks_.events->begin() + static_cast<std::ptrdiff_t>(first_event), sinks_.events->end(),
                [](const auto& a, const auto& b) {
                  return a.asset != b.asset ? a.asset < b.asset : a.position < b.position;
                });
    out_.insurance_fund_min = std::min(out_.insurance_fund_min, fund_);
    if (std::isnan(out_.first_liquidation_time)) out_.first_liquidation_time = t * sc_.dt_s;
  }
  return depth;
}

}  // namespace cascade
