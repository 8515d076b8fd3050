#include "sim/initial_book.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include "sim/random_streams.hpp"
#include "sim/run_plan.hpp"

namespace cascade {
namespace {

/// Draws one population position on asset k. Leverage is lognormal with the given mean,
/// capped by the bracket of its notional; entries are spread lognormally around the start
/// price; a draw that would already be past its liquidation price at the start is redrawn
/// (such a position would not exist in a live book), falling back to entry = start price.
IsolatedPosition sample_position(const AssetSpec& a, const MarginRule& rule, const PopulationSpec& pop,
                                 Rng& rng) {
  boost::random::uniform_01<double> uniform;
  boost::random::normal_distribution<double> normal;
  IsolatedPosition p;
  p.side = uniform(rng) < pop.long_share ? 1 : -1;
  const double notional = pop.notional_median_usd * std::exp(pop.notional_dispersion * normal(rng));
  const double s = pop.leverage_dispersion;
  double leverage = std::exp(std::log(pop.leverage_mean) - 0.5 * s * s + s * normal(rng));
  leverage = std::clamp(leverage, 1.0, a.tiers.bracket(notional).max_leverage);
  p.margin = notional / leverage;
  for (int attempt = 0; attempt <= 8; ++attempt) {
    p.entry = attempt < 8 ? a.price_usd * std::exp(pop.entry_spread * normal(rng)) : a.price_usd;
    p.size = notional / p.entry;
    const double lp = rule.liquidation_price(p);
    if (std::isnan(lp) || !MarginRule::crossed(p.side, lp, a.price_usd)) break;
  }
  return p;
}

}  // namespace

PositionBook build_initial_book(const Scenario& sc, std::uint64_t population_seed) {
  PositionBook book;
  std::size_t total = sc.positions.size();
  for (const auto& a : sc.assets) total += a.population ? static_cast<std::size_t>(a.population->count) : 0;
  book.reserve(total);
  for (const auto& ps : sc.positions)
    book.add(ps.asset, ps.account, IsolatedPosition{ps.side, ps.size, ps.entry_usd, ps.margin_usd});

  const Profile profile = scenario_profile(sc);
  Rng rng(population_seed);
  auto account = static_cast<std::int32_t>(sc.accounts.size());
  for (std::size_t k = 0; k < sc.assets.size(); ++k) {
    const auto& a = sc.assets[k];
    if (!a.population) continue;
    for (int i = 0; i < a.population->count; ++i)
      book.add(static_cast<std::int32_t>(k), account++,
               sample_position(a, MarginRule(profile, a.tiers), *a.population, rng));
  }
  for (std::size_t i = 0; i < book.count(); ++i) {
    const MarginRule rule(profile, sc.assets[static_cast<std::size_t>(book.asset[i])].tiers);
    book.liquidation_price[i] = rule.liquidation_price(book.isolated(i));
  }
  return book;
}

std::vector<std::string> account_names(const Scenario& sc) {
  std::vector<std::string> names;
  for (const auto& a : sc.accounts) names.push_back(a.name);
  for (const auto& a : sc.assets)
    if (a.population)
      for (int i = 0; i < a.population->count; ++i) names.push_back(a.name + "-" + std::to_string(i));
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
