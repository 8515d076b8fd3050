// Correlation matrices: what is valid, which check fails first, and the factor L*L^T = C.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "models/correlation.hpp"

using namespace cascade;
using Kind = CorrelationProblem::Kind;

namespace {

/// max |L L^T - C|
double reconstruction_error(const std::vector<double>& l, const std::vector<double>& c,
                            std::size_t n) {
  double e = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < n; ++k) s += l[i * n + k] * l[j * n + k];
      e = std::max(e, std::abs(s - c[i * n + j]));
    }
  return e;
}

}  // namespace

TEST_CASE("Models.Correlation.ValidMatrixHasCholeskyFactor") {
  const std::vector<double> c = {1.0,  0.8,  0.42,  //
                                 0.8,  1.0,  0.35,  //
                                 0.42, 0.35, 1.0};
  CHECK_FALSE(check_correlation(c, 3).has_value());
  const std::vector<double> l = correlation_factor(c, 3);
  CHECK(reconstruction_error(l, c, 3) < 1e-14);
  // Lower-triangular (LLT) with a positive diagonal.
  CHECK(l[0 * 3 + 1] == 0.0);
  CHECK(l[0 * 3 + 2] == 0.0);
  CHECK(l[1 * 3 + 2] == 0.0);
  CHECK(l[0] == 1.0);
  CHECK(l[1 * 3 + 0] == doctest::Approx(0.8));
  CHECK(is_identity({1, 0, 0, 1}, 2));
  CHECK_FALSE(is_identity(c, 3));
}

TEST_CASE("Models.Correlation.SingularMatrixUsesTheSymmetricRoot") {
  // Perfect correlation: positive semi-definite, not definite.
  const std::vector<double> c = {1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0};
  CHECK_FALSE(check_correlation(c, 3).has_value());
  CHECK(smallest_eigenvalue(c, 3) == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(reconstruction_error(correlation_factor(c, 3), c, 3) < 1e-12);
}

TEST_CASE("Models.Correlation.ChecksInOrder") {
  const std::vector<std::string> names = {"BTC", "ETH", "PAXG"};
  SUBCASE("not square") {
    const auto p = check_correlation({1, 0, 0}, 2);
    REQUIRE(p);
    CHECK(p->kind == Kind::NotSquare);
  }
  SUBCASE("diagonal") {
    const auto p = check_correlation({1, 0, 0, 0.9}, 2, {"BTC", "ETH"});
    REQUIRE(p);
    CHECK(p->kind == Kind::Diagonal);
    CHECK(p->message == "diagonal element ETH/ETH is 0.9, expected 1");
  }
  SUBCASE("out of range") {
    const auto p = check_correlation({1, 1.2, 1.2, 1}, 2);
    REQUIRE(p);
    CHECK(p->kind == Kind::OutOfRange);
    CHECK(p->message == "correlation (0, 1) is 1.2, expected a number in [-1, 1]");
  }
  SUBCASE("not symmetric") {
    const auto p = check_correlation({1, 0.3, 0.2, 1}, 2, {"BTC", "ETH"});
    REQUIRE(p);
    CHECK(p->kind == Kind::NotSymmetric);
    CHECK(p->message == "not symmetric: BTC/ETH is 0.3 but ETH/BTC is 0.2");
  }
  SUBCASE("not positive semi-definite") {
    // Each pair is a valid correlation; the three together are not.
    const std::vector<double> c = {1.0, -0.9, 0.9, -0.9, 1.0, 0.9, 0.9, 0.9, 1.0};
    const auto p = check_correlation(c, 3, names);
    REQUIRE(p);
    CHECK(p->kind == Kind::NotPositiveSemiDefinite);
    CHECK(p->value == doctest::Approx(smallest_eigenvalue(c, 3)));
    CHECK(p->value < -0.5);
    CHECK(p->message.rfind("not positive semi-definite (smallest eigenvalue -", 0) == 0);
    CHECK_THROWS_AS(correlation_factor(c, 3), std::invalid_argument);
  }
}
