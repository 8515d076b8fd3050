#pragma once
// Reproducible random streams (MODEL.md section 8).
//
// Every path draws from engines seeded only by (master seed, sweep point, path index, stream),
// hashed with splitmix64, so a path's numbers never depend on the thread that runs it, the
// shard it is in or the machine. Boost.Random (not <random>) because std distributions differ
// between standard libraries. Separate streams keep population sampling from shifting the
// price draws (switching `population.sample` does not change the prices of a path), and agents'
// decisions from shifting either.
#include <cstdint>

#include <boost/random/mersenne_twister.hpp>

namespace cascade {

using Rng = boost::random::mt19937_64;

/// Population: the sampled book. Prices: the exogenous price process. Agents: what agents decide
/// during a path (arrivals, margin-call responses), drawn in a canonical order (docs/agents.md).
enum class Stream : std::uint64_t { Population = 1, Prices = 2, Agents = 3 };

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Seed of one stream of one path. `path` = -1 names the run-wide stream (population sampled
/// once per run).
constexpr std::uint64_t stream_seed(std::uint64_t master, std::int64_t point, std::int64_t path,
                                    Stream stream) noexcept {
  std::uint64_t h = splitmix64(master);
  h = splitmix64(h ^ static_cast<std::uint64_t>(point));
  h = splitmix64(h ^ static_cast<std::uint64_t>(path));
  return splitmix64(h ^ static_cast<std::uint64_t>(stream));
}

}  // namespace cascade
