#pragma once
// Drawing one position of a sampled population (MODEL.md section 7; docs/agents.md).
//
// Used for the initial book (positions opened before the start, entries spread over the past)
// and for the positions that arrive during a path (opened at the mark). The draw order is fixed
// and draws for a feature happen only when the feature is on, so a scenario without stops,
// leverage tables or entry days samples exactly what it did before they existed.
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
SampledPosition sample_position(const AssetSpec& a, const MarginRule& rule, const PopulationSpec& pop,
                                Rng& rng, double at_price = 0.0);

}  // namespace cascade
