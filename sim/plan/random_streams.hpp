#pragma once
// Reproducible random streams (MODEL.md section 8; the layout is in docs/engine.md,
// "Reproducibility").
//
// Every path draws from engines seeded only by (master seed, stream point, path index, stream),
// hashed with splitmix64, so a path's numbers never depend on the thread that runs it, the
// shard it is in or the machine. Boost.Random (not <random>) because std distributions differ
// between standard libraries. Separate streams keep population sampling from shifting the
// price draws (switching `population.sample` does not change the prices of a path), and agents'
// decisions from shifting either.
//
// Common random numbers: the points of a sweep share their streams (the stream point is 0 for
// every point), so point j and point k of a path see the same price shocks, the same agents'
// sequence and the same underlying draws of every sampled position, each transformed by its own
// point's parameters. `--independent-points` (Scenario::independent_points) gives each point
// its own streams instead. A plain run is point 0 either way.
//
// Sampled positions do not share one sequential engine: each position draws from small keyed
// streams of its own, one per feature (side, notional, leverage, stop, cross, entry), keyed by
// (population seed, asset, index of the position within its asset's population). So a sweep
// that changes a parameter moves each position smoothly (the same uniforms, transformed by the
// new parameter) instead of reshuffling every position after the first one whose draw count
// changed, and positions can be sampled in any order, or in parallel.
#include <cstdint>

#include <boost/random/mersenne_twister.hpp>

namespace cascade {

using Rng = boost::random::mt19937_64;

/// Population: the sampled book. Prices: the exogenous price process. Agents: what agents decide
/// during a path (arrivals, margin-call responses), drawn in a canonical order (docs/agents.md).
enum class Stream : std::uint64_t { Population = 1, Prices = 2, Agents = 3 };

inline constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += kGoldenGamma;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Seed of one stream of one path. `path` = -1 names the run-wide stream (population sampled
/// once per run). `point` is the stream point (stream_point below), not necessarily the sweep
/// point.
constexpr std::uint64_t stream_seed(std::uint64_t master, std::int64_t point, std::int64_t path,
                                    Stream stream) noexcept {
  std::uint64_t h = splitmix64(master);
  h = splitmix64(h ^ static_cast<std::uint64_t>(point));
  h = splitmix64(h ^ static_cast<std::uint64_t>(path));
  return splitmix64(h ^ static_cast<std::uint64_t>(stream));
}

/// The point whose streams sweep point `point` draws from: 0 under common random numbers (the
/// default), the point itself with independent points.
constexpr std::int64_t stream_point(bool independent_points, std::int64_t point) noexcept {
  return independent_points ? point : 0;
}

/// A counter-based engine: the splitmix64 sequence started at `key` (Steele, Lea, Flood 2014;
/// the algorithm Boost.Random ships as `splitmix64` from Boost 1.83, newer than Debian 12's).
/// Creating one costs nothing, so every feature of every sampled position has its own. Meets
/// Boost's engine concept; draws go through Boost.Random's distributions.
class KeyedStream {
 public:
  using result_type = std::uint64_t;
  explicit constexpr KeyedStream(std::uint64_t key) noexcept : state_(key) {}
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return ~result_type{0}; }
  constexpr result_type operator()() noexcept {
    const result_type out = splitmix64(state_);
    state_ += kGoldenGamma;
    return out;
  }

 private:
  std::uint64_t state_;
};

/// What one sampled position draws, each from its own KeyedStream.
enum class PositionDraw : std::uint64_t { Side = 1, Notional, Leverage, Stop, Cross, Entry };

/// Key of position `index` (0-based within its asset's population) of asset `asset`.
constexpr std::uint64_t position_key(std::uint64_t population_seed, std::uint64_t asset,
                                     std::uint64_t index) noexcept {
  return splitmix64(splitmix64(population_seed ^ asset) ^ index);
}

/// The stream of one feature of the position with key `key`.
constexpr KeyedStream position_stream(std::uint64_t key, PositionDraw draw) noexcept {
  return KeyedStream(splitmix64(key ^ static_cast<std::uint64_t>(draw)));
}

}  // namespace cascade
