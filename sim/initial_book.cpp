#include "sim/initial_book.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/uniform_01.hpp>

#include "sim/population_sampler.hpp"
#include "sim/random_streams.hpp"
#include "sim/run_plan.hpp"

namespace cascade {

PositionBook build_initial_book(const Scenario& sc, std::uint64_t population_seed) {
  PositionBook book;
  std::size_t total = sc.positions.size();
  for (const auto& a : sc.assets) total += a.population ? static_cast<std::size_t>(a.population->count) : 0;
  book.reserve(total);
  for (const auto& ps : sc.positions)
    book.add(ps.asset, ps.account, IsolatedPosition{ps.side, ps.size, ps.entry_usd, ps.margin_usd}, ps.cross);
  for (std::size_t a = 0; a < sc.accounts.size(); ++a)
    if (sc.accounts[a].wallet_usd) {
      book.wallet_account.push_back(static_cast<std::int32_t>(a));
      book.wallet_usd.push_back(*sc.accounts[a].wallet_usd);
    }

  // Sampled cross positions are spread uniformly over `cross_accounts` accounts, named after all
  // per-position accounts; each account's wallet is the margin its positions would have posted
  // isolated.
  const Profile profile = scenario_profile(sc);
  Rng rng(population_seed);
  boost::random::uniform_01<double> uniform;
  auto account = static_cast<std::int32_t>(sc.accounts.size());
  const auto first_cross = static_cast<std::int32_t>(sc.accounts.size() + total - sc.positions.size());
  std::vector<double> cross_wallet(static_cast<std::size_t>(sc.cross_accounts), 0.0);
  for (std::size_t k = 0; k < sc.assets.size(); ++k) {
    const auto& a = sc.assets[k];
    if (!a.population) continue;
    const MarginRule rule(profile, a.tiers);
    const auto& calls = a.population->margin_call;
    for (int i = 0; i < a.population->count; ++i, ++account) {
      const SampledPosition drawn = sample_position(a, rule, *a.population, rng);
      IsolatedPosition p = drawn.position;
      if (a.population->cross_share > 0.0 && uniform(rng) < a.population->cross_share) {
        const auto j = std::min(static_cast<std::size_t>(uniform(rng) * static_cast<double>(sc.cross_accounts)),
                                cross_wallet.size() - 1);
        cross_wallet[j] += p.margin;
        p.margin = 0.0;
        book.add(static_cast<std::int32_t>(k), first_cross + static_cast<std::int32_t>(j), p, true);
        continue;  // stops and margin calls are for isolated positions (docs/agents.md)
      }
      const std::uint32_t id = book.add(static_cast<std::int32_t>(k), account, p);
      book.stop_price.set(id, drawn.stop_price);
      if (calls) {
        book.agent.set(id, PositionBook::kAnswersCalls);
        book.wallet.set(id, calls->wallet * p.margin);
      }
    }
  }
  for (std::size_t j = 0; j < cross_wallet.size(); ++j)
    if (cross_wallet[j] > 0.0) {
      book.wallet_account.push_back(first_cross + static_cast<std::int32_t>(j));
      book.wallet_usd.push_back(cross_wallet[j]);
    }
  for (std::size_t i = 0; i < book.count(); ++i) {
    if (book.cross[i]) continue;  // cross positions have an account-level threshold instead
    const MarginRule rule(profile, sc.assets[static_cast<std::size_t>(book.asset[i])].tiers);
    book.liquidation_price.set(i, rule.liquidation_price(book.isolated(i)));
  }
  return book;
}

std::vector<std::string> account_names(const Scenario& sc) {
  std::vector<std::string> names;
  for (const auto& a : sc.accounts) names.push_back(a.name);
  for (const auto& a : sc.assets)
    if (a.population)
      for (int i = 0; i < a.population->count; ++i) names.push_back(a.name + "-" + std::to_string(i));
  bool any_cross = false;
  for (const auto& a : sc.assets) any_cross = any_cross || (a.population && a.population->cross_share > 0.0);
  if (any_cross)
    for (int j = 0; j < sc.cross_accounts; ++j) names.push_back("cross-" + std::to_string(j));
  return names;
}

std::vector<InitialPosition> describe_positions(const PositionBook& book) {
  std::vector<InitialPosition> rows(book.count());
  for (std::size_t i = 0; i < book.count(); ++i) {
    auto& r = rows[i];
    r.position = static_cast<std::int64_t>(i);
    r.account = book.account[i];
    r.asset = book.asset[i];
    r.side = book.side[i];
    r.size = book.size[i];
    r.entry_price = book.entry[i];
    r.margin = book.margin[i];
    r.liquidation_price = book.liquidation_price[i];
    r.bankruptcy_price = book.bankruptcy_price[i];
  }
  return rows;
}

}  // namespace cascade
