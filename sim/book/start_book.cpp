#include "sim/book/start_book.hpp"

#include <cmath>

#include "sim/book/initial_book.hpp"

namespace cascade {

StartBook make_start_book(const RunPlan& plan, PositionBook book, bool share,
                          const ForEach& for_each) {
  const Scenario& sc = *plan.scenario;
  const std::size_t n = sc.assets.size();
  StartBook s;
  s.positions = std::move(book);
  s.queues.resize(n);
  s.ledgers.resize(n);
  s.start_prices = plan.start_prices;
  const PositionBook& pos = s.positions;
  const bool funding = sc.exchange.funding.enabled;

  for (std::size_t i = 0; i < pos.count(); ++i) {
    const auto k = static_cast<std::size_t>(pos.asset[i]);
    auto& l = s.ledgers[k];
    const int side = pos.side[i];
    const double sn = side * pos.size[i];
    (side > 0 ? l.open_long_size : l.open_short_size) += pos.size[i];
    // Every position's counterparty is the aggregate hedger (MODEL.md section 6).
    l.counter_inventory -= sn;
    l.counter_cash += sn * pos.entry[i];
    l.position_cash += pos.margin[i] - sn * pos.entry[i];
    l.position_net += sn;
    s.open_interest_usd += pos.size[i] * s.start_prices[k];
    auto& q = s.queues[k];
    const int at = side > 0 ? 0 : 1;
    const auto id = static_cast<std::uint32_t>(i);
    if (pos.cross[i]) {  // an account-level threshold instead; a leg may have its own stop
      if (!std::isnan(pos.stop_price[i])) q.stop[at].add({pos.stop_price[i], id, 0});
      continue;
    }
    l.isolated_net += sn;
    const double lp = pos.liquidation_price[i];
    // With funding a long that cannot be liquidated now may become liquidatable as it pays;
    // it waits at price 0, where the funding drift of its key brings it up (sim/engine/funding.cpp).
    if (!std::isnan(lp)) q.liquidation[at].add({lp, id, 0});
    else if (funding && side > 0) q.liquidation[at].add({0.0, id, 0});
    if (!std::isnan(pos.stop_price[i])) q.stop[at].add({pos.stop_price[i], id, 0});
    if (pos.agent[i] & PositionBook::kAnswersCalls) {
      const MarginCallSpec& call = margin_call_of(sc, i, k);
      const double price = plan.rules[k].margin_call_price(pos.isolated(i), call.warning_ratio);
      if (!std::isnan(price)) q.call[at].add({price, id, 0});
      else if (funding && side > 0) q.call[at].add({0.0, id, 0});
    }
  }
  // Sorting the queues of a shared book is the longest part of building it: one task per queue
  // (the ensemble passes a parallel loop).
  std::vector<ThresholdQueue*> all;
  for (auto& q : s.queues)
    for (auto* side : {q.liquidation, q.stop, q.call})
      for (int j = 0; j < 2; ++j) all.push_back(&side[j]);
  if (share)
    for_each(all.size(), [&](std::size_t j) { all[j]->freeze(); });
  else
    for (ThresholdQueue* q : all) q->build();

  s.cross = CrossAccounts(pos, n);
  s.cross_slot.assign(pos.count(), -1);
  s.zero_flags.assign(pos.count(), 0);
  for (std::size_t a = 0; a < s.cross.size(); ++a)
    for (std::uint32_t i : s.cross[a].positions) s.cross_slot.set(i, static_cast<std::int32_t>(a));
  // Sampled cross accounts answer calls per population.cross_margin_call, with top-ups up to
  // `wallet` times their wallet; an account of the accounts CSV per its own columns.
  const auto first_cross = first_cross_account(sc);
  for (std::size_t a = 0; a < s.cross.size(); ++a) {
    auto& acct = s.cross[a];
    if (acct.id < first_cross) {
      const AgentSpec* spec = sc.account_agent(static_cast<std::size_t>(acct.id));
      if (spec && spec->margin_call) {
        acct.margin_call = &*spec->margin_call;
        acct.top_up_left = spec->top_up_wallet_usd;
      }
    } else if (sc.cross_margin_call) {
      acct.margin_call = &*sc.cross_margin_call;
      acct.top_up_left = sc.cross_margin_call->wallet * acct.wallet;
    }
  }
  // An account that is already unhealthy (or called) is not armed; it is checked in the first round.
  for (std::size_t a = 0; a < s.cross.size(); ++a)
    if (!s.cross.arm(a, pos, s.start_prices, plan.rules)) s.unhealthy_cross.push_back(static_cast<std::uint32_t>(a));
  return s;
}

}  // namespace cascade
