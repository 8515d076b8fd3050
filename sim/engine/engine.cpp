#include "sim/engine/engine.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

Engine::Engine(const RunPlan& plan, PositionBook book, std::uint64_t price_seed, std::int32_t point,
               std::int64_t path, PathSinks sinks)
    : Engine(plan, std::make_shared<const StartBook>(make_start_book(plan, std::move(book), false)),
             price_seed, point, path, sinks) {}

Engine::Engine(const RunPlan& plan, std::shared_ptr<const StartBook> start, std::uint64_t price_seed,
               std::int32_t point, std::int64_t path, PathSinks sinks)
    : plan_(plan), sc_(*plan.scenario), start_(std::move(start)), pos_(start_->positions),
      cross_slot_(start_->cross_slot), cross_(start_->cross), point_(point), path_(path),
      sinks_(sinks), prices_(plan, price_seed),
      agents_rng_(
          stream_seed(sc_.seed, stream_point(sc_.independent_points, point), path, Stream::Agents)),
      fund_(sc_.exchange.backstop.kind == BackstopKind::Vault ? sc_.exchange.backstop.capital_usd
                                                              : sc_.exchange.insurance_fund_usd),
      vault_(sc_.exchange.backstop.kind == BackstopKind::Vault) {
  const std::size_t n = sc_.assets.size();
  fundamentals_ = prices_.initial();
  assets_.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& a = sc_.assets[k];
    const double f0 = fundamentals_[k];
    AssetState s{ImpactModel(a.book, a.depth_curve ? &a.depth_curve->curve : nullptr, f0),
                 start_->queues[k]};
    s.start_price = s.mark = s.peak_mark = s.prev_mark = s.prev_mid = f0;
    // Start the realised-vol EWMA at the base volatility, so w = 1 until volatility moves.
    s.ret2_ewma = a.book.vol_base_annual * a.book.vol_base_annual * plan_.dt_years;
    s.vol_alpha = 1.0 - std::pow(0.5, sc_.dt_s / a.book.vol_halflife_s);
    const auto& l = start_->ledgers[k];
    s.open_long_size = l.open_long_size;
    s.open_short_size = l.open_short_size;
    s.counter_cash = l.counter_cash;
    s.counter_inventory = l.counter_inventory;
    s.supply = a.supply.value_or(0.0);
    assets_.push_back(std::move(s));
  }
  basis_alpha_ = 1.0 - std::pow(0.5, sc_.dt_s / sc_.exchange.mark.basis_halflife_s);
  const auto& traits = plan_.rules.front().traits();
  fee_rate_ = sc_.exchange.liquidation_fee;
  trader_keeps_rest_ = traits.trader_keeps_rest;
  funding_interval_s_ = sc_.exchange.funding.interval_s > 0.0 ? sc_.exchange.funding.interval_s
                                                              : traits.funding_interval_s;
  next_funding_s_ = funding_interval_s_;
  adl_rank_.resize(2 * n);
  adl_ranked_.assign(2 * n, 0);
  adl_salt_ = splitmix64(stream_seed(sc_.seed, point, path, Stream::Agents) ^ 0xad1ad1ad1ad1ad1ULL);
  hits_.resize(n);
  pending_.resize(n);
  in_liquidation_.resize(n);
  stops_.resize(n);
  reduces_.resize(n);
  round_fills_.assign(n, RoundFill{});
  partials_.resize(n);
  round_deficits_.assign(2 * n, 0.0);
  vault_peak_ = vault_ ? fund_ : 0.0;
  tentative_.assign(n, RoundFill{});
  for (const auto& a : sc_.assets)
    any_agents_ = any_agents_ || (a.population && (a.population->stop_share > 0.0 ||
                                                   a.population->margin_call ||
                                                   a.population->arrivals_per_day > 0.0));
  for (const auto& q : start_->queues)  // stops set on the book itself (tests, snapshots)
    any_agents_ = any_agents_ || !q.stop[0].empty() || !q.stop[1].empty();
  // Margin calls of CSV positions and of cross accounts (docs/agents.md).
  any_agents_ = any_agents_ || sc_.cross_margin_call.has_value();
  for (const auto* agents : {&sc_.position_agents, &sc_.account_agents})
    for (const AgentSpec& a : *agents) any_agents_ = any_agents_ || a.margin_call.has_value();
  setup_funding_drift();
  setup_flows();
  for (const auto& a : sc_.assets) {  // the mean of each Poisson draw is fixed: built once
    const double rate = a.population ? a.population->arrivals_per_day : 0.0;
    arrivals_per_step_.emplace_back(rate > 0.0 ? rate * sc_.dt_s / 86400.0 : 1.0);
  }

  cross_realized_.assign(cross_.size(), 0.0);
  cross_bucket_pnl_.resize(cross_.size());
  cross_notional_.assign(cross_.size(), 0.0);
  unhealthy_cross_ = start_->unhealthy_cross;
  start_count_ = pos_.count();
  touched_flag_ = start_->zero_flags;
  initial_open_interest_ = start_->open_interest_usd;
  initial_wealth_ = wealth_outside_fund();

  out_.point = point_;
  out_.path = path_;
  out_.resize_assets(n);
  out_.insurance_fund_min = out_.insurance_fund_final = out_.insurance_fund_start = fund_;
  out_.vault_min_equity = vault_ ? fund_ : 0.0;
  if (sinks_.timeseries) {
    auto& ts = *sinks_.timeseries;
    ts.point = point_;
    ts.path = path_;
    const std::size_t rows = static_cast<std::size_t>(sc_.steps + 1) * n;
    for (auto* v : {&ts.mark_price, &ts.index_price, &ts.liquidated_notional, &ts.open_interest,
                    &ts.depth_scale, &ts.circulating_supply, &ts.flow_notional, &ts.vault_inventory})
      v->assign(rows, 0.0);
    ts.insurance_fund.assign(static_cast<std::size_t>(sc_.steps + 1), 0.0);
    ts.vault_equity.assign(static_cast<std::size_t>(sc_.steps + 1), 0.0);
    record_row(0);
  }
}

const std::vector<double>& Engine::marks() {
  marks_.resize(assets_.size());
  for (std::size_t k = 0; k < assets_.size(); ++k) marks_[k] = assets_[k].mark;
  return marks_;
}

void Engine::touch(std::uint32_t i) {
  if (touched_flag_[i]) return;
  touched_flag_.set(i, 1);
  touched_.push_back(i);
}

double Engine::position_wealth(std::size_t i) const {
  if (!pos_.open[i]) return 0.0;
  const double p = assets_[static_cast<std::size_t>(pos_.asset[i])].mark;
  return settled_margin(i) + pos_.side[i] * pos_.size[i] * (p - pos_.entry[i]);
}

double Engine::total_wealth() const { return fund_ + wealth_outside_fund(); }

double Engine::wealth_outside_fund() const {
  // Positions: what the start book's positions are worth if untouched (per-asset sums from the
  // StartBook, with the funding paid since: -s*n*index), corrected by the positions the path
  // changed or opened, each valued from its current state. O(assets + touched), not O(N).
  // The fund is left out: it may be orders of magnitude larger than the rest, whose rounding
  // it would swamp (outcome() differences it separately).
  double w = retained_ - bad_debt_;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    const auto& s = assets_[k];
    const auto& l = start_->ledgers[k];
    w += l.position_cash + l.position_net * s.mark - l.isolated_net * s.funding_index;
    w += s.counter_cash + s.counter_inventory * s.mark;
    w += s.vault_inventory * s.mark;  // the vault's cash is fund_, its inventory is here
  }
  const PositionBook& before = start_->positions;
  for (std::uint32_t i : touched_) {
    w += position_wealth(i);
    if (i >= start_count_) continue;
    const auto& s = assets_[static_cast<std::size_t>(before.asset[i])];
    const double sn = before.side[i] * before.size[i];
    w -= before.margin[i] + sn * (s.mark - before.entry[i]) - (before.cross[i] ? 0.0 : sn * s.funding_index);
  }
  // Cross wallets; an account in liquidation also holds what its closed legs realised until its
  // last leg is closed (a settled account holds nothing).
  for (std::size_t a = 0; a < cross_.size(); ++a) w += cross_[a].wallet + cross_realized_[a];
  return w + spot_wealth();
}

double Engine::explained_wealth_change() const {
  double reval = 0.0;
  for (const auto& s : assets_)
    reval += (s.spot_tokens_start + s.minted) * s.mark - s.spot_tokens_start * s.start_price;
  return deposits_ + reval;
}

void Engine::update_mark(std::size_t k) {
  auto& s = assets_[k];
  const double mid = s.book.mid();
  if (sc_.exchange.mark.kind == MarkKind::Book) {
    s.mark = mid;
    return;
  }
  // Exchange-style mark: index plus the smoothed basis, clamped around the index. Within a step
  // the basis is the one smoothed up to the previous step, so a wick in the book does not move
  // the mark until it persists.
  const double f = s.book.fundamental();
  const double c = sc_.exchange.mark.clamp;
  s.mark = std::clamp(f + s.basis_ewma, f * (1.0 - c), f * (1.0 + c));
}

void Engine::begin_step(int t) {
  // 1. Book refill; liquidity providers unwind the decayed inventory to the hedger (an internal
  //    transfer of the counterparty ledger, so wealth is untouched). Then the new index prices.
  for (auto& s : assets_) {
    s.step_liquidated = 0.0;
    s.step_flow = 0.0;
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
    // The cap bounds the state (MODEL.md section 3): a thinner book or a moved index may put the
    // existing imbalance beyond F*(1 +- cap); the liquidity providers take the excess at the cap
    // price (inside the counterparty ledger), so the mid stays in the band.
    s.book.clip_to_cap();
    update_mark(k);
  }
}

void Engine::end_step(int t) {
  double step_total = 0.0;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    step_total += s.step_liquidated;
    const double mid = s.book.mid();
    const double r = std::log(mid / s.prev_mid);
    s.ret2_ewma += s.vol_alpha * (r * r - s.ret2_ewma);
    s.prev_mid = mid;
    s.basis_ewma += basis_alpha_ * ((mid - s.book.fundamental()) - s.basis_ewma);
    s.premium_sum += (s.mark - s.book.fundamental()) / s.book.fundamental();
    ++s.premium_steps;
    s.prev_mark = s.mark;
    s.peak_mark = std::max(s.peak_mark, s.mark);
    const double ratio = s.mark / s.start_price;
    out_.asset_min_price_ratio[k] = std::min(out_.asset_min_price_ratio[k], ratio);
    out_.asset_max_price_ratio[k] = std::max(out_.asset_max_price_ratio[k], ratio);
    out_.asset_max_drawdown[k] = std::max(out_.asset_max_drawdown[k], 1.0 - s.mark / s.peak_mark);
    out_.asset_min_depth_scale[k] = std::min(out_.asset_min_depth_scale[k], s.book.depth_scale());
  }
  out_.largest_step_liquidation = std::max(out_.largest_step_liquidation, step_total);
  if (vault_) {
    const double e = vault_equity();
    out_.vault_min_equity = std::min(out_.vault_min_equity, e);
    vault_peak_ = std::max(vault_peak_, e);
    if (vault_peak_ > 0.0) out_.vault_max_drawdown = std::max(out_.vault_max_drawdown, 1.0 - e / vault_peak_);
  }
  // 4. Funding at its interval (several intervals at once when dt is longer than one).
  if (sc_.exchange.funding.replay) {
    apply_funding_tape(t);
  } else if (sc_.exchange.funding.enabled && funding_interval_s_ > 0.0 && t * sc_.dt_s >= next_funding_s_) {
    double intervals = 0.0;
    while (t * sc_.dt_s >= next_funding_s_) {
      next_funding_s_ += funding_interval_s_;
      intervals += 1.0;
    }
    apply_funding(intervals);
  }
  check_finite(t);
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
    ts.circulating_supply[at] = s.supply;
    ts.flow_notional[at] = s.step_flow;
    ts.vault_inventory[at] = s.vault_inventory;
  }
  ts.insurance_fund[static_cast<std::size_t>(t)] = fund_;
  ts.vault_equity[static_cast<std::size_t>(t)] = vault_ ? vault_equity() : 0.0;
}

void Engine::check_finite(int t) const {
  // A non-finite number anywhere in a path is a runtime error, never a result (MODEL.md section 3).
  const auto fail = [&](const std::string& what, double value) {
    throw NonFiniteState("point " + std::to_string(point_) + ", path " + std::to_string(path_) +
                         ", step " + std::to_string(t) + ": " + what + " is " + std::to_string(value) +
                         " (a non-finite or non-positive state; check the scenario's ranges)");
  };
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    const auto& s = assets_[k];
    const std::string& name = sc_.assets[k].name;
    if (!(s.book.fundamental() > 0.0) || !std::isfinite(s.book.fundamental()))
      fail("the index price of " + name, s.book.fundamental());
    if (!(s.mark > 0.0) || !std::isfinite(s.mark)) fail("the mark of " + name, s.mark);
  }
  if (!std::isfinite(fund_)) fail("the insurance fund", fund_);
}

void Engine::step(int t) {
  step_ = t;
  begin_step(t);
  // 2. Scheduled flows: positions arriving, unlock sales, panic sellers and dip buyers.
  arrive();
  run_flows(t);
  visit_extremes(t);
  const int depth = cascade(t);
  out_.max_cascade_depth = std::max<std::int64_t>(out_.max_cascade_depth, depth);
  if (sc_.engine.check_invariants) check_invariants(t);  // before funding moves the thresholds
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
  // The share of all the open interest the path ever had (at the start and arriving) that was
  // liquidated, both valued at the start prices: a base unit is liquidated at most once, so the
  // share is at most 1 (liquidated notional at fill prices over the open interest at the start
  // exceeded 1 when a squeeze liquidated shorts far above it).
  double oi = initial_open_interest_, liquidated = 0.0;
  for (const auto& s : assets_) {
    oi += s.arrived_size * s.start_price;
    liquidated += s.liquidated_size * s.start_price;
  }
  o.oi_liquidated_share = oi > 0.0 ? liquidated / oi : 0.0;
  o.adl_overshoot = o.adl_haircut - o.adl_deficit_covered;
  if (vault_) o.vault_pnl = vault_equity() - sc_.exchange.backstop.capital_usd;
  if (std::isnan(o.first_adl_time)) o.liquidations_before_first_adl = o.liquidations;
  o.pending_liquidation_notional = 0.0;
  for (std::size_t k = 0; k < assets_.size(); ++k)
    for (std::uint32_t i : in_liquidation_[k]) o.pending_liquidation_notional += pos_.size[i] * assets_[k].mark;
  o.peak_slippage_bps = 0.0;
  o.min_depth_scale = 1.0;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    o.peak_slippage_bps = std::max(o.peak_slippage_bps, o.asset_peak_slippage_bps[k]);
    o.min_depth_scale = std::min(o.min_depth_scale, o.asset_min_depth_scale[k]);
  }
  o.conservation_residual = fund_flow_ + (wealth_outside_fund() - initial_wealth_) - explained_wealth_change();
  return o;
}

}  // namespace cascade
