#include "models/correlation.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace cascade {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::Map<const RowMatrix> as_matrix(const std::vector<double>& c, std::size_t n) {
  const auto m = static_cast<Eigen::Index>(n);
  return Eigen::Map<const RowMatrix>(c.data(), m, m);
}

std::vector<double> to_vector(const RowMatrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

std::string element(std::size_t i, std::size_t j, const std::vector<std::string>& names) {
  std::ostringstream s;
  if (i < names.size() && j < names.size())
    s << names[i] << '/' << names[j];
  else
    s << '(' << i << ", " << j << ')';
  return s.str();
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

}  // namespace

double smallest_eigenvalue(const std::vector<double>& c, std::size_t n) {
  if (n == 0) return 0.0;
  const Eigen::MatrixXd m = as_matrix(c, n);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m, Eigen::EigenvaluesOnly);
  return es.eigenvalues().minCoeff();
}

std::optional<CorrelationProblem> check_correlation(const std::vector<double>& c, std::size_t n,
                                                    const std::vector<std::string>& names) {
  using Kind = CorrelationProblem::Kind;
  if (c.size() != n * n) {
    CorrelationProblem p{Kind::NotSquare, 0, 0, 0.0, ""};
    p.message = "expected a square matrix of " + std::to_string(n) + " x " + std::to_string(n) +
                " elements, got " + std::to_string(c.size());
    return p;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double d = c[i * n + i];
    if (!(std::abs(d - 1.0) <= kCorrelationTolerance))
      return CorrelationProblem{
          Kind::Diagonal, i, i, d,
          "diagonal element " + element(i, i, names) + " is " + number(d) + ", expected 1"};
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double v = c[i * n + j];
      if (!(std::abs(v) <= 1.0))
        return CorrelationProblem{Kind::OutOfRange, i, j, v,
                                  "correlation " + element(i, j, names) + " is " + number(v) +
                                      ", expected a number in [-1, 1]"};
    }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (!(std::abs(c[i * n + j] - c[j * n + i]) <= kCorrelationTolerance))
        return CorrelationProblem{Kind::NotSymmetric, i, j, c[i * n + j],
                                  "not symmetric: " + element(i, j, names) + " is " +
                                      number(c[i * n + j]) + " but " + element(j, i, names) +
                                      " is " + number(c[j * n + i])};
  const double lambda = smallest_eigenvalue(c, n);
  if (lambda < -kCorrelationTolerance)
    return CorrelationProblem{Kind::NotPositiveSemiDefinite, 0, 0, lambda,
                              "not positive semi-definite (smallest eigenvalue " + number(lambda) +
                                  "): these correlations cannot hold together; lower the "
                                  "largest ones or make them consistent"};
  return std::nullopt;
}

bool is_identity(const std::vector<double>& c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (c[i * n + j] != (i == j ? 1.0 : 0.0)) return false;
  return true;
}

std::vector<double> correlation_factor(const std::vector<double>& c, std::size_t n) {
  if (const auto p = check_correlation(c, n))
    throw std::invalid_argument("correlation_factor: " + p->message);
  const Eigen::MatrixXd m = as_matrix(c, n);
  const Eigen::LLT<Eigen::MatrixXd> llt(m);
  if (llt.info() == Eigen::Success) {
    const RowMatrix l = llt.matrixL();
    return to_vector(l);
  }
  // Singular: the symmetric square root, with rounding-negative eigenvalues taken as zero.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m);
  const Eigen::VectorXd root = es.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  const RowMatrix s = es.eigenvectors() * root.asDiagonal() * es.eigenvectors().transpose();
  return to_vector(s);
}

}  // namespace cascade
