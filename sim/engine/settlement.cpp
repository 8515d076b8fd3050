// Settlement of what the liquidation engine closed: the fee, the rest to the insurance fund (or
// the trader), deficits paid by the fund, bad debt, and cross accounts once their last leg is
// closed (MODEL.md section 5; docs/engine.md "Settlement and the insurance fund"). Who is
// auto-deleveraged instead is decided before the book executes: sim/engine/adl.cpp.
#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::pay_out(const LiquidationOutcome& o, std::size_t k, int side) {
  out_.fees += o.fee;
  retained_ += o.to_trader;
  if (o.to_fund >= 0.0) {
    fund_ += o.to_fund;
    fund_flow_ += o.to_fund;
  } else {
    round_deficits_[2 * k + (side > 0 ? 0 : 1)] -= o.to_fund;  // paid once the round's rests are in
  }
}

double Engine::backstop_available() const noexcept {
  // The fund's balance; a vault pays out of its equity (its cash may go below zero while its
  // inventory is worth more).
  return vault_ ? std::max(0.0, vault_equity()) : fund_;
}

void Engine::pay_deficits() {
  // The liquidations of a round are simultaneous: their rests are in the fund before it pays
  // their deficits, so what is bad debt does not depend on an order within the round. What
  // neither the fund nor auto-deleveraging covered (ADL was decided before the fill,
  // sim/engine/adl.cpp) is bad debt, reported, never dropped, unless the venue socializes it.
  double total = 0.0;
  for (double d : round_deficits_) total += d;
  if (!(total > 0.0)) return;
  const double paid = std::min(backstop_available(), total);
  fund_ -= paid;
  fund_flow_ -= paid;
  const double uncovered = total - paid;
  if (uncovered > 0.0 && sc_.exchange.adl.after_fund == AfterFund::Socialize) {
    for (std::size_t b = 0; b < round_deficits_.size(); ++b) {
      if (!(round_deficits_[b] > 0.0)) continue;
      const double share = uncovered * (round_deficits_[b] / total);
      const double got = socialize(b / 2, b % 2 == 0 ? 1 : -1, share);
      // The winners' shares sum to `share` up to rounding: a last bit over is no negative debt.
      bad_debt_ += std::max(0.0, share - got);
    }
  } else {
    bad_debt_ += uncovered;
  }
  std::fill(round_deficits_.begin(), round_deficits_.end(), 0.0);
}

double Engine::socialize(std::size_t k, int bankrupt_side, double amount) {
  // BitMEX's historical socialized loss: every profitable opposite position in the asset gives
  // up the same share of its unrealised profit, at most all of it (MODEL.md section 5.2). The
  // profit comes out of the margin (the wallet for a cross position); positions are not closed.
  const auto& s = assets_[k];
  const int winners = -bankrupt_side;
  double profit = 0.0;
  const auto upnl = [&](std::size_t i) { return winners * pos_.size[i] * (s.mark - pos_.entry[i]); };
  for (std::size_t i = 0; i < pos_.count(); ++i)
    if (pos_.open[i] == PositionBook::kOpen && pos_.asset[i] == static_cast<std::int32_t>(k) &&
        pos_.side[i] == winners && upnl(i) > 0.0)
      profit += upnl(i);
  if (!(profit > 0.0)) return 0.0;
  const double share = std::min(1.0, amount / profit);
  double taken = 0.0;
  for (std::size_t i = 0; i < pos_.count(); ++i) {
    if (pos_.open[i] != PositionBook::kOpen || pos_.asset[i] != static_cast<std::int32_t>(k) ||
        pos_.side[i] != winners || !(upnl(i) > 0.0))
      continue;
    const double t = share * upnl(i);
    const auto id = static_cast<std::uint32_t>(i);
    touch(id);
    if (const std::int32_t slot = cross_slot_[i]; slot >= 0) {
      cross_[static_cast<std::size_t>(slot)].wallet -= t;
      if (!cross_.arm(static_cast<std::size_t>(slot), pos_, marks(), plan_.rules))
        unhealthy_cross_.push_back(static_cast<std::uint32_t>(slot));
    } else {
      settle_funding(id);
      pos_.margin.mut(id) -= t;
      queue_isolated(id);  // less margin: a nearer liquidation price
    }
    taken += t;
  }
  out_.socialized_loss += taken;
  return taken;
}

void Engine::settle_isolated_part(std::uint32_t i, double y, double price, double fee_rate) {
  const auto k = static_cast<std::size_t>(pos_.asset[i]);
  settle_funding(i);
  const IsolatedPosition whole = pos_.isolated(i);
  if (y >= whole.size) {
    pay_out(plan_.rules[k].settle(whole, price, fee_rate), k, whole.side);
    return;
  }
  // A part of the position: its share of the margin goes with it; the rest of the position
  // keeps the rest, so its bankruptcy price is unchanged and its liquidation price moves only
  // through the tiers.
  IsolatedPosition part = whole;
  part.size = y;
  part.margin = whole.margin * (y / whole.size);
  pay_out(plan_.rules[k].settle(part, price, fee_rate), k, part.side);
  pos_.size.set(i, whole.size - y);
  pos_.margin.set(i, whole.margin - part.margin);
  const IsolatedPosition rest = pos_.isolated(i);
  pos_.liquidation_price.set(i, plan_.rules[k].liquidation_price(rest));
  pos_.bankruptcy_price.set(i, MarginRule::bankruptcy_price(rest));
}

void Engine::finish_cross_accounts() {
  for (std::uint32_t slot : cross_hit_) cross_liquidating_.push_back(slot);
  std::size_t kept = 0;
  for (std::uint32_t slot : cross_liquidating_) {
    const auto& legs = cross_[slot].positions;
    const bool pending = std::any_of(legs.begin(), legs.end(), [this](std::uint32_t i) {
      return pos_.open[i] == PositionBook::kInLiquidation;
    });
    if (pending)
      cross_liquidating_[kept++] = slot;  // the book has not filled every leg yet
    else
      settle_cross_account(slot);
  }
  cross_liquidating_.resize(kept);
}

void Engine::settle_cross_account(std::size_t slot) {
  // The account's equity once every leg is closed: its wallet plus what the legs realised.
  auto& acct = cross_[slot];
  const double equity = acct.wallet + cross_realized_[slot];
  const double fee = std::fmin(fee_rate_ * cross_notional_[slot], std::fmax(equity, 0.0));
  const LiquidationOutcome o = split_rest(plan_.rules.front().traits(), cross_notional_[slot], equity, fee);
  // A deficit belongs to the legs that lost, in proportion to their losses (for a socialized
  // loss); the rest of the account's settlement is one payment.
  auto& buckets = cross_bucket_pnl_[slot];
  double losses = 0.0;
  for (const auto& [b, pnl] : buckets) losses += std::max(0.0, -pnl);
  if (o.to_fund < 0.0 && losses > 0.0) {
    for (const auto& [b, pnl] : buckets)
      if (pnl < 0.0) {
        LiquidationOutcome part = o;
        part.fee = 0.0;
        part.to_trader = 0.0;
        part.to_fund = o.to_fund * (-pnl / losses);
        pay_out(part, b / 2, b % 2 == 0 ? 1 : -1);
      }
    out_.fees += o.fee;
    retained_ += o.to_trader;
  } else {
    const std::size_t b = buckets.empty() ? 0 : buckets.begin()->first;
    pay_out(o, b / 2, b % 2 == 0 ? 1 : -1);
  }
  buckets.clear();
  acct.wallet = 0.0;
  cross_realized_[slot] = 0.0;
  cross_notional_[slot] = 0.0;
}

}  // namespace cascade
