// Common random numbers across sweep points (MODEL.md section 8; docs/engine.md
// "Reproducibility"): the same positions and the same price shocks at every point, transformed by
// each point's parameters, so paired differences between points carry the effect of the swept
// key and little Monte Carlo noise.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/book/initial_book.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "sim/plan/random_streams.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

/// The leverage sweep of the fixture: one scenario per leverage, sharing streams or not.
std::vector<Scenario> leverage_points(const std::vector<double>& leverage, bool independent,
                                      int paths) {
  std::vector<Scenario> points;
  for (double l : leverage) {
    Scenario sc = sampled_shock(paths);
    sc.output = {};
    for (auto& a : sc.assets) a.population->leverage_mean = l;
    sc.independent_points = independent;
    points.push_back(sc);
  }
  return points;
}

std::vector<std::vector<double>> liquidated_by_point(const std::vector<Scenario>& points) {
  const std::int64_t paths = points.front().paths;
  GridOptions opt;
  const RunResults r =
      run_rows(points, 0, 0, static_cast<std::int64_t>(points.size()) * paths, opt);
  std::vector<std::vector<double>> out(points.size());
  for (const auto& o : r.outcomes)
    out[static_cast<std::size_t>(o.point)].push_back(o.liquidated_notional);
  return out;
}

double variance(const std::vector<double>& x) {
  double mean = 0.0, ss = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  for (double v : x) ss += (v - mean) * (v - mean);
  return ss / static_cast<double>(x.size() - 1);
}

std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = b[i] - a[i];
  return d;
}

}  // namespace

TEST_CASE("CommonRandomNumbers.Population.SamePositionsAtEveryLeverage") {
  // A sampled position keeps its side and notional when the leverage moves; its margin scales
  // as leverage_1 / leverage_2 unless a bracket's cap binds (the cap is the same at both).
  Scenario lo = sampled_shock(1), hi = sampled_shock(1);
  lo.assets[0].population->leverage_mean = 4.0;
  hi.assets[0].population->leverage_mean = 6.0;
  const std::uint64_t seed = stream_seed(lo.seed, 0, 0, Stream::Population);
  const PositionBook a = build_initial_book(lo, seed), b = build_initial_book(hi, seed);
  REQUIRE(a.count() == b.count());
  int same_entry = 0, scaled = 0;
  for (std::size_t i = 0; i < 400; ++i) {  // the first asset, AIX
    CHECK(a.side[i] == b.side[i]);
    CHECK(a.size[i] * a.entry[i] == doctest::Approx(b.size[i] * b.entry[i]).epsilon(1e-12));
    same_entry += a.entry[i] == b.entry[i] ? 1 : 0;
    const double ratio = a.margin[i] / b.margin[i];
    scaled += std::abs(ratio - 1.5) < 1e-9 ? 1 : 0;
  }
  CHECK(same_entry >= 390);  // only a position that would start liquidated redraws its entry
  CHECK(scaled >= 390);      // leverage x1.5 unless capped at the bracket's maximum
  // The second asset's population did not change at all.
  for (std::size_t i = 400; i < 800; ++i) {
    CHECK(a.margin[i] == b.margin[i]);
    CHECK(a.entry[i] == b.entry[i]);
  }
}

TEST_CASE("CommonRandomNumbers.Population.MorePositionsKeepTheFirstOnes") {
  // Position i of an asset is keyed by its index: growing the population appends positions.
  Scenario small = sampled_shock(1), large = sampled_shock(1);
  large.assets[0].population->count = 500;
  const std::uint64_t seed = stream_seed(small.seed, 0, 0, Stream::Population);
  const PositionBook a = build_initial_book(small, seed), b = build_initial_book(large, seed);
  for (std::size_t i = 0; i < 400; ++i) CHECK(a.margin[i] == b.margin[i]);
  for (std::size_t i = 0; i < 400; ++i) CHECK(a.margin[400 + i] == b.margin[500 + i]);
}

TEST_CASE("CommonRandomNumbers.Sweep.PairedDifferencesHaveSmallVariance") {
  // Two leverage points, 24 paths: the variance of the per-path difference is far below the
  // variance of the difference of independent draws (about twice a point's own variance).
  const std::vector<double> leverage{12.0, 14.0};
  const auto crn = liquidated_by_point(leverage_points(leverage, false, 24));
  const auto ind = liquidated_by_point(leverage_points(leverage, true, 24));
  const double var_crn = variance(difference(crn[0], crn[1]));
  const double var_ind = variance(difference(ind[0], ind[1]));
  CAPTURE(var_crn);
  CAPTURE(var_ind);
  CHECK(var_crn < 0.1 * var_ind);
  // Point 0 is the plain run either way.
  CHECK(crn[0] == ind[0]);
}

TEST_CASE("CommonRandomNumbers.Sweep.LeverageCurveIsMonotone") {
  // More leverage brings every liquidation price closer: with common random numbers the mean
  // liquidated notional rises at every step of a fine leverage grid (with independent points
  // the Monte Carlo noise between neighbours is of the size of the steps).
  const std::vector<double> leverage{8.0, 9.0, 10.0, 11.0, 12.0, 13.0};
  const auto crn = liquidated_by_point(leverage_points(leverage, false, 16));
  std::vector<double> mean;
  for (const auto& v : crn) {
    double s = 0.0;
    for (double x : v) s += x;
    mean.push_back(s / static_cast<double>(v.size()));
  }
  CAPTURE(mean);
  for (std::size_t k = 1; k < mean.size(); ++k) CHECK(mean[k] > mean[k - 1]);
}
