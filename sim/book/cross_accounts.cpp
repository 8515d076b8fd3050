#include "sim/book/cross_accounts.hpp"

#include <algorithm>
#include <map>

namespace cascade {

CrossAccounts::CrossAccounts(const PositionBook& pos, std::size_t n_assets)
    : down_(n_assets, ThresholdQueue(1)), up_(n_assets, ThresholdQueue(-1)), mmr_max_(n_assets, 0.0) {
  std::map<std::int32_t, std::size_t> slot_of;  // ordered: slots follow account index
  for (std::size_t i = 0; i < pos.count(); ++i)
    if (pos.cross[i]) slot_of.emplace(pos.account[i], 0);
  for (auto& [id, slot] : slot_of) {
    slot = accounts_.size();
    accounts_.push_back(Account{id, 0.0, {}, {}, 0, true});
  }
  for (std::size_t w = 0; w < pos.wallet_account.size(); ++w)
    if (const auto it = slot_of.find(pos.wallet_account[w]); it != slot_of.end())
      accounts_[it->second].wallet = pos.wallet_usd[w];
  for (std::size_t i = 0; i < pos.count(); ++i) {
    if (!pos.cross[i]) continue;
    auto& a = accounts_[slot_of[pos.account[i]]];
    a.positions.push_back(static_cast<std::uint32_t>(i));
    const auto k = static_cast<std::uint32_t>(pos.asset[i]);
    if (std::find(a.assets.begin(), a.assets.end(), k) == a.assets.end()) a.assets.push_back(k);
  }
}

double CrossAccounts::equity(std::size_t slot, const PositionBook& pos,
                             const std::vector<double>& marks) const {
  const Account& a = accounts_[slot];
  double e = a.wallet;
  for (std::uint32_t i : a.positions) {
    const auto k = static_cast<std::size_t>(pos.asset[i]);
    e += pos.side[i] * pos.size[i] * (marks[k] - pos.entry[i]);
  }
  return e;
}

double CrossAccounts::maintenance(std::size_t slot, const PositionBook& pos,
                                  const std::vector<double>& marks,
                                  const std::vector<MarginRule>& rules) const {
  double mm = 0.0;
  for (std::uint32_t i : accounts_[slot].positions) {
    const auto k = static_cast<std::size_t>(pos.asset[i]);
    mm += rules[k].maintenance_margin(pos.isolated(i), marks[k]);
  }
  return mm;
}

bool CrossAccounts::arm(std::size_t slot, const PositionBook& pos, const std::vector<double>& marks,
                        const std::vector<MarginRule>& rules) {
  Account& a = accounts_[slot];
  ++a.generation;
  const double e = equity(slot, pos, marks), mm = maintenance(slot, pos, marks, rules);
  if (!(e - mm > 0.0)) return false;
  // Against the call while the account answers calls (MM / ratio grows at most n*mmr_max/ratio
  // per unit of price), else against maintenance.
  const bool calls = a.margin_call != nullptr && !a.ignored_call;
  const double ratio = calls ? a.margin_call->warning_ratio : 1.0;
  const double surplus = calls ? e - mm / ratio : e - mm;
  if (!(surplus > 0.0)) return false;
  for (std::uint32_t k : a.assets) {
    if (mmr_max_[k] == 0.0)
      for (const auto& t : rules[k].tiers().rows()) mmr_max_[k] = std::max(mmr_max_[k], t.mmr);
    double exposure = 0.0;
    for (std::uint32_t i : a.positions)
      if (static_cast<std::uint32_t>(pos.asset[i]) == k) exposure += pos.size[i];
    if (!(exposure > 0.0)) continue;  // closed legs only: this asset cannot move the account
    const double band =
        surplus / (static_cast<double>(a.assets.size()) * exposure * (1.0 + mmr_max_[k] / ratio));
    const auto id = static_cast<std::uint32_t>(slot);
    down_[k].push({marks[k] - band, id, a.generation});
    up_[k].push({marks[k] + band, id, a.generation});
  }
  return true;
}

double CrossAccounts::bankruptcy_price(std::size_t slot, std::uint32_t i, const PositionBook& pos,
                                       const std::vector<double>& marks) const {
  const auto k = static_cast<std::size_t>(pos.asset[i]);
  double net = 0.0;
  for (std::uint32_t j : accounts_[slot].positions)
    if (static_cast<std::size_t>(pos.asset[j]) == k && pos.open[j] != PositionBook::kClosed)
      net += pos.side[j] * pos.size[j];
  const double e = equity(slot, pos, marks);
  return net * pos.side[i] > 0.0 ? marks[k] - e / net : marks[k] - pos.side[i] * e / pos.size[i];
}

bool CrossAccounts::in_call(std::size_t slot, double equity, double maintenance) const noexcept {
  const Account& a = accounts_[slot];
  return a.margin_call != nullptr && !a.ignored_call && equity >= maintenance &&
         maintenance >= a.margin_call->warning_ratio * equity;
}

std::int32_t CrossAccounts::slot_of(std::int32_t id) const noexcept {
  for (std::size_t s = 0; s < accounts_.size(); ++s)
    if (accounts_[s].id == id) return static_cast<std::int32_t>(s);
  return -1;
}

std::size_t CrossAccounts::add_account(std::int32_t id) {
  accounts_.push_back(Account{id, 0.0, {}, {}, 0, true});
  return accounts_.size() - 1;
}

void CrossAccounts::add_position(std::size_t slot, std::uint32_t i, std::uint32_t k) {
  Account& a = accounts_[slot];
  a.positions.push_back(i);
  if (std::find(a.assets.begin(), a.assets.end(), k) == a.assets.end()) a.assets.push_back(k);
}

void CrossAccounts::pop_triggered(std::size_t k, double mark, std::vector<std::uint32_t>& out) {
  std::vector<ThresholdQueue::Entry> hits;
  const auto current = [this](const ThresholdQueue::Entry& e) {
    const Account& a = accounts_[e.position];
    return a.open && a.generation == e.generation;
  };
  down_[k].pop_crossed(mark, current, hits);
  up_[k].pop_crossed(mark, current, hits);
  for (const auto& e : hits) out.push_back(e.position);
}

}  // namespace cascade
