// What every path of a run shares (sim/plan/): the run plan's shock increments, start prices and
// rules, and the random streams' seeds.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "sim/plan/random_streams.hpp"
#include "sim/plan/run_plan.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;

TEST_CASE("Plan.Spread.StepsShareTheWindowByOverlap") {
  // A window [90, 390) s over 60 s steps: step 2 covers [60, 120), so 30/300 of the total, steps
  // 3..6 60/300 each, step 7 [360, 420) the last 30/300; nothing before or after.
  const double total = 1.0;
  double sum = 0.0;
  for (int t = 1; t <= 10; ++t) {
    const double part = spread_over_step(total, 90.0, 300.0, t, 60.0);
    if (t == 2 || t == 7) CHECK(part == doctest::Approx(0.1).epsilon(1e-15));
    else if (t >= 3 && t <= 6) CHECK(part == doctest::Approx(0.2).epsilon(1e-15));
    else CHECK(part == 0.0);
    sum += part;
  }
  CHECK(sum == doctest::Approx(total).epsilon(1e-15));
  // over = 0: all of it in the step containing `at` (start inclusive, end exclusive).
  CHECK(spread_over_step(2.0, 120.0, 0.0, 2, 60.0) == 0.0);
  CHECK(spread_over_step(2.0, 120.0, 0.0, 3, 60.0) == 2.0);
}

TEST_CASE("Plan.RunPlan.ShocksAndStartPrices") {
  Scenario sc = testing::replay_cascade(0);
  sc.replay.reset();
  sc.steps = 5;
  sc.dt_s = 60.0;
  ShockSpec s;
  s.at_s = 60.0;
  s.over_s = 120.0;
  s.move = -0.2;
  s.assets = {1};
  sc.shocks.push_back(s);
  const RunPlan plan(sc);
  REQUIRE(plan.start_prices.size() == 2);
  CHECK(plan.start_prices[0] == sc.assets[0].price_usd);
  CHECK(plan.start_prices[1] == sc.assets[1].price_usd);
  // log(0.8) spread over steps 2 and 3 of asset 1 only.
  for (int t = 1; t <= sc.steps; ++t) {
    CHECK(plan.shock(t, 0) == 0.0);
    CHECK(plan.shock(t, 1) == doctest::Approx(t == 2 || t == 3 ? std::log(0.8) / 2.0 : 0.0));
  }
  CHECK(plan.rules.size() == 2);
  CHECK(plan.dt_years == doctest::Approx(60.0 / (365.0 * 86400.0)));

  // Under a replay, the start prices are the replay's row at time 0, not `price`.
  const Scenario replayed = testing::replay_cascade(0);
  const RunPlan replay_plan(replayed);
  CHECK(replay_plan.start_prices[0] == replayed.replay->prices[0][0]);
  CHECK(replay_plan.start_prices[1] == replayed.replay->prices[0][1]);
}

TEST_CASE("Plan.Streams.SeedDependsOnEveryCoordinate") {
  // Distinct (seed, point, path, stream) give distinct engine seeds; the same coordinates the
  // same seed (MODEL.md section 8).
  std::set<std::uint64_t> seen;
  int n = 0;
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL})
    for (std::int64_t point : {0, 1, 7})
      for (std::int64_t path : {-1, 0, 1, 999})
        for (Stream st : {Stream::Population, Stream::Prices, Stream::Agents}) {
          seen.insert(stream_seed(seed, point, path, st));
          ++n;
        }
  CHECK(seen.size() == static_cast<std::size_t>(n));
  CHECK(stream_seed(42, 3, 5, Stream::Prices) == stream_seed(42, 3, 5, Stream::Prices));
}
