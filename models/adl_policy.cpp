#include "models/adl_policy.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace cascade {

namespace {

constexpr std::array<std::string_view, 3> kNames = {"queue", "pro_rata", "leverage_drain"};

/// Equity above the rounding of its notional: a finite effective leverage.
bool has_equity(const AdlCandidate& x) { return x.equity > 1e-9 * x.size * x.mark; }

double total_capacity(std::span<const AdlCandidate> c) {
  double t = 0.0;
  for (const auto& x : c) t += x.capacity;
  return t;
}

/// Water-filling: the allocation y(level) per candidate is continuous and monotone in `level`
/// (decreasing for leverage_drain, increasing for pro_rata); find the level whose total is the
/// demand by bisection, to the last representable step.
template <class Give>
std::vector<double> water_fill(std::span<const AdlCandidate> c, double demand, double lo, double hi,
                               bool increasing, Give&& give) {
  const auto total = [&](double level) {
    double t = 0.0;
    for (const auto& x : c) t += give(x, level);
    return t;
  };
  for (int i = 0; i < 200 && lo < hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if ((total(mid) < demand) == increasing) lo = mid;
    else hi = mid;
  }
  // The side of the bracket that does not give more than the demand, then the rounding rest (a
  // few ulps) to those already giving who still have room, in order: nobody the level leaves out
  // gets a dust fill.
  const double level = increasing ? lo : hi;
  std::vector<double> y(c.size());
  double given = 0.0;
  for (std::size_t j = 0; j < c.size(); ++j) {
    y[j] = give(c[j], level);
    if (y[j] <= 1e-9 * c[j].size) y[j] = 0.0;  // at the level up to rounding: gives nothing
    given += y[j];
  }
  for (std::size_t j = 0; j < c.size() && given < demand; ++j) {
    const double more = std::min(c[j].capacity - y[j], demand - given);
    if (y[j] > 0.0 && more > 0.0) {
      y[j] += more;
      given += more;
    }
  }
  return y;
}

}  // namespace

std::optional<AdlPolicy> adl_policy_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<AdlPolicy>(i);
  return std::nullopt;
}

std::string_view adl_policy_name(AdlPolicy p) noexcept { return kNames[static_cast<std::size_t>(p)]; }

std::vector<double> allocate_adl(AdlPolicy policy, std::span<const AdlCandidate> c, double demand) {
  std::vector<double> y(c.size(), 0.0);
  if (!(demand > 0.0) || c.empty()) return y;
  if (demand >= total_capacity(c)) {  // everyone gives all they can
    for (std::size_t j = 0; j < c.size(); ++j) y[j] = c[j].capacity;
    return y;
  }
  switch (policy) {
    case AdlPolicy::Queue: {
      double left = demand;
      for (std::size_t j = 0; j < c.size() && left > 0.0; ++j) {
        y[j] = std::min(left, c[j].capacity);
        if (y[j] <= 1e-9 * c[j].size) y[j] = 0.0;  // a rounding rest of the demand: nothing
        left -= y[j];
      }
      return y;
    }
    case AdlPolicy::ProRata:
      // The same fraction f of every size, capped by capacity: min(f*size, capacity).
      return water_fill(c, demand, 0.0, 1.0, true, [](const AdlCandidate& x, double f) {
        return std::min(f * x.size, x.capacity);
      });
    case AdlPolicy::LeverageDrain:
    default: {
      // A candidate with no equity left at the mark, up to rounding (it can still take the price),
      // is infinitely levered: those give first, all they can; if they can cover the demand, each gives the
      // same share of its capacity.
      double unlevered_capacity = 0.0;
      for (const auto& x : c)
        if (!has_equity(x)) unlevered_capacity += x.capacity;
      if (unlevered_capacity > 0.0) {
        const double f = std::min(1.0, demand / unlevered_capacity);
        double given = 0.0;
        for (std::size_t j = 0; j < c.size(); ++j)
          if (!has_equity(c[j])) given += y[j] = f * c[j].capacity;
        if (f >= 1.0 && demand - given > 0.0) {
          std::vector<AdlCandidate> finite;
          std::vector<std::size_t> at;
          for (std::size_t j = 0; j < c.size(); ++j)
            if (has_equity(c[j])) {
              finite.push_back(c[j]);
              at.push_back(j);
            }
          const std::vector<double> rest = allocate_adl(policy, finite, demand - given);
          for (std::size_t m = 0; m < at.size(); ++m) y[at[m]] = rest[m];
        }
        return y;
      }
      // Bring every candidate's effective leverage down to the level L if above it:
      // (size - y)*mark = L*equity, y = size - L*equity/mark; none below L. The largest leverage
      // left is then L, the smallest level the demand allows.
      double top = 0.0;
      for (const auto& x : c) top = std::max(top, x.leverage_after(0.0));
      return water_fill(c, demand, 0.0, top, false, [](const AdlCandidate& x, double level) {
        return std::clamp(x.size - level * x.equity / x.mark, 0.0, x.capacity);
      });
    }
  }
}

}  // namespace cascade
