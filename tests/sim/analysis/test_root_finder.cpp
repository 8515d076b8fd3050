// The bracketing root finder of `cascade solve` on step functions (what a quantile over finitely
// many paths is) and smooth ones, against their known crossings.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/analysis/root_finder.hpp"

using namespace cascade;

TEST_CASE("Analysis.RootFinder.StepFunctionDecreasing") {
  // ceil(5 - x) - 2.5 is above 0 for x < 3 and at most 0 from 3 on.
  const auto f = [](double x) { return std::ceil(5.0 - x) - 2.5; };
  const RootResult r = find_crossing(f, {0.0, 10.0, 1e-3, 60});
  CHECK(r.converged);
  CHECK(r.value >= 3.0);
  CHECK(r.value <= 3.0 + 1e-3);
  CHECK(r.above < 3.0);
  CHECK(f(r.value) <= 0.0);
  CHECK(r.evaluations.size() <= 2 + 3 * static_cast<std::size_t>(std::ceil(std::log2(1e4))));
}

TEST_CASE("Analysis.RootFinder.StepFunctionIncreasing") {
  // A leverage-like key: the outcome rises with x; the target is met below the crossing at 7.25.
  const auto f = [](double x) { return std::floor(4.0 * x) / 4.0 - 7.1; };
  const RootResult r = find_crossing(f, {1.0, 20.0, 0.01, 60});
  CHECK(r.converged);
  CHECK(r.value < 7.25);
  CHECK(r.value >= 7.25 - 0.01);
  CHECK(r.above >= 7.25);
}

TEST_CASE("Analysis.RootFinder.SmoothFunctionNeedsFewerRunsThanBisection") {
  const RootResult r = find_crossing([](double x) { return x * x - 2.0; }, {0.0, 2.0, 1e-9, 60});
  CHECK(r.converged);
  CHECK(r.value == doctest::Approx(std::sqrt(2.0)).epsilon(1e-8));
  CHECK(r.evaluations.size() < 2 + 31);  // bisection needs 31 steps to 1e-9 of 2
}

TEST_CASE("Analysis.RootFinder.NotBracketedAndBadRanges") {
  const auto f = [](double x) { return x + 1.0; };
  try {
    (void)find_crossing(f, {0.0, 1.0, 1e-3, 10});
    FAIL("expected NotBracketed");
  } catch (const NotBracketed& e) {
    CHECK(e.f_lo == 1.0);
    CHECK(e.f_hi == 2.0);
  }
  CHECK_THROWS_AS((void)find_crossing(f, {1.0, 1.0, 1e-3, 10}), std::invalid_argument);
  CHECK_THROWS_AS((void)find_crossing(f, {0.0, 1.0, 0.0, 10}), std::invalid_argument);
  // A run budget stops the search unconverged, with the bracket so far.
  const RootResult r = find_crossing([](double x) { return 0.3 - x; }, {0.0, 1.0, 1e-12, 6});
  CHECK(!r.converged);
  CHECK(r.evaluations.size() == 6);
  CHECK(r.above < 0.3);
  CHECK(r.within >= 0.3);
}
