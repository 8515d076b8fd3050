#include "sim/engine.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

Engine::Engine(const RunPlan& plan, PositionBook book, std::uint64_t price_seed,
               std::int32_t point, std::int64_t path, PathSinks sinks)
    : plan_(plan), sc_(*plan.scenario), pos_(std::move(book)), point_(point),
      path_(path), sinks_(sinks), prices_(plan, price_seed), fund_(sc_.exchange.insurance_fund_usd) {
  const std::size_t n = sc_.assets.size();
  fundamentals_ = prices_.initial();
  assets_.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& a = sc_.assets[k];
    const double f0 = fundamentals_[k];
    AssetState s{ImpactModel(a.book, a.depth_curve ? &a.depth_curve->curve : nullptr, f0)};
    s.start_price = s.mark = s.peak_mark = s.prev_mark = f0;
    // Start the realised-vol EWMA at the base volatility, so w = 1 until volatility moves.
    s.ret2_ewma = a.book.vol_base_annual * a.book.vol_base_annual * plan_.dt_years;
    assets_.push_back(std::move(s));
  }
  vol_alpha_ = 1.0 - std::pow(0.5, sc_.dt_s / sc_.assets.front().book.vol_halflife_s);

  // Counterparty of every position: the aggregate hedger (MODEL.md section 6).
  for (std::size_t i = 0; i < pos_.count(); ++i) {
    auto& s = assets_[static_cast<std::size_t>(pos_.asset[i])];
    const double sn = pos_.side[i] * pos_.size[i];
    (pos_.side[i] > 0 ? s.open_long_size : s.open_short_size) += pos_.size[i];
    s.counter_inventory -= sn;
    s.counter_cash += sn * pos_.entry[i];
    initial_open_interest_ += pos_.size[i] * s.mark;
    if (std::isnan(pos_.liquidation_price[i])) continue;
    const ThresholdQueue::Entry e{pos_.liquidation_price[i], static_cast<std::uint32_t>(i), 0};
    (pos_.side[i] > 0 ? s.longs : s.shorts).add(e);
  }
  for (auto& s : assets_) {
    s.longs.build();
    s.shorts.build();
  }
  initial_wealth_ = total_wealth();

  out_.point = point_;
  out_.path = path_;
  out_.resize_assets(n);
  out_.insurance_fund_min = out_.insurance_fund_final = fund_;
  if (sinks_.timeseries) {
    auto& ts = *sinks_.timeseries;
    ts.point = point_;
    ts.path = path_;
    const std::size_t rows = static_cast<std::size_t>(sc_.steps + 1) * n;
    for (auto* v : {&ts.mark_price, &ts.index_price, &ts.liquidated_notional, &ts.open_interest,
                    &ts.depth_scale})
      v->assign(rows, 0.0);
    ts.insurance_fund.assign(static_cast<std::size_t>(sc_.steps + 1), 0.0);
    record_row(0);
  }
}

double Engine::total_wealth() const {
  double w = fund_ - bad_debt_;
  for (std::size_t i = 0; i < pos_.count(); ++i) {
    if (!pos_.open[i]) continue;
    const double p = assets_[static_cast<std::size_t>(pos_.asset[i])].mark;
    w += pos_.margin[i] + pos_.side[i] * pos_.size[i] * (p - pos_.entry[i]);
  }
  for (const auto& s : assets_) w += s.counter_cash + s.counter_inventory * s.mark;
  return w;
}

void Engine::begin_step(int t) {
  // 1. Book refill; liquidity providers unwind the decayed inventory to the hedger (an internal
  //    transfer of the counterparty ledger, so wealth is untouched). Then the new index prices.
  for (auto& s : assets_) {
    s.step_liquidated = 0.0;
    s.book.decay(sc_.dt_s);
  }
  prices_.advance(t, fundamentals_);
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    const auto& a = sc_.assets[k];
    s.book.set_fundamental(fundamentals_[k]);
    // Liquidity withdrawal from the realised volatility up to the previous step.
    const double vol = std::sqrt(s.ret2_ewma / plan_.dt_years);
    const double w = a.book.eta == 0.0
                         ? 1.0
                         : std::clamp(std::pow(vol / a.book.vol_base_annual, -a.book.eta),
                                      a.book.w_min, 1.0);
    s.book.set_depth_scale(w);
    s.mark = s.book.mid();
  }
}

void Engine::liquidate_round(int t, int round, std::size_t k,
                             std::vector<ThresholdQueue::Entry>& hits) {
  auto& s = assets_[k];
  // Settle in a canonical order of the positions' contents (signed size, entry, margin), so
  // that floating-point sums, and with them every result, do not depend on the order in which
  // the hits were found or on the positions' row order in the input; equal keys are identical
  // positions, whose order cannot matter.
  std::sort(hits.begin(), hits.end(), [this](const auto& a, const auto& b) {
    const std::uint32_t i = a.position, j = b.position;
    const double si = pos_.side[i] * pos_.size[i], sj = pos_.side[j] * pos_.size[j];
    if (si != sj) return si < sj;
    if (pos_.entry[i] != pos_.entry[j]) return pos_.entry[i] < pos_.entry[j];
    if (pos_.margin[i] != pos_.margin[j]) return pos_.margin[i] < pos_.margin[j];
    return i < j;
  });
  const std::size_t first_event = sinks_.events ? sinks_.events->size() : 0;
  double q = 0.0;
  for (const auto& h : hits) q -= pos_.side[h.position] * pos_.size[h.position];
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

  const double fee_rate = sc_.exchange.liquidation_fee;
  for (const auto& h : hits) {
    const std::uint32_t i = h.position;
    const IsolatedPosition p = pos_.isolated(i);
    const LiquidationSettlement st = settle_liquidation(p, price, fee_rate);
    pos_.open[i] = 0;
    (p.side > 0 ? s.open_long_size : s.open_short_size) -= p.size;
    s.counter_inventory += p.side * p.size;
    s.counter_cash -= p.side * p.size * price;
    fund_ += st.to_fund();
    if (fund_ < 0.0) {  // ADL arrives with issue 3; until then an unpaid deficit is bad debt
      bad_debt_ -= fund_;
      fund_ = 0.0;
    }
    out_.fees += st.fee;
    out_.liquidated_notional += st.notional;
    out_.liquidations += 1.0;
    out_.asset_liquidated_notional[k] += st.notional;
    out_.asset_liquidations[k] += 1.0;
    (p.side > 0 ? out_.asset_long_liquidated_notional : out_.asset_short_liquidated_notional)[k] +=
        st.notional;
    s.step_liquidated += st.notional;
    if (sinks_.events)
      sinks_.events->push_back(LiquidationEvent{point_, path_, t, round, static_cast<std::int32_t>(k),
                                                static_cast<std::int64_t>(i), pos_.side[i], p.size,
                                                price, pos_.bankruptcy_price[i]});
  }
  if (sinks_.events)  // events of a round are listed by position index
    std::sort(sinks_.events->begin() + static_cast<std::ptrdiff_t>(first_event), sinks_.events->end(),
              [](const auto& a, const auto& b) { return a.position < b.position; });
  out_.insurance_fund_min = std::min(out_.insurance_fund_min, fund_);
  if (std::isnan(out_.first_liquidation_time)) out_.first_liquidation_time = t * sc_.dt_s;
  if (const double c = sc_.assets[k].index_coupling; c != 0.0) {  // docs/market.md
    s.book.leak_to_index(fill.mid_before, c);
    fundamentals_[k] = s.book.fundamental();
  }
  s.mark = s.book.mid();
}

int Engine::cascade(int t) {
  const auto is_open = [this](const ThresholdQueue::Entry& e) { return pos_.open[e.position] != 0; };
  std::vector<std::vector<ThresholdQueue::Entry>> hits(assets_.size());
  int depth = 0;
  for (int round = 1; round <= sc_.engine.max_rounds; ++round) {
    // Collect against the marks at the start of the round, then execute asset by asset.
    bool any = false;
    for (std::size_t k = 0; k < assets_.size(); ++k) {
      hits[k].clear();
      assets_[k].longs.pop_crossed(assets_[k].mark, is_open, hits[k]);
      assets_[k].shorts.pop_crossed(assets_[k].mark, is_open, hits[k]);
      any = any || !hits[k].empty();
    }
    if (!any) break;
    depth = round;
    for (std::size_t k = 0; k < assets_.size(); ++k)
      if (!hits[k].empty()) liquidate_round(t, round, k, hits[k]);
  }
  return depth;
}

void Engine::end_step(int t) {
  double step_total = 0.0;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    step_total += s.step_liquidated;
    const double r = std::log(s.mark / s.prev_mark);
    s.ret2_ewma += vol_alpha_ * (r * r - s.ret2_ewma);
    s.prev_mark = s.mark;
    s.peak_mark = std::max(s.peak_mark, s.mark);
    const double ratio = s.mark / s.start_price;
    out_.asset_min_price_ratio[k] = std::min(out_.asset_min_price_ratio[k], ratio);
    out_.asset_max_price_ratio[k] = std::max(out_.asset_max_price_ratio[k], ratio);
    out_.asset_max_drawdown[k] = std::max(out_.asset_max_drawdown[k], 1.0 - s.mark / s.peak_mark);
    out_.asset_min_depth_scale[k] = std::min(out_.asset_min_depth_scale[k], s.book.depth_scale());
  }
  out_.largest_step_liquidation = std::max(out_.largest_step_liquidation, step_total);
  if (sinks_.timeseries) record_row(t);
}

void Engine::record_row(int t) {
  auto& ts = *sinks_.timeseries;
  const std::size_t n = assets_.size();
  for (std::size_t k = 0; k < n; ++k) {
    const auto& s = assets_[k];
    const std::size_t at = static_cast<std::size_t>(t) * n + k;
    ts.mark_price[at] = s.mark;
    ts.index_price[at] = s.book.fundamental();
    ts.liquidated_notional[at] = s.step_liquidated;
    ts.open_interest[at] = (s.open_long_size + s.open_short_size) * s.mark;
    ts.depth_scale[at] = s.book.depth_scale();
  }
  ts.insurance_fund[static_cast<std::size_t>(t)] = fund_;
}

void Engine::step(int t) {
  begin_step(t);
  // 2. Scheduled flows (unlocks, agents) arrive with issue 5.
  const int depth = cascade(t);
  out_.max_cascade_depth = std::max(out_.max_cascade_depth, static_cast<double>(depth));
  // 4. Funding arrives with issue 3.
  end_step(t);
}

PathOutcome Engine::run() {
  for (int t = 1; t <= sc_.steps; ++t) step(t);
  return outcome();
}

PathOutcome Engine::outcome() const {
  PathOutcome o = out_;
  o.insurance_fund_final = fund_;
  o.bad_debt = bad_debt_;
  o.oi_liquidated_share =
      initial_open_interest_ > 0.0 ? o.liquidated_notional / initial_open_interest_ : 0.0;
  o.peak_slippage_bps = 0.0;
  o.min_depth_scale = 1.0;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    o.peak_slippage_bps = std::max(o.peak_slippage_bps, o.asset_peak_slippage_bps[k]);
    o.min_depth_scale = std::min(o.min_depth_scale, o.asset_min_depth_scale[k]);
  }
  o.conservation_residual = total_wealth() - initial_wealth_;
  return o;
}

}  // namespace cascade
