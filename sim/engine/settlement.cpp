// Settlement of what the liquidation engine closed: the fee, the rest to the insurance fund (or
// the trader), deficits paid by the fund, bad debt, and cross accounts once their last leg is
// closed (MODEL.md section 5; docs/engine.md "Settlement and the insurance fund"). Who is
// auto-deleveraged instead is decided before the book executes: sim/engine/adl.cpp.
#include <algorithm>
#include <cmath>

#include "sim/engine/engine.hpp"

namespace cascade {

void Engine::pay_out(const LiquidationOutcome& o) {
  out_.fees += o.fee;
  retained_ += o.to_trader;
  if (o.to_fund >= 0.0) {
    fund_ += o.to_fund;
    fund_flow_ += o.to_fund;
  } else {
    round_deficit_ -= o.to_fund;  // paid once the round's rests are in: pay_deficits()
  }
}

void Engine::pay_deficits() {
  // The liquidations of a round are simultaneous: their rests are in the fund before it pays
  // their deficits, so what is bad debt does not depend on an order within the round. What
  // neither the fund nor auto-deleveraging covered (ADL was decided before the fill,
  // sim/engine/adl.cpp) is bad debt, reported, never dropped.
  if (!(round_deficit_ > 0.0)) return;
  const double paid = std::min(fund_, round_deficit_);
  fund_ -= paid;
  fund_flow_ -= paid;
  bad_debt_ += round_deficit_ - paid;
  round_deficit_ = 0.0;
}

void Engine::settle_isolated_part(std::uint32_t i, double y, double price, double fee_rate) {
  const auto k = static_cast<std::size_t>(pos_.asset[i]);
  settle_funding(i);
  const IsolatedPosition whole = pos_.isolated(i);
  if (y >= whole.size) {
    pay_out(plan_.rules[k].settle(whole, price, fee_rate));
    return;
  }
  // A part of the position: its share of the margin goes with it; the rest of the position
  // keeps the rest, so its bankruptcy price is unchanged and its liquidation price moves only
  // through the tiers.
  IsolatedPosition part = whole;
  part.size = y;
  part.margin = whole.margin * (y / whole.size);
  pay_out(plan_.rules[k].settle(part, price, fee_rate));
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
  pay_out(split_rest(plan_.rules.front().traits(), cross_notional_[slot], equity, fee));
  acct.wallet = 0.0;
  cross_realized_[slot] = 0.0;
  cross_notional_[slot] = 0.0;
}

}  // namespace cascade
