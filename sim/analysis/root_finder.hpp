#pragma once
// The bracketing root finder of `cascade solve` (docs/analysis.md, "Solving for a value").
//
// It finds where f(x) = quantile(x) - target changes sign inside [lo, hi]: the boundary between
// the x with f(x) > 0 (the quantile above the target) and the x with f(x) <= 0. Over a finite set
// of paths the quantile is a step function of x (each path's outcome jumps as positions cross
// their liquidation prices), so there is no exact root to converge on: the search keeps a
// bracket [x_above, x_within] and narrows it until it is at most `tolerance` wide, then answers
// x_within, the end that meets the target, with the bracket (the crossing lies inside it).
//
// Steps are Illinois' modified regula falsi (fast where the quantile is nearly continuous in x,
// as with many paths); when two such steps together do not halve the bracket, a bisection step
// follows, so the bracket at least halves every three evaluations: at most
// 2 + 3 ceil(log2((hi - lo) / tolerance)) evaluations, fewer where the curve is smooth.
#include <functional>
#include <stdexcept>
#include <vector>

namespace cascade {

struct RootSearch {
  double lo = 0.0, hi = 1.0;
  double tolerance = 0.0;  ///< stop when the bracket is at most this wide (> 0)
  int max_evaluations = 40;
};

struct RootEvaluation {
  double x = 0.0, f = 0.0;
};

struct RootResult {
  double value = 0.0;                       ///< the bracket end with f <= 0
  double within = 0.0, above = 0.0;         ///< the bracket: f(within) <= 0 < f(above)
  bool converged = false;                   ///< the bracket is at most `tolerance` wide
  std::vector<RootEvaluation> evaluations;  ///< in the order made
};

/// f(lo) and f(hi) are both above 0 or both at most 0: no crossing in the range.
struct NotBracketed : std::runtime_error {
  NotBracketed(double f_lo_, double f_hi_)
      : std::runtime_error("the target is not bracketed"), f_lo(f_lo_), f_hi(f_hi_) {}
  double f_lo, f_hi;
};

/// Throws NotBracketed; std::invalid_argument for lo >= hi or tolerance <= 0.
RootResult find_crossing(const std::function<double(double)>& f, const RootSearch& search);

}  // namespace cascade
