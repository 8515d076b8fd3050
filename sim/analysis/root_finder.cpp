#include "sim/analysis/root_finder.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

namespace {
double hi_minus_lo(double a, double b) { return std::fabs(b - a); }
}  // namespace

RootResult find_crossing(const std::function<double(double)>& f, const RootSearch& search) {
  if (!(search.lo < search.hi)) throw std::invalid_argument("the range needs lo < hi");
  if (!(search.tolerance > 0.0)) throw std::invalid_argument("the tolerance must be positive");
  RootResult out;
  const auto eval = [&](double x) {
    const double y = f(x);
    out.evaluations.push_back({x, y});
    return y;
  };
  const double f_lo = eval(search.lo), f_hi = eval(search.hi);
  if ((f_lo > 0.0) == (f_hi > 0.0)) throw NotBracketed(f_lo, f_hi);
  // a: the end above the target, b: the end within it; fa, fb: the values interpolated with
  // (Illinois halves the value of an end kept twice in a row).
  double a = f_lo > 0.0 ? search.lo : search.hi, fa = f_lo > 0.0 ? f_lo : f_hi;
  double b = f_lo > 0.0 ? search.hi : search.lo, fb = f_lo > 0.0 ? f_hi : f_lo;
  int kept = 0;  // +1: a was kept last step, -1: b was kept
  bool bisect = false;
  int secant_steps = 0;                    // since the last bisection
  double cycle_width = hi_minus_lo(a, b);  // the width when they started
  while (std::fabs(b - a) > search.tolerance &&
         static_cast<int>(out.evaluations.size()) < search.max_evaluations) {
    const double width = std::fabs(b - a), low = std::min(a, b), high = std::max(a, b);
    double x = 0.5 * (a + b);
    if (!bisect && fa != fb) {
      const double secant = (a * fb - b * fa) / (fb - fa);
      // Too close to an end to make progress: bisect instead.
      if (secant > low + 0.01 * width && secant < high - 0.01 * width) x = secant;
    }
    const bool was_bisection = x == 0.5 * (a + b);
    const double fx = eval(x);
    if (fx > 0.0) {
      a = x;
      fa = fx;
      if (kept == -1) fb *= 0.5;
      kept = -1;
    } else {
      b = x;
      fb = fx;
      if (kept == +1) fa *= 0.5;
      kept = +1;
    }
    // Two secant steps that did not halve the bracket together: bisect next.
    if (was_bisection) {
      secant_steps = 0;
      cycle_width = std::fabs(b - a);
    } else if (++secant_steps == 2) {
      bisect = std::fabs(b - a) > 0.5 * cycle_width;
      secant_steps = 0;
      cycle_width = std::fabs(b - a);
    } else {
      bisect = false;
    }
  }
  out.value = out.within = b;
  out.above = a;
  out.converged = std::fabs(b - a) <= search.tolerance;
  return out;
}

}  // namespace cascade
