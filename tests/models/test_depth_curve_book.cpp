// The L2 depth-curve book: exact against the power law where the two coincide (beta = 1 is
// linear in distance, so a piecewise-linear curve reproduces it exactly), fills as integrals of
// the mid, the book running dry, liquidity withdrawal, and the index coupling of ImpactModel.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "models/depth_curve_book.hpp"
#include "models/impact_model.hpp"
#include "models/power_law_book.hpp"

using namespace cascade;

namespace {

BookParams params(double beta = 1.0) {
  BookParams p;
  p.depth_1pct_usd = 250000.0;
  p.beta = beta;
  p.tau_refill_s = 600.0;
  p.displacement_cap = 0.5;
  return p;
}

/// The power law's cumulative depth D(x) = depth_1pct*(x/0.01)^beta sampled at `xs`.
DepthCurve sampled(double beta, const std::vector<double>& xs, double ask_factor = 1.0) {
  std::vector<double> bid, ask;
  for (double x : xs) {
    bid.push_back(250000.0 * std::pow(x / 0.01, beta));
    ask.push_back(ask_factor * 250000.0 * std::pow(x / 0.01, beta));
  }
  return DepthCurve(xs, bid, ask);
}

std::vector<double> grid(double step, double last) {
  std::vector<double> xs;
  for (double x = step; x <= last + 1e-12; x += step) xs.push_back(x);
  return xs;
}

// VWAP as the average of the mid along the order (composite Simpson).
double integrated_vwap(const DepthCurveBook& b, double i, double q, int n = 20000) {
  const double h = q / n;
  double s = b.mid_at(i) + b.mid_at(i + q);
  for (int k = 1; k < n; ++k) s += (k % 2 ? 4.0 : 2.0) * b.mid_at(i + k * h);
  return s * h / 3.0 / q;
}

}  // namespace

TEST_CASE("Models.DepthCurveBook.LinearCurveIsThePowerLawWithBetaOne") {
  const DepthCurve curve = sampled(1.0, {0.01, 0.1, 0.3, 0.9});
  DepthCurveBook c(params(), curve, 2.0);
  PowerLawBook p(params(1.0), 2.0);
  for (double w : {1.0, 0.4}) {
    c.set_depth_scale(w);
    p.set_depth_scale(w);
    for (double i : {-2.0e5, -3.0e4, 0.0, 1.0e4, 6.0e4}) {
      CHECK(c.mid_at(i) == doctest::Approx(p.mid_at(i)).epsilon(1e-12));
      CHECK(c.impact_integral(i) == doctest::Approx(p.impact_integral(i)).epsilon(1e-12));
      for (double q : {-5.0e4, 2.0e4})
        CHECK(c.vwap(i, q) == doctest::Approx(p.vwap(i, q)).epsilon(1e-12));
      CHECK(c.imbalance_for_mid(c.mid_at(i)) == doctest::Approx(i).epsilon(1e-12));
    }
  }
  CHECK(c.max_imbalance(1) == doctest::Approx(p.max_imbalance()).epsilon(1e-12));
  // Executing the same orders leaves both books in the same state.
  for (double q : {-4.0e4, -4.0e4, 7.0e4}) {
    const BookFill a = c.execute(q), b = p.execute(q);
    CHECK(a.vwap == doctest::Approx(b.vwap).epsilon(1e-12));
    CHECK(a.mid_after == doctest::Approx(b.mid_after).epsilon(1e-12));
  }
}

TEST_CASE("Models.DepthCurveBook.FillIsTheIntegralOfTheMidAndSplitsCostTheSame") {
  // A square-root-law book sampled on a coarse grid, asks half as deep as bids.
  const DepthCurve curve = sampled(2.0, grid(0.005, 0.4), 0.5);
  DepthCurveBook b(params(), curve, 2.0);
  b.set_imbalance(-2.0e4);
  for (double q : {-3.0e5, -1.0e3, 1.0e3, 5.0e4, 2.0e5})  // crossing sides included
    CHECK(b.vwap(b.imbalance(), q) ==
          doctest::Approx(integrated_vwap(b, b.imbalance(), q)).epsilon(1e-9));
  DepthCurveBook one(params(), curve, 2.0), split(params(), curve, 2.0);
  const BookFill whole = one.execute(-2.0e5);
  double cost = 0.0;
  for (int k = 0; k < 4; ++k) cost += split.execute(-5.0e4).vwap * -5.0e4;
  CHECK(cost / -2.0e5 == doctest::Approx(whole.vwap).epsilon(1e-12));
  CHECK(split.mid() == doctest::Approx(one.mid()).epsilon(1e-12));
  // Close to the power law it samples (interpolation error of a 0.5 % grid).
  PowerLawBook p(params(2.0), 2.0);
  CHECK(DepthCurveBook(params(), curve, 2.0).mid_at(-1.0e5) ==
        doctest::Approx(p.mid_at(-1.0e5)).epsilon(2e-3));
}

TEST_CASE("Models.DepthCurveBook.RunsDryAtTheLastKnotOrTheCap") {
  // 10 % of depth in the curve, cap 50 %: the curve's end is where the book runs dry.
  const DepthCurve curve({0.01, 0.05, 0.1}, {1e6, 3e6, 4e6}, {1e6, 3e6, 4e6});
  DepthCurveBook b(params(), curve, 100.0);
  CHECK(b.cap_distance() == 0.1);
  const BookFill fill = b.execute(-1.0e5);  // 10M USD of sells against 4M of bids
  CHECK(fill.capped());
  CHECK(fill.filled == doctest::Approx(-4.0e4));  // 4M USD at F = 100
  CHECK(fill.cap_price == doctest::Approx(90.0));
  CHECK(fill.mid_after == doctest::Approx(90.0));
  CHECK(b.execute(-1.0).filled == 0.0);  // nothing further on that side
  // Thinner book (w): the same curve holds less.
  DepthCurveBook thin(params(), curve, 100.0);
  thin.set_depth_scale(0.25);
  CHECK(thin.execute(-1.0e5).filled == doctest::Approx(-1.0e4));
  // A cap inside the curve.
  BookParams p = params();
  p.displacement_cap = 0.03;
  DepthCurveBook capped(p, curve, 100.0);
  CHECK(capped.cap_distance() == 0.03);
  CHECK(capped.max_imbalance(-1) == doctest::Approx(2.0e6 / 100.0));
  CHECK(capped.execute(-1.0e5).mid_after == doctest::Approx(97.0));
}

TEST_CASE("Models.DepthCurveBook.RejectsMalformedCurves") {
  CHECK(DepthCurve::check({0.01, 0.02}, {1, 2}, {1, 2}) == std::nullopt);
  CHECK(DepthCurve::check({0.02, 0.01}, {1, 2}, {1, 2})->column == "distance");
  CHECK(DepthCurve::check({0.01, 0.02}, {1, 1}, {1, 2})->column == "bid_depth");
  CHECK(DepthCurve::check({0.01, 0.02}, {1, 2}, {0, 2})->column == "ask_depth");
  CHECK(DepthCurve::check({}, {}, {})->message == "a depth curve needs at least one row");
  CHECK_THROWS_AS(DepthCurve({1.2}, {1}, {1}), std::invalid_argument);
}

TEST_CASE("Models.ImpactModel.IndexCouplingMovesTheIndexNotTheMid") {
  for (bool curve : {false, true}) {
    const DepthCurve c = sampled(2.0, grid(0.005, 0.5));
    BookParams p = params(2.0);
    ImpactModel m(p, curve ? &c : nullptr, 100.0);
    CHECK(m.is_depth_curve() == curve);
    m.execute(-3.0e4);
    const double before = 100.0, after = m.mid();
    REQUIRE(after < 97.0);
    m.leak_to_index(before, 0.25);
    // log F moves by a quarter of the mid's log-move; the mid stays.
    CHECK(std::log(m.fundamental() / 100.0) ==
          doctest::Approx(0.25 * std::log(after / before)).epsilon(1e-12));
    CHECK(m.mid() == doctest::Approx(after).epsilon(1e-12));
    // The transient part refills towards the moved index: 1/4 of the impact is permanent.
    m.decay(1e9);
    CHECK(m.mid() == doctest::Approx(m.fundamental()));
    // Coupling 0: nothing moves.
    ImpactModel z(p, curve ? &c : nullptr, 100.0);
    z.execute(-3.0e4);
    const double mid = z.mid();
    z.leak_to_index(100.0, 0.0);
    CHECK(z.fundamental() == 100.0);
    CHECK(z.mid() == mid);
  }
}

TEST_CASE("Models.DepthCurveBook.NanStaysNanAndReadsInBounds") {
  // A NaN depth or imbalance used to index one past the last segment (an out-of-bounds read that
  // ASan reports); it now reads nothing and stays NaN, which the run then refuses.
  const DepthCurve c({0.01, 0.02}, {100.0, 300.0}, {100.0, 300.0});
  const double nan = std::nan("");
  for (int side : {-1, 1}) {
    CHECK(std::isnan(c.depth_within(side, nan)));
    CHECK(std::isnan(c.distance_at(side, nan)));
    CHECK(std::isnan(c.integral(side, nan)));
  }
  // Finite values beyond the last knot still saturate.
  CHECK(c.depth_within(1, 1.0) == 300.0);
  CHECK(c.distance_at(1, 1e9) == 0.02);
}
