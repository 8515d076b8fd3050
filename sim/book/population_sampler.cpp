#include "sim/book/population_sampler.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>

#include "sim/plan/run_plan.hpp"

namespace cascade {

namespace {

double draw_leverage(const PopulationSpec& pop, KeyedStream rng) {
  if (pop.leverage_table.empty()) {
    boost::random::normal_distribution<double> normal;
    const double s = pop.leverage_dispersion;
    return std::exp(std::log(pop.leverage_mean) - 0.5 * s * s + s * normal(rng));
  }
  double total = 0.0;
  for (const LeverageRow& r : pop.leverage_table) total += r.weight;
  double u = boost::random::uniform_01<double>()(rng) * total;
  for (const LeverageRow& r : pop.leverage_table) {
    if (u < r.weight) return r.leverage;
    u -= r.weight;
  }
  return pop.leverage_table.back().leverage;
}

/// An entry price of the initial book (see the header); `rng` is the entry stream, one attempt
/// after the other.
double draw_entry(const AssetSpec& a, const PopulationSpec& pop, KeyedStream& rng) {
  boost::random::normal_distribution<double> normal;
  if (!(pop.entry_days > 0.0)) return a.price_usd * std::exp(pop.entry_spread * normal(rng));
  const double age_years = boost::random::uniform_01<double>()(rng) * pop.entry_days * 86400.0 / kSecondsPerYear;
  const double vol = a.process.volatility_annual;
  return a.price_usd * std::exp(-pop.entry_trend * age_years + vol * std::sqrt(age_years) * normal(rng));
}

}  // namespace

SampledPosition sample_position(const AssetSpec& a, const MarginRule& rule,
                                const PopulationSpec& pop, std::uint64_t key, double at_price) {
  boost::random::uniform_01<double> uniform;
  boost::random::normal_distribution<double> normal;
  SampledPosition out;
  IsolatedPosition& p = out.position;
  KeyedStream side = position_stream(key, PositionDraw::Side);
  KeyedStream size = position_stream(key, PositionDraw::Notional);
  KeyedStream stop = position_stream(key, PositionDraw::Stop);
  p.side = uniform(side) < pop.long_share ? 1 : -1;
  const double notional =
      pop.notional_median_usd * std::exp(pop.notional_dispersion * normal(size));
  const double leverage =
      std::clamp(draw_leverage(pop, position_stream(key, PositionDraw::Leverage)), 1.0,
                 a.tiers.bracket(notional).max_leverage);
  p.margin = notional / leverage;
  // Both stop draws are made whether or not this position gets a stop, so that a sweep of
  // stop_share adds stops to positions without moving the others'.
  const bool has_stop = uniform(stop) < pop.stop_share;
  const double stop_z = normal(stop);
  double stop_distance = 0.0;
  if (pop.stop_share > 0.0 && has_stop)
    stop_distance = std::min(0.95, pop.stop_distance * std::exp(pop.stop_dispersion * stop_z));
  const auto stop_at = [&](double entry) { return stop_distance > 0.0 ? entry * (1.0 - p.side * stop_distance) : kNever; };
  if (at_price > 0.0) {
    p.entry = at_price;
    p.size = notional / p.entry;
    out.stop_price = stop_at(p.entry);
    return out;
  }
  KeyedStream entry = position_stream(key, PositionDraw::Entry);
  for (int attempt = 0; attempt <= 8; ++attempt) {
    p.entry = attempt < 8 ? draw_entry(a, pop, entry) : a.price_usd;
    p.size = notional / p.entry;
    out.stop_price = stop_at(p.entry);
    const double lp = rule.liquidation_price(p);
    const bool liquidated = !std::isnan(lp) && MarginRule::crossed(p.side, lp, a.price_usd);
    const bool stopped = !std::isnan(out.stop_price) && MarginRule::crossed(p.side, out.stop_price, a.price_usd);
    if (!liquidated && !stopped) break;
  }
  return out;
}

}  // namespace cascade
