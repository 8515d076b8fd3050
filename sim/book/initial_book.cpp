#include "sim/book/initial_book.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <boost/random/uniform_01.hpp>

#include "sim/book/population_sampler.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/plan/run_plan.hpp"

namespace cascade {

PositionBook build_initial_book(const Scenario& sc, std::uint64_t population_seed) {
  PositionBook book;
  std::size_t total = sc.positions.size();
  for (const auto& a : sc.assets) total += a.population ? static_cast<std::size_t>(a.population->count) : 0;
  book.reserve(total);
  for (std::size_t j = 0; j < sc.positions.size(); ++j) {
    const auto& ps = sc.positions[j];
    const std::uint32_t id =
        book.add(ps.asset, ps.account, IsolatedPosition{ps.side, ps.size, ps.entry_usd, ps.margin_usd}, ps.cross);
    if (const AgentSpec* agent = sc.position_agent(j)) {  // optional CSV columns (docs/scenario.md)
      book.stop_price.set(id, agent->stop_usd);
      if (agent->margin_call && !ps.cross) {
        book.agent.set(id, PositionBook::kAnswersCalls);
        book.wallet.set(id, agent->top_up_wallet_usd);
      }
    }
  }
  for (std::size_t a = 0; a < sc.accounts.size(); ++a)
    if (sc.accounts[a].wallet_usd) {
      book.wallet_account.push_back(static_cast<std::int32_t>(a));
      book.wallet_usd.push_back(*sc.accounts[a].wallet_usd);
    }

  // Sampled cross positions are spread uniformly over `cross_accounts` accounts, named after all
  // per-position accounts; each account's wallet is the margin its positions would have posted
  // isolated.
  const Profile profile = scenario_profile(sc);
  boost::random::uniform_01<double> uniform;
  auto account = static_cast<std::int32_t>(sc.accounts.size());
  const std::int32_t first_cross = first_cross_account(sc);
  std::vector<double> cross_wallet(static_cast<std::size_t>(sc.cross_accounts), 0.0);
  struct Row {
    std::int32_t account;
    IsolatedPosition p;
    bool cross;
    double stop_price;
    double liquidation_price;  ///< NaN: never, or cross
  };
  std::vector<Row> rows;
  std::vector<std::uint32_t> order;
  for (std::size_t k = 0; k < sc.assets.size(); ++k) {
    const auto& a = sc.assets[k];
    if (!a.population) continue;
    const MarginRule rule(profile, a.tiers);
    rows.clear();
    rows.reserve(static_cast<std::size_t>(a.population->count));
    for (int i = 0; i < a.population->count; ++i, ++account) {
      // Each position draws from its own streams (sim/plan/random_streams.hpp), so this loop
      // could run in any order.
      const std::uint64_t key = position_key(population_seed, k, static_cast<std::uint64_t>(i));
      const SampledPosition drawn = sample_position(a, rule, *a.population, key);
      IsolatedPosition p = drawn.position;
      KeyedStream cross = position_stream(key, PositionDraw::Cross);
      const double u_cross = uniform(cross), u_account = uniform(cross);
      if (a.population->cross_share > 0.0 && u_cross < a.population->cross_share) {
        const auto j =
            std::min(static_cast<std::size_t>(u_account * static_cast<double>(sc.cross_accounts)),
                     cross_wallet.size() - 1);
        cross_wallet[j] += p.margin;
        p.margin = 0.0;
        // A cross leg keeps its stop; margin calls are its account's (docs/agents.md).
        rows.push_back({first_cross + static_cast<std::int32_t>(j), p, true, drawn.stop_price, kNever});
        continue;
      }
      rows.push_back({account, p, false, drawn.stop_price, rule.liquidation_price(p)});
    }
    // A book shared by a whole run is numbered by side and liquidation price, the order in
    // which a cascade reaches the positions, so that a cascade walks the book's memory in order
    // instead of at random (docs/performance.md). Which positions the book holds is unchanged.
    order.resize(rows.size());
    for (std::size_t j = 0; j < rows.size(); ++j) order[j] = static_cast<std::uint32_t>(j);
    if (sc.sample == SampleMode::PerRun) {
      // Longs by falling liquidation price, then shorts by rising, then the rest; ties in draw order.
      std::vector<std::tuple<int, double, std::uint32_t>> keys(rows.size());
      for (std::size_t j = 0; j < rows.size(); ++j) {
        const double lp = rows[j].liquidation_price;
        const bool is_long = rows[j].p.side > 0;
        keys[j] = std::isnan(lp) ? std::tuple(2, 0.0, static_cast<std::uint32_t>(j))
                                 : std::tuple(is_long ? 0 : 1, is_long ? -lp : lp, static_cast<std::uint32_t>(j));
      }
      std::sort(keys.begin(), keys.end());
      for (std::size_t j = 0; j < rows.size(); ++j) order[j] = std::get<2>(keys[j]);
    }
    const auto& calls = a.population->margin_call;
    for (std::uint32_t j : order) {
      const Row& r = rows[j];
      const std::uint32_t id = book.add(static_cast<std::int32_t>(k), r.account, r.p, r.cross);
      book.stop_price.set(id, r.stop_price);
      if (r.cross) continue;
      book.liquidation_price.set(id, r.liquidation_price);
      if (calls) {
        book.agent.set(id, PositionBook::kAnswersCalls);
        book.wallet.set(id, calls->wallet * r.p.margin);
      }
    }
  }
  for (std::size_t j = 0; j < cross_wallet.size(); ++j)
    if (cross_wallet[j] > 0.0) {
      book.wallet_account.push_back(first_cross + static_cast<std::int32_t>(j));
      book.wallet_usd.push_back(cross_wallet[j]);
    }
  for (std::size_t i = 0; i < sc.positions.size(); ++i) {
    if (book.cross[i]) continue;  // cross positions have an account-level threshold instead
    const MarginRule rule(profile, sc.assets[static_cast<std::size_t>(book.asset[i])].tiers);
    book.liquidation_price.set(i, rule.liquidation_price(book.isolated(i)));
  }
  return book;
}

std::int32_t first_cross_account(const Scenario& sc) {
  std::size_t sampled = 0;
  for (const auto& a : sc.assets) sampled += a.population ? static_cast<std::size_t>(a.population->count) : 0;
  return static_cast<std::int32_t>(sc.accounts.size() + sampled);
}

bool has_sampled_cross(const Scenario& sc) {
  for (const auto& a : sc.assets)
    if (a.population && (a.population->cross_share > 0.0 || a.population->arrival_cross_share > 0.0)) return true;
  return false;
}

const MarginCallSpec& margin_call_of(const Scenario& sc, std::size_t i, std::size_t k) {
  // (A CSV position without the columns that was given the behaviour on the book itself, as
  // tests do, answers per its asset's population.)
  if (const AgentSpec* a = i < sc.positions.size() ? sc.position_agent(i) : nullptr; a && a->margin_call)
    return *a->margin_call;
  return *sc.assets[k].population->margin_call;
}

std::vector<std::string> account_names(const Scenario& sc) {
  std::vector<std::string> names;
  for (const auto& a : sc.accounts) names.push_back(a.name);
  for (const auto& a : sc.assets)
    if (a.population)
      for (int i = 0; i < a.population->count; ++i) names.push_back(a.name + "-" + std::to_string(i));
  if (has_sampled_cross(sc))
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
