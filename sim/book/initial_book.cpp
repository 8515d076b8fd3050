#include "sim/book/initial_book.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <boost/random/uniform_01.hpp>

#include "sim/book/population_sampler.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/plan/run_plan.hpp"

namespace cascade {

namespace {

/// One sampled position before it is placed in the book.
struct Row {
  IsolatedPosition p;
  double stop_price;
  double liquidation_price;  ///< NaN: never, or cross
  std::int32_t cross_account;  ///< index among the cross accounts; -1: isolated
};

/// Samples rows[i] for population positions [begin, end) of asset k (the rows are independent:
/// each draws from its own streams, so any split and order gives the same rows).
void sample_rows(const Scenario& sc, std::size_t k, const MarginRule& rule, std::uint64_t population_seed,
                 std::size_t begin, std::size_t end, std::vector<Row>& rows) {
  const auto& a = sc.assets[k];
  boost::random::uniform_01<double> uniform;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint64_t key = position_key(population_seed, k, static_cast<std::uint64_t>(i));
    const SampledPosition drawn = sample_position(a, rule, *a.population, key);
    IsolatedPosition p = drawn.position;
    KeyedStream cross = position_stream(key, PositionDraw::Cross);
    const double u_cross = uniform(cross), u_account = uniform(cross);
    if (a.population->cross_share > 0.0 && u_cross < a.population->cross_share) {
      const auto j = std::min(static_cast<std::size_t>(u_account * static_cast<double>(sc.cross_accounts)),
                              static_cast<std::size_t>(sc.cross_accounts) - 1);
      // A cross leg keeps its stop; margin calls are its account's (docs/agents.md).
      rows[i] = {p, drawn.stop_price, kNever, static_cast<std::int32_t>(j)};
      continue;
    }
    rows[i] = {p, drawn.stop_price, rule.liquidation_price(p), -1};
  }
}

}  // namespace

PositionBook build_initial_book(const Scenario& sc, std::uint64_t population_seed, const ForEach& for_each) {
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

  // Every asset's population is sampled first, in blocks that `for_each` may run in parallel;
  // what depends on the order of the draws (the cross wallets' sums, the book's numbering) is
  // done afterwards in draw order, so the book is the same for any split.
  const Profile profile = scenario_profile(sc);
  std::vector<MarginRule> rules;
  std::vector<std::vector<Row>> rows(sc.assets.size());
  struct Block {
    std::size_t asset, begin, end;
  };
  constexpr std::size_t kBlock = 16384;
  std::vector<Block> blocks;
  for (std::size_t k = 0; k < sc.assets.size(); ++k) {
    rules.emplace_back(profile, sc.assets[k].tiers);
    if (!sc.assets[k].population) continue;
    const auto n = static_cast<std::size_t>(sc.assets[k].population->count);
    rows[k].resize(n);
    for (std::size_t b = 0; b < n; b += kBlock) blocks.push_back({k, b, std::min(n, b + kBlock)});
  }
  for_each(blocks.size(), [&](std::size_t j) {
    const Block& b = blocks[j];
    sample_rows(sc, b.asset, rules[b.asset], population_seed, b.begin, b.end, rows[b.asset]);
  });

  // Sampled cross positions are spread uniformly over `cross_accounts` accounts, named after all
  // per-position accounts; each account's wallet is the margin its positions would have posted
  // isolated.
  const std::int32_t first_cross = first_cross_account(sc);
  std::vector<double> cross_wallet(static_cast<std::size_t>(sc.cross_accounts), 0.0);
  for (auto& asset_rows : rows)
    for (Row& r : asset_rows)
      if (r.cross_account >= 0) {
        cross_wallet[static_cast<std::size_t>(r.cross_account)] += r.p.margin;
        r.p.margin = 0.0;
      }
  // A book shared by a whole run is numbered by side and liquidation price, the order in
  // which a cascade reaches the positions, so that a cascade walks the book's memory in order
  // instead of at random (docs/performance.md). Which positions the book holds is unchanged.
  std::vector<std::vector<std::uint32_t>> orders(sc.assets.size());
  for_each(sc.assets.size(), [&](std::size_t k) {
    const std::vector<Row>& r = rows[k];
    std::vector<std::uint32_t>& order = orders[k];
    order.resize(r.size());
    for (std::size_t j = 0; j < r.size(); ++j) order[j] = static_cast<std::uint32_t>(j);
    if (sc.sample != SampleMode::PerRun) return;
    // Longs by falling liquidation price, then shorts by rising, then the rest; ties in draw order.
    std::vector<std::tuple<int, double, std::uint32_t>> keys(r.size());
    for (std::size_t j = 0; j < r.size(); ++j) {
      const double lp = r[j].liquidation_price;
      const bool is_long = r[j].p.side > 0;
      keys[j] = std::isnan(lp) ? std::tuple(2, 0.0, static_cast<std::uint32_t>(j))
                               : std::tuple(is_long ? 0 : 1, is_long ? -lp : lp, static_cast<std::uint32_t>(j));
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t j = 0; j < r.size(); ++j) order[j] = std::get<2>(keys[j]);
  });

  auto first_account = static_cast<std::int32_t>(sc.accounts.size());
  for (std::size_t k = 0; k < sc.assets.size(); ++k) {
    const auto& a = sc.assets[k];
    if (!a.population) continue;
    const auto& calls = a.population->margin_call;
    for (std::uint32_t j : orders[k]) {
      const Row& r = rows[k][j];
      const bool cross = r.cross_account >= 0;
      // A sampled isolated position has an account of its own, numbered in draw order.
      const std::int32_t account = cross ? first_cross + r.cross_account : first_account + static_cast<std::int32_t>(j);
      const std::uint32_t id = book.add(static_cast<std::int32_t>(k), account, r.p, cross);
      book.stop_price.set(id, r.stop_price);
      if (cross) continue;
      book.liquidation_price.set(id, r.liquidation_price);
      if (calls) {
        book.agent.set(id, PositionBook::kAnswersCalls);
        book.wallet.set(id, calls->wallet * r.p.margin);
      }
    }
    first_account += a.population->count;
  }
  for (std::size_t j = 0; j < cross_wallet.size(); ++j)
    if (cross_wallet[j] > 0.0) {
      book.wallet_account.push_back(first_cross + static_cast<std::int32_t>(j));
      book.wallet_usd.push_back(cross_wallet[j]);
    }
  for (std::size_t i = 0; i < sc.positions.size(); ++i) {
    if (book.cross[i]) continue;  // cross positions have an account-level threshold instead
    book.liquidation_price.set(i, rules[static_cast<std::size_t>(book.asset[i])].liquidation_price(book.isolated(i)));
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
