// Specification of the power-law book (MODEL.md section 3, exact).
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>

#include "models/power_law_book.hpp"

using namespace cascade;

namespace {
BookParams params(double beta = 2.0) {
  BookParams p;
  p.depth_1pct_usd = 250000.0;
  p.beta = beta;
  p.tau_refill_s = 600.0;
  return p;
}
// The closed form of MODEL.md, written out independently of the implementation.
double closed_form_vwap(double f, double q1, double beta, double i, double q) {
  auto g = [&](double u) {
    return 0.01 * q1 * beta / (beta + 1.0) * std::pow(std::abs(u) / q1, (beta + 1.0) / beta);
  };
  return f * (1.0 + (g(i + q) - g(i)) / q);
}
// VWAP as the average of the mid along the order, by composite Simpson integration.
double integrated_vwap(const PowerLawBook& b, double i, double q, int n = 20000) {
  const double h = q / n;
  double s = b.mid_at(i) + b.mid_at(i + q);
  for (int k = 1; k < n; ++k) s += (k % 2 ? 4.0 : 2.0) * b.mid_at(i + k * h);
  return s * h / 3.0 / q;
}
}  // namespace

TEST_CASE("Models.PowerLawBook.DisplacementAtOnePercentDepth") {
  PowerLawBook b(params(), 2.0);
  CHECK(b.q1() == doctest::Approx(125000.0));
  // Taking exactly the 1 % depth moves the mid by 1 %.
  CHECK(b.displacement(125000.0) == doctest::Approx(0.01).epsilon(1e-12));
  CHECK(b.mid_at(125000.0) == doctest::Approx(2.02).epsilon(1e-12));
  CHECK(b.mid_at(-125000.0) == doctest::Approx(1.98).epsilon(1e-12));
  CHECK(b.mid_at(0.0) == 2.0);
}

TEST_CASE("Models.PowerLawBook.FillMatchesClosedFormAndIntegral") {
  for (double beta : {1.0, 1.5, 2.0, 3.0}) {
    PowerLawBook b(params(beta), 2.0);
    for (double i0 : {0.0, 40000.0, -70000.0}) {
      for (double q : {-90000.0, -1000.0, 500.0, 60000.0}) {
        CAPTURE(beta);
        CAPTURE(i0);
        CAPTURE(q);
        b.set_imbalance(i0);
        const double expected = closed_form_vwap(2.0, b.q1(), beta, i0, q);
        const double numeric = integrated_vwap(b, i0, q);
        const BookFill f = b.execute(q);
        CHECK(f.filled == q);
        CHECK_FALSE(f.capped());
        CHECK(std::abs(f.vwap - expected) <= 1e-12 * expected);
        CHECK(std::abs(f.vwap - numeric) <= 1e-8 * numeric);
        CHECK(b.imbalance() == doctest::Approx(i0 + q).epsilon(1e-15));
        // A sell fills below the pre-trade mid, a buy above.
        if (q < 0) CHECK(f.vwap < f.mid_before);
        else CHECK(f.vwap > f.mid_before);
      }
    }
  }
}

TEST_CASE("Models.PowerLawBook.SplitOrdersCostTheSame") {
  PowerLawBook a(params(), 2.0), b(params(), 2.0);
  const BookFill whole = a.execute(-80000.0);
  const BookFill p1 = b.execute(-30000.0);
  const BookFill p2 = b.execute(-50000.0);
  const double split_cost = p1.vwap * p1.filled + p2.vwap * p2.filled;
  CHECK(whole.vwap * whole.filled == doctest::Approx(split_cost).epsilon(1e-12));
  CHECK(a.mid() == doctest::Approx(b.mid()).epsilon(1e-14));
}

TEST_CASE("Models.PowerLawBook.ZeroOrderExecutesNothing") {
  PowerLawBook b(params(), 2.0);
  b.set_imbalance(1000.0);
  const BookFill f = b.execute(0.0);
  CHECK(f.filled == 0.0);
  CHECK(f.vwap == f.mid_before);
  CHECK(b.imbalance() == 1000.0);
}

TEST_CASE("Models.PowerLawBook.DecayRefillsExponentially") {
  PowerLawBook b(params(), 2.0);
  b.set_imbalance(-10000.0);
  b.decay(600.0);
  CHECK(b.imbalance() == doctest::Approx(-10000.0 * std::exp(-1.0)).epsilon(1e-15));
}

TEST_CASE("Models.PowerLawBook.DepthScaleThinsTheBook") {
  PowerLawBook b(params(), 2.0);
  const double full = b.mid_at(-50000.0);
  b.set_depth_scale(0.25);
  CHECK(b.q1() == doctest::Approx(31250.0));
  // A quarter of the depth doubles the square-root displacement.
  CHECK(2.0 - b.mid_at(-50000.0) == doctest::Approx(2.0 * (2.0 - full)).epsilon(1e-12));
}

TEST_CASE("Models.PowerLawBook.DisplacementCapStopsTheFill") {
  BookParams p = params();
  p.displacement_cap = 0.10;
  PowerLawBook b(p, 2.0);
  const double limit = b.max_imbalance();
  CHECK(b.displacement(limit) == doctest::Approx(0.10).epsilon(1e-12));
  const BookFill f = b.execute(-2.0 * limit);
  CHECK(f.capped());
  CHECK(f.filled == doctest::Approx(-limit).epsilon(1e-15));
  CHECK(f.cap_price == doctest::Approx(1.8));
  CHECK(b.mid() == doctest::Approx(1.8).epsilon(1e-12));
  // The book has run dry on the bid: a further sell fills nothing, a buy fills in full.
  const BookFill g = b.execute(-1000.0);
  CHECK(g.filled == 0.0);
  const BookFill h = b.execute(1000.0);
  CHECK(h.filled == 1000.0);
}
