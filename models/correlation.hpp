#pragma once
// Correlation matrices of asset returns (MODEL.md section 2): what makes a matrix a valid
// correlation matrix, and the factor L with L*L^T = C that turns independent innovations z into
// correlated ones, eps = L*z.
//
// Validation and factorisation are separate because they happen at different times: the loader
// checks every matrix once and reports the failed check at the scenario's location; the run plan
// factors each valid matrix once and shares the factor with all paths. Matrices are dense,
// row-major std::vector<double> (n*n) so that frozen scenario data needs no Eigen; Eigen does the
// linear algebra here.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace cascade {

/// Tolerances of the checks: |C - C^T| and |C_kk - 1| at most kCorrelationTolerance, eigenvalues
/// down to -kCorrelationTolerance count as zero (rounding of a singular matrix).
inline constexpr double kCorrelationTolerance = 1e-10;

/// The first check a matrix fails, in the order: square, unit diagonal, |rho| <= 1, symmetric,
/// positive semi-definite.
struct CorrelationProblem {
  enum class Kind { NotSquare, Diagonal, OutOfRange, NotSymmetric, NotPositiveSemiDefinite };
  Kind kind = Kind::NotSquare;
  std::size_t row = 0, col = 0;  ///< the offending element (for the element checks)
  double value = 0.0;   ///< the element, or the smallest eigenvalue for NotPositiveSemiDefinite
  std::string message;  ///< one line, e.g. "not positive semi-definite (smallest eigenvalue -0.35)"
};

/// Checks that `c` (n*n, row-major) is a correlation matrix. `names` (n names, optional) makes
/// element messages say "BTC/PAXG" instead of "(0, 3)".
std::optional<CorrelationProblem> check_correlation(const std::vector<double>& c, std::size_t n,
                                                    const std::vector<std::string>& names = {});

/// Smallest eigenvalue of a symmetric matrix (n*n, row-major).
double smallest_eigenvalue(const std::vector<double>& c, std::size_t n);

/// A factor L (n*n, row-major) with L*L^T = C for a valid correlation matrix. The Cholesky factor
/// (Eigen LLT, lower-triangular) when C is positive definite; for a singular C (a correlation of
/// exactly +-1, or a rank-deficient block), where LLT breaks down, the symmetric square root
/// V*sqrt(max(lambda, 0))*V^T from the eigen-decomposition, which is full. Throws
/// std::invalid_argument when `c` fails check_correlation (the loader has reported it by then).
std::vector<double> correlation_factor(const std::vector<double>& c, std::size_t n);

/// True when `c` is the identity (no correlation): the factor can be skipped.
bool is_identity(const std::vector<double>& c, std::size_t n);

}  // namespace cascade
