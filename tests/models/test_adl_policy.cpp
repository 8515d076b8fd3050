// ADL policies (models/adl_policy.*) on hand-computed cases.
#include <doctest/doctest.h>

#include <numeric>

#include "models/adl_policy.hpp"

using namespace cascade;

namespace {

/// A candidate of `size` at mark 10 with `equity`, able to give `capacity`.
AdlCandidate cand(double size, double equity, double capacity = -1.0) {
  return AdlCandidate{size, capacity < 0.0 ? size : capacity, 10.0, equity};
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("Models.AdlPolicy.QueueTakesInOrder") {
  const std::vector<AdlCandidate> c = {cand(30, 100), cand(50, 100), cand(40, 100)};
  const auto y = allocate_adl(AdlPolicy::Queue, c, 60.0);
  CHECK(y == std::vector<double>{30, 30, 0});
  // Capacity binds: the first can give 10 only (its own bankruptcy), the rest moves on.
  const std::vector<AdlCandidate> capped = {cand(30, 100, 10), cand(50, 100), cand(40, 100)};
  CHECK(allocate_adl(AdlPolicy::Queue, capped, 60.0) == std::vector<double>{10, 50, 0});
  // More demand than everyone can give: all of it, and no more.
  CHECK(allocate_adl(AdlPolicy::Queue, c, 500.0) == std::vector<double>{30, 50, 40});
}

TEST_CASE("Models.AdlPolicy.ProRataTakesTheSameFraction") {
  // 60 of 120: half of each.
  const std::vector<AdlCandidate> c = {cand(30, 100), cand(50, 100), cand(40, 100)};
  const auto y = allocate_adl(AdlPolicy::ProRata, c, 60.0);
  CHECK(y[0] == doctest::Approx(15.0));
  CHECK(y[1] == doctest::Approx(25.0));
  CHECK(y[2] == doctest::Approx(20.0));
  CHECK(sum(y) == doctest::Approx(60.0).epsilon(1e-15));
  // The first can give 5 only: the other two share 55 of their 90 in equal fraction 11/18.
  const std::vector<AdlCandidate> capped = {cand(30, 100, 5), cand(50, 100), cand(40, 100)};
  const auto z = allocate_adl(AdlPolicy::ProRata, capped, 60.0);
  CHECK(z[0] == doctest::Approx(5.0));
  CHECK(z[1] == doctest::Approx(50.0 * 55.0 / 90.0));
  CHECK(z[2] == doctest::Approx(40.0 * 55.0 / 90.0));
  CHECK(sum(z) == doctest::Approx(60.0).epsilon(1e-15));
}

TEST_CASE("Models.AdlPolicy.LeverageDrainLevelsTheMostLevered") {
  // Leverage 100*10/200 = 5, 50*10/250 = 2, 40*10/400 = 1. Draining 30 units: only the first is
  // above the level it reaches: (100 - 30)*10 = L*200 gives L = 3.5 (above the second's 2).
  const std::vector<AdlCandidate> c = {cand(100, 200), cand(50, 250), cand(40, 400)};
  const auto y = allocate_adl(AdlPolicy::LeverageDrain, c, 30.0);
  CHECK(y[0] == doctest::Approx(30.0).epsilon(1e-12));
  CHECK(y[1] == 0.0);
  CHECK(y[2] == 0.0);
  CHECK(c[0].leverage_after(y[0]) == doctest::Approx(3.5));
  // Draining 80: the first two come down to one level L: y0 = 100 - 20L and y1 = 50 - 25L sum
  // to 80 -> L = 70/45 (above the third's 1): y0 = 68.89, y1 = 11.11.
  const auto z = allocate_adl(AdlPolicy::LeverageDrain, c, 80.0);
  const double level = 70.0 / 45.0;
  CHECK(sum(z) == doctest::Approx(80.0).epsilon(1e-12));
  CHECK(z[0] == doctest::Approx(100.0 - 20.0 * level).epsilon(1e-12));
  CHECK(z[1] == doctest::Approx(50.0 - 25.0 * level).epsilon(1e-12));
  CHECK(c[0].leverage_after(z[0]) == doctest::Approx(level).epsilon(1e-9));
  CHECK(c[1].leverage_after(z[1]) == doctest::Approx(level).epsilon(1e-9));
  CHECK(z[2] == 0.0);  // already below the level
  // No other split of 80 leaves a smaller largest leverage: moving one unit from 0 to 1 (or back)
  // raises one of the two above the level.
  CHECK(c[0].leverage_after(z[0] - 1.0) > level);
  CHECK(c[1].leverage_after(z[1] - 1.0) > level);
  // A capacity that binds: the first can give 20 only, and the other two share the other 60
  // at one level below both their leverages: (50 - 25L) + (40 - 40L) = 60 -> L = 6/13.
  const std::vector<AdlCandidate> capped = {cand(100, 200, 20), cand(50, 250), cand(40, 400)};
  const auto w = allocate_adl(AdlPolicy::LeverageDrain, capped, 80.0);
  CHECK(w[0] == doctest::Approx(20.0).epsilon(1e-12));
  CHECK(w[1] == doctest::Approx(50.0 - 25.0 * 6.0 / 13.0).epsilon(1e-9));
  CHECK(w[2] == doctest::Approx(40.0 - 40.0 * 6.0 / 13.0).epsilon(1e-9));
  CHECK(sum(w) == doctest::Approx(80.0).epsilon(1e-12));
}

TEST_CASE("Models.AdlPolicy.LeverageDrainTakesFirstFromNoEquity") {
  // A winner with no equity at the mark (it can still take the price) is infinitely levered: it
  // gives first. Without the rule the level was infinite and every allocation NaN.
  const std::vector<AdlCandidate> c = {cand(100, 200), cand(10, 0.0, 4), cand(50, 250)};
  const auto small = allocate_adl(AdlPolicy::LeverageDrain, c, 3.0);
  CHECK(small == std::vector<double>{0.0, 3.0, 0.0});
  // 30: the 4 it can give, then 26 from the 5x alone: 100 - 20L = 26, L = 3.7 (above the 2x).
  const auto y = allocate_adl(AdlPolicy::LeverageDrain, c, 30.0);
  CHECK(y[1] == 4.0);
  CHECK(y[0] == doctest::Approx(26.0).epsilon(1e-12));
  CHECK(y[2] == 0.0);
  CHECK(sum(y) == doctest::Approx(30.0).epsilon(1e-12));
}

TEST_CASE("Models.AdlPolicy.Names") {
  for (const AdlPolicy p : {AdlPolicy::Queue, AdlPolicy::ProRata, AdlPolicy::LeverageDrain})
    CHECK(adl_policy_from_name(adl_policy_name(p)) == p);
  CHECK_FALSE(adl_policy_from_name("fifo"));
}
