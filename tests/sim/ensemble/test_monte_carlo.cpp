// The Monte Carlo driver: reproducibility across thread counts and path ranges.
#include <doctest/doctest.h>

#include <bit>
#include <cstring>

#include "sim/book/initial_book.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "sim/plan/random_streams.hpp"
#include "tests/sim/engine/fixtures.hpp"
#include "tests/sim/results/same_outcome.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_bitwise_equal(const RunResults& a, const RunResults& b) {
  REQUIRE(a.outcomes.size() == b.outcomes.size());
  for (std::size_t i = 0; i < a.outcomes.size(); ++i) {
    CHECK(a.outcomes[i].path == b.outcomes[i].path);
    for (const auto& m : kSummaryMetrics) {
      CAPTURE(m.name);
      CHECK(test::same_metric(a.outcomes[i], b.outcomes[i], m));
    }
    for (const auto& m : kAssetMetrics) CHECK(test::same_metric(a.outcomes[i], b.outcomes[i], m));
  }
  REQUIRE(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    CHECK(a.events[i].path == b.events[i].path);
    CHECK(a.events[i].position == b.events[i].position);
    CHECK(same_bits(a.events[i].fill_price, b.events[i].fill_price));
  }
  REQUIRE(a.timeseries.size() == b.timeseries.size());
  for (std::size_t i = 0; i < a.timeseries.size(); ++i)
    CHECK(a.timeseries[i].mark_price == b.timeseries[i].mark_price);
}
}  // namespace

TEST_CASE("MonteCarlo.Threads.OneVsTwoBitwiseEqual") {
  const Scenario sc = sampled_shock(12);
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  const RunResults a = run_monte_carlo(sc, one);
  const RunResults b = run_monte_carlo(sc, two);
  check_bitwise_equal(a, b);
  CHECK(a.timeseries.size() == 2);
  CHECK(a.timeseries[1].path == 2);
  std::int64_t total = 0;
  for (const auto& o : a.outcomes) total += o.liquidations;
  CHECK(total > 0);
}

TEST_CASE("MonteCarlo.Paths.DependOnlyOnSeedPointAndPath") {
  const Scenario sc = sampled_shock(8);
  RunOptions all, tail;
  tail.path_begin = 5;
  const RunResults a = run_monte_carlo(sc, all);
  const RunResults b = run_monte_carlo(sc, tail);
  REQUIRE(b.outcomes.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(b.outcomes[i].path == 5 + static_cast<std::int64_t>(i));
    CHECK(same_bits(a.outcomes[5 + i].liquidated_notional, b.outcomes[i].liquidated_notional));
  }
  // Another point of the same scenario: common random numbers give it the same draws, so the
  // same outcomes bitwise; with independent points it draws its own.
  RunOptions other;
  other.point = 1;
  const RunResults c = run_monte_carlo(sc, other);
  Scenario independent = sc;
  independent.independent_points = true;
  const RunResults d = run_monte_carlo(independent, other);
  const RunResults d0 = run_monte_carlo(independent, all);
  bool any_diff = false;
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(c.outcomes[i].point == 1);
    CHECK(same_bits(a.outcomes[i].liquidated_notional, c.outcomes[i].liquidated_notional));
    CHECK(same_bits(a.outcomes[i].liquidated_notional, d0.outcomes[i].liquidated_notional));
    any_diff = any_diff ||
               !same_bits(a.outcomes[i].liquidated_notional, d.outcomes[i].liquidated_notional);
  }
  CHECK(any_diff);
}

TEST_CASE("MonteCarlo.Population.PerRunSharesOneBook") {
  Scenario sc = sampled_shock(4);
  sc.sample = SampleMode::PerRun;
  const RunResults a = run_monte_carlo(sc, {});
  sc.sample = SampleMode::PerPath;
  const RunResults b = run_monte_carlo(sc, {});
  CHECK(a.initial_positions.size() == 800);
  CHECK(b.initial_positions.size() == 800);
  // Per path, path 0's book is the one described; per run, a run-wide draw: they differ.
  CHECK(a.initial_positions[0].size != b.initial_positions[0].size);
  // Each is the book sampled on its own from its population seed (per run the driver reuses the
  // book the paths ran from instead of sampling it again): the same rows.
  const auto described = [](const Scenario& s, std::int64_t path) {
    return describe_positions(
        build_initial_book(s, stream_seed(s.seed, stream_point(s.independent_points, 0), path, Stream::Population)));
  };
  const auto same_rows = [](const std::vector<InitialPosition>& x, const std::vector<InitialPosition>& y) {
    if (x.size() != y.size()) return false;
    const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
    for (std::size_t i = 0; i < x.size(); ++i) {
      const InitialPosition &p = x[i], &q = y[i];
      if (p.position != q.position || p.account != q.account || p.asset != q.asset || p.side != q.side ||
          bits(p.size) != bits(q.size) || bits(p.entry_price) != bits(q.entry_price) ||
          bits(p.margin) != bits(q.margin) || bits(p.liquidation_price) != bits(q.liquidation_price) ||
          bits(p.bankruptcy_price) != bits(q.bankruptcy_price))
        return false;
    }
    return true;
  };
  CHECK(same_rows(b.initial_positions, described(sc, 0)));
  sc.sample = SampleMode::PerRun;
  CHECK(same_rows(a.initial_positions, described(sc, -1)));
  CHECK(a.account_names == account_names(sc));
  for (const auto& o : a.outcomes) CHECK(std::abs(o.conservation_residual) < 1e-6);
}

TEST_CASE("MonteCarlo.Grid.AnyBlockOfRowsEqualsPerPointRuns") {
  // Two sweep points with different scenarios; rows = point * paths + path.
  std::vector<Scenario> points{sampled_shock(5), sampled_shock(5)};
  points[1].assets[0].population->leverage_mean = 5.0;
  GridOptions opt;
  opt.threads = 2;
  const RunResults whole = run_rows(points, 0, 0, 10, opt);
  REQUIRE(whole.outcomes.size() == 10);
  CHECK(whole.outcomes[7].point == 1);
  CHECK(whole.outcomes[7].path == 2);
  // Recorded paths 0 and 2 of each point, in row order.
  REQUIRE(whole.timeseries.size() == 4);
  CHECK(whole.timeseries[2].point == 1);
  CHECK(whole.timeseries[3].path == 2);

  // Each point alone, as run_monte_carlo runs it.
  RunResults per_point;
  for (std::int32_t p = 0; p < 2; ++p) {
    RunOptions one;
    one.point = p;
    RunResults r = run_monte_carlo(points[static_cast<std::size_t>(p)], one);
    per_point.outcomes.insert(per_point.outcomes.end(), r.outcomes.begin(), r.outcomes.end());
    per_point.events.insert(per_point.events.end(), r.events.begin(), r.events.end());
    per_point.timeseries.insert(per_point.timeseries.end(), r.timeseries.begin(), r.timeseries.end());
  }
  check_bitwise_equal(whole, per_point);

  // Blocks that split a point, each given only the points it touches, concatenate to the whole.
  RunResults blocks = run_rows(std::span<const Scenario>(points).subspan(0, 1), 0, 0, 3, opt);
  const RunResults middle = run_rows(points, 0, 3, 7, opt);
  const RunResults tail = run_rows(std::span<const Scenario>(points).subspan(1, 1), 1, 7, 10, opt);
  for (const RunResults* r : {&middle, &tail}) {
    blocks.outcomes.insert(blocks.outcomes.end(), r->outcomes.begin(), r->outcomes.end());
    blocks.events.insert(blocks.events.end(), r->events.begin(), r->events.end());
    blocks.timeseries.insert(blocks.timeseries.end(), r->timeseries.begin(), r->timeseries.end());
  }
  check_bitwise_equal(whole, blocks);
  CHECK(run_rows(points, 0, 4, 4, opt).outcomes.empty());

  // The leverage of point 1 is lower: fewer liquidations overall.
  double liq[2] = {0, 0};
  for (const auto& o : whole.outcomes) liq[o.point] += o.liquidated_notional;
  CHECK(liq[1] < liq[0]);
}
