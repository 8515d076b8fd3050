#include "sim/cli/memory_estimate.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "sim/engine/outcome.hpp"

namespace cascade {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

/// a * b, saturating (a count of 2^40 positions times 2^30 rows must not wrap).
std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > kMax / a) return kMax;
  return a * b;
}
std::uint64_t add(std::uint64_t a, std::uint64_t b) { return b > kMax - a ? kMax : a + b; }
std::uint64_t from_double(double v) {
  if (!(v > 0.0)) return 0;
  return v >= 1.8e19 ? kMax : static_cast<std::uint64_t>(std::ceil(v));
}

// Bytes per position in one path's book: the SoA columns (prices, sizes, margins, ledgers,
// stops, wallets), the threshold queues' entries on both sides and the per-position scratch.
constexpr std::uint64_t kPerPosition = 256;
constexpr std::uint64_t kPerCrossAccount = 256;
constexpr std::uint64_t kPerAssetMetric = 8;  // one double per asset per /summary/by_asset metric
constexpr std::uint64_t kAssetMetrics = 12;
constexpr std::uint64_t kSeriesPerAsset = 8, kSeriesPerStep = 2;  // sim/results/schema.hpp

}  // namespace

const MemoryEstimate::Part& MemoryEstimate::largest() const {
  return *std::max_element(parts.begin(), parts.end(),
                           [](const Part& a, const Part& b) { return a.bytes < b.bytes; });
}

MemoryEstimate estimate_memory(const Scenario& sc, std::int64_t rows_signed, int threads) {
  const std::uint64_t rows = static_cast<std::uint64_t>(std::max<std::int64_t>(rows_signed, 0));
  const std::uint64_t assets = sc.assets.size();
  const std::uint64_t steps = static_cast<std::uint64_t>(std::max(sc.steps, 0)) + 1;
  const std::uint64_t workers = static_cast<std::uint64_t>(std::max(threads, 1));
  MemoryEstimate e;

  // Positions a path holds: the file's, the sampled, and those arriving over the horizon.
  std::uint64_t sampled = 0, arriving = 0;
  std::string population_key = "positions.file", arrival_key;
  std::uint64_t biggest_pop = 0;
  const double days = static_cast<double>(steps - 1) * sc.dt_s / 86400.0;
  double biggest_arrivals = 0.0;
  for (const AssetSpec& a : sc.assets) {
    if (!a.population) continue;
    const auto n = static_cast<std::uint64_t>(std::max(a.population->count, 0));
    sampled = add(sampled, n);
    if (n > biggest_pop) {
      biggest_pop = n;
      population_key = "assets." + a.name + ".population.count";
    }
    const double arrivals = a.population->arrivals_per_day * days;
    arriving = add(arriving, from_double(arrivals));
    if (arrivals > biggest_arrivals) {
      biggest_arrivals = arrivals;
      arrival_key = "assets." + a.name + ".population.arrivals_per_day";
    }
  }
  const std::uint64_t start_positions = add(sc.positions.size(), sampled);
  const std::uint64_t books = sc.sample == SampleMode::PerRun ? workers + 1 : workers;
  e.parts.push_back({fmt::format("position books (one per worker thread, {} threads)", workers),
                     population_key, mul(mul(start_positions, kPerPosition), books)});
  if (arriving > 0)
    e.parts.push_back({"positions arriving over the horizon (per worker thread)", arrival_key,
                       mul(mul(arriving, kPerPosition), workers)});
  if (sampled > 0 || !sc.accounts.empty())
    e.parts.push_back({"cross-margin accounts (per worker thread)", "population.cross_accounts",
                       mul(mul(add(static_cast<std::uint64_t>(std::max(sc.cross_accounts, 0)),
                                   sc.accounts.size()),
                               kPerCrossAccount),
                           workers)});
  e.parts.push_back({"outcomes of every (point, path) row", "paths",
                     mul(rows, add(sizeof(PathOutcome), mul(assets, kAssetMetrics * kPerAssetMetric)))});
  const std::uint64_t paths = static_cast<std::uint64_t>(std::max(sc.paths, 1));
  const std::uint64_t recorded =
      mul(std::min<std::uint64_t>(sc.output.timeseries_paths.size(), paths), std::max<std::uint64_t>(rows / paths, 1));
  e.parts.push_back({"recorded time series", "steps",
                     mul(mul(recorded, steps), (assets * kSeriesPerAsset + kSeriesPerStep) * 8)});
  // The plan's per-step tables (shock increments, replayed prices, regimes) and each worker's
  // price path scratch.
  e.parts.push_back({"per-step tables of the plan", "steps",
                     mul(mul(steps, assets), 8 * (4 + workers))});
  if (sc.output.events)
    e.parts.push_back({"liquidation events (at most one per position per row)", "output.events",
                       mul(mul(add(start_positions, arriving), rows), sizeof(LiquidationEvent))});
  for (const auto& p : e.parts) e.total = add(e.total, p.bytes);
  return e;
}

std::uint64_t machine_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  std::uint64_t bytes = pages > 0 && page > 0 ? mul(static_cast<std::uint64_t>(pages),
                                                    static_cast<std::uint64_t>(page))
                                              : 0;
  std::ifstream cg("/sys/fs/cgroup/memory.max");
  std::uint64_t limit = 0;
  if (cg >> limit && limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  return bytes;
}

std::string format_bytes(std::uint64_t bytes) {
  if (bytes == kMax) return "more than 16 EiB";
  const double b = static_cast<double>(bytes);
  if (b < 1024.0 * 1024.0) return fmt::format("{:.1f} KiB", b / 1024.0);
  if (b < 1024.0 * 1024.0 * 1024.0) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024.0));
  if (b < 1024.0 * 1024.0 * 1024.0 * 1024.0)
    return fmt::format("{:.1f} GiB", b / (1024.0 * 1024.0 * 1024.0));
  return fmt::format("{:.1f} TiB", b / (1024.0 * 1024.0 * 1024.0 * 1024.0));
}

}  // namespace cascade
