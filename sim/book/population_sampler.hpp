#pragma once
// Drawing one position of a sampled population (MODEL.md section 7; docs/agents.md).
//
// Used for the initial book (positions opened before the start, entries spread over the past)
// and for the positions that arrive during a path (opened at the mark). Each feature of a
// position (side, notional, leverage, stop, cross, entry) draws from its own keyed stream
// (sim/plan/random_streams.hpp), always the same numbers whatever the parameters, so the
// positions of two sweep points differ only by how their parameters transform the same draws.
#include "models/margin_profile.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/scenario/scenario.hpp"

namespace cascade {

struct SampledPosition {
  IsolatedPosition position;
  double stop_price = kNever;  ///< USD per base unit; NaN: no stop-loss
};

/// One position of population `pop` on asset `a`:
/// - side long with probability long_share; notional at entry lognormal (median, dispersion);
/// - leverage from the table (by weight) or lognormal with the given mean, capped to
///   [1, max_leverage of the notional's bracket]; margin = notional / leverage;
/// - a stop-loss with probability stop_share, at entry x (1 - side x d), d lognormal around
///   stop_distance (capped at 0.95);
/// - `at_price` > 0 (an arrival): entry = at_price. Otherwise (the initial book) the entry is
///   start price x exp(entry_spread z), or, with entry_days, the price of a Brownian path back
///   from the start price at a uniform age in [0, entry_days] (the asset's volatility, drift
///   entry_trend); a draw already past its liquidation price or its stop at the start price is
///   redrawn (such a position would have closed), up to 8 times, then entry = start price.
/// `key`: the position's key (position_key, or one draw of the agents' stream for an arrival).
SampledPosition sample_position(const AssetSpec& a, const MarginRule& rule,
                                const PopulationSpec& pop, std::uint64_t key,
                                double at_price = 0.0);

/// An arrival: the position keyed by the next draw of `rng` (the path's agents stream).
inline SampledPosition sample_position(const AssetSpec& a, const MarginRule& rule,
                                       const PopulationSpec& pop, Rng& rng, double at_price) {
  return sample_position(a, rule, pop, rng(), at_price);
}

}  // namespace cascade
