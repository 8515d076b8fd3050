// Periodic funding through a funding index (MODEL.md section 5 step 4; docs/engine.md "Funding").
//
// Settling funding into every margin and re-keying every threshold costs O(N) per interval,
// which at 10^6 positions costs more than the rest of a path. Instead each asset keeps an index
// (the USD per base unit a long has paid since the start); a position's margin is settled
// lazily, as margin - s*n*(index - index when last settled), whenever the engine looks at it.
//
// Its liquidation and margin-call prices move with the index, by c*d(index) with c =
// 1/(1 - s*mmr/ratio) for the tier the price lies in (ratio 1 for liquidation; 1 for Bybit's
// maintenance on entry value). So queue keys are stored less an offset that bounds the move of
// every member: with the index's rises R and falls F summed separately, a long's price is at
// most key + c_max*R + c_min*F and a short's at least key + c_min*R + c_max*F. A round pops the
// keys that this bound says may be crossed and checks each position's own price; those not
// crossed are re-keyed. Funding is O(assets + cross positions) per interval; the bound is tight
// to (c_max - c_min)*index, a few parts in 10^5 of the price over days of funding, so almost every
// key popped is a real crossing.
#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::setup_funding_drift() {
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    const auto& a = sc_.assets[k];
    const double call_ratio = a.population && a.population->margin_call ? a.population->margin_call->warning_ratio : 1.0;
    for (int kind = 0; kind < 2; ++kind) {
      const double ratio = kind == 0 ? 1.0 : call_ratio;
      for (int at = 0; at < 2; ++at) {
        const double s = at == 0 ? 1.0 : -1.0;
        double lo = 1.0, hi = 1.0;  // 1: Bybit (maintenance on the entry value)
        for (const Tier& tier : a.tiers.rows()) {
          const double c = 1.0 / (1.0 - s * tier.mmr / ratio);
          lo = std::min(lo, c);
          hi = std::max(hi, c);
        }
        // Longs need an upper bound of their price, shorts a lower one.
        auto& d = assets_[k].drift[kind][at];
        d[0] = at == 0 ? hi : lo;  // per unit of the index's rises
        d[1] = at == 0 ? lo : hi;  // per unit of its falls
      }
    }
  }
}

double Engine::threshold_offset(std::size_t k, int kind, int side_index) const noexcept {
  const auto& s = assets_[k];
  const double* d = s.drift[kind][side_index];
  return d[0] * s.funding_rises + d[1] * s.funding_falls;
}

double Engine::certain_offset(std::size_t k, int kind, int side_index) const noexcept {
  // The other end of the bound: a long's price is at least key + c_min*R + c_max*F, a short's at
  // most key + c_max*R + c_min*F; a mark past it has certainly crossed the position's price.
  const auto& s = assets_[k];
  const double* d = s.drift[kind][side_index];
  return d[1] * s.funding_rises + d[0] * s.funding_falls;
}

IsolatedPosition Engine::settled_position(std::size_t i) const noexcept {
  return IsolatedPosition{pos_.side[i], pos_.size[i], pos_.entry[i], settled_margin(i)};
}

double Engine::settled_margin(std::size_t i) const noexcept {
  if (pos_.cross[i]) return pos_.margin[i];  // cross funding goes to the wallet
  const double index = assets_[static_cast<std::size_t>(pos_.asset[i])].funding_index;
  return pos_.margin[i] - pos_.side[i] * pos_.size[i] * (index - pos_.funding_base[i]);
}

void Engine::settle_funding(std::uint32_t i) {
  if (pos_.cross[i]) return;
  const double index = assets_[static_cast<std::size_t>(pos_.asset[i])].funding_index;
  if (pos_.funding_base[i] == index) return;
  pos_.margin.set(i, settled_margin(i));
  pos_.funding_base.set(i, index);
}

double Engine::current_liquidation_price(std::size_t i) const noexcept {
  return plan_.rules[static_cast<std::size_t>(pos_.asset[i])].liquidation_price(settled_position(i));
}

void Engine::apply_funding(double intervals) {
  const FundingSpec& spec = sc_.exchange.funding;
  std::vector<double>& pay = funding_pay_;  // USD per base unit paid by longs (received by shorts)
  pay.assign(assets_.size(), 0.0);
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
  }
  charge_funding(pay);
}

void Engine::apply_funding_tape(int t) {
  // The tape's rows in (t-1)*dt, t*dt] are charged at the end of step t, at its marks; several
  // rows of one asset in a step add up.
  const auto& rows = sc_.exchange.funding.replay->rows;
  const double end = t * sc_.dt_s;
  std::vector<double>& pay = funding_pay_;
  pay.assign(assets_.size(), 0.0);
  bool any = false;
  for (; next_tape_row_ < rows.size() && rows[next_tape_row_].time_s <= end * (1.0 + 1e-12); ++next_tape_row_) {
    const FundingTapeRow& r = rows[next_tape_row_];
    pay[static_cast<std::size_t>(r.asset)] += r.rate * assets_[static_cast<std::size_t>(r.asset)].mark;
    any = true;
  }
  if (any) charge_funding(pay);
}

void Engine::charge_funding(const std::vector<double>& pay) {
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    // The hedger is on the other side of the population's net position.
    s.counter_cash += pay[k] * (s.open_long_size - s.open_short_size);
    s.funding_index += pay[k];
    (pay[k] > 0.0 ? s.funding_rises : s.funding_falls) += pay[k];
  }
  // Cross positions settle into their wallets now (their accounts' bands are re-armed); the
  // isolated ones when the engine next looks at them. An account in liquidation pays for the
  // legs the book has not filled yet, from the wallet it still holds.
  if (cross_.empty()) return;
  for (std::size_t a = 0; a < cross_.size(); ++a) {
    auto& acct = cross_[a];
    for (std::uint32_t i : acct.positions)
      if (pos_.open[i] != PositionBook::kClosed)
        acct.wallet -= pos_.side[i] * pos_.size[i] * pay[static_cast<std::size_t>(pos_.asset[i])];
  }
  const auto& m = marks();
  for (std::size_t a = 0; a < cross_.size(); ++a)
    if (cross_[a].open && !cross_.arm(a, pos_, m, plan_.rules)) unhealthy_cross_.push_back(static_cast<std::uint32_t>(a));
}

}  // namespace cascade
