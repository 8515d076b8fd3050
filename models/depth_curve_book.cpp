#include "models/depth_curve_book.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

namespace cascade {

namespace {

/// Index j of the segment [k[j], k[j+1]] holding v (k strictly increasing, k[0] = 0 <= v <
/// k.back()); never past the last segment, whatever v (a NaN compares false with every knot).
std::size_t segment(const std::vector<double>& k, double v) noexcept {
  const auto it = std::upper_bound(k.begin(), k.end(), v);
  const auto j = static_cast<std::size_t>(std::distance(k.begin(), it));
  return std::clamp<std::size_t>(j, 1, k.size() - 1) - 1;
}

std::vector<double> with_zero(std::vector<double> v) {
  v.insert(v.begin(), 0.0);
  return v;
}

/// Integrals of x over D at the knots (trapezoids: x is linear in D on each segment).
std::vector<double> integrals(const std::vector<double>& x, const std::vector<double>& d) {
  std::vector<double> h(x.size(), 0.0);
  for (std::size_t j = 1; j < x.size(); ++j)
    h[j] = h[j - 1] + 0.5 * (x[j - 1] + x[j]) * (d[j] - d[j - 1]);
  return h;
}

}  // namespace

std::optional<DepthCurve::Problem> DepthCurve::check(const std::vector<double>& distance,
                                                     const std::vector<double>& bid_usd,
                                                     const std::vector<double>& ask_usd) {
  if (distance.empty()) return Problem{0, "distance", "a depth curve needs at least one row"};
  if (bid_usd.size() != distance.size() || ask_usd.size() != distance.size())
    return Problem{0, "distance", "distance, bid_depth and ask_depth differ in length"};
  for (std::size_t j = 0; j < distance.size(); ++j) {
    const double x = distance[j];
    if (!(x > 0.0 && x < 1.0))
      return Problem{j, "distance", "expected a distance in (0, 1) (a fraction of the mid)"};
    if (j > 0 && !(x > distance[j - 1]))
      return Problem{j, "distance", "distances must be strictly increasing"};
    for (const auto* col : {&bid_usd, &ask_usd}) {
      const double d = (*col)[j];
      const char* name = col == &bid_usd ? "bid_depth" : "ask_depth";
      if (!(d > (j > 0 ? (*col)[j - 1] : 0.0)) || !std::isfinite(d))
        return Problem{j, name,
                       j == 0 ? "expected a cumulative depth > 0 (USD)"
                              : "cumulative depth must increase with distance (a flat stretch is a "
                                "price gap: drop the row or give a small increase)"};
    }
  }
  return std::nullopt;
}

DepthCurve::DepthCurve(std::vector<double> distance, std::vector<double> bid_usd,
                       std::vector<double> ask_usd) {
  if (const auto p = check(distance, bid_usd, ask_usd))
    throw std::invalid_argument("DepthCurve: row " + std::to_string(p->row) + ", " + p->column +
                                ": " + p->message);
  x_ = with_zero(std::move(distance));
  bid_ = with_zero(std::move(bid_usd));
  ask_ = with_zero(std::move(ask_usd));
  hbid_ = integrals(x_, bid_);
  hask_ = integrals(x_, ask_);
}

double DepthCurve::depth_within(int side, double x) const noexcept {
  const std::vector<double>& d = depths(side);
  if (std::isnan(x)) return x;  // a NaN imbalance stays NaN (the run refuses it), read nothing
  if (x >= x_.back()) return d.back();
  if (x <= 0.0) return 0.0;
  const std::size_t j = segment(x_, x);
  return d[j] + (d[j + 1] - d[j]) * (x - x_[j]) / (x_[j + 1] - x_[j]);
}

double DepthCurve::distance_at(int side, double d_usd) const noexcept {
  const std::vector<double>& d = depths(side);
  if (std::isnan(d_usd)) return d_usd;
  if (d_usd >= d.back()) return x_.back();
  if (d_usd <= 0.0) return 0.0;
  const std::size_t j = segment(d, d_usd);
  return x_[j] + (x_[j + 1] - x_[j]) * (d_usd - d[j]) / (d[j + 1] - d[j]);
}

double DepthCurve::integral(int side, double d_usd) const noexcept {
  const std::vector<double>& d = depths(side);
  const std::vector<double>& h = side > 0 ? hask_ : hbid_;
  if (std::isnan(d_usd)) return d_usd;
  if (d_usd <= 0.0) return 0.0;
  if (d_usd >= d.back()) return h.back() + x_.back() * (d_usd - d.back());
  const std::size_t j = segment(d, d_usd);
  return h[j] + 0.5 * (x_[j] + distance_at(side, d_usd)) * (d_usd - d[j]);
}

// ---- DepthCurveBook ------------------------------------------------------------------------

DepthCurveBook::DepthCurveBook(const BookParams& params, const DepthCurve& curve,
                               double fundamental_usd)
    : params_(params), curve_(&curve), f_(fundamental_usd) {}

void DepthCurveBook::decay(double dt_s) noexcept { i_ *= std::exp(-dt_s / params_.tau_refill_s); }

double DepthCurveBook::displacement(double imbalance) const noexcept {
  return curve_->distance_at(imbalance >= 0.0 ? 1 : -1, std::abs(imbalance) / base_per_usd());
}

double DepthCurveBook::impact_integral(double u) const noexcept {
  return base_per_usd() * curve_->integral(u >= 0.0 ? 1 : -1, std::abs(u) / base_per_usd());
}

double DepthCurveBook::mid_at(double imbalance) const noexcept {
  if (imbalance == 0.0) return f_;
  const double sign = imbalance > 0.0 ? 1.0 : -1.0;
  return f_ * (1.0 + sign * displacement(imbalance));
}

double DepthCurveBook::imbalance_for_mid(double mid_usd) const noexcept {
  const double x = mid_usd / f_ - 1.0;
  if (x == 0.0) return 0.0;
  const int side = x > 0.0 ? 1 : -1;
  return side * base_per_usd() * curve_->depth_within(side, std::abs(x));
}

double DepthCurveBook::cap_distance() const noexcept {
  return std::min(params_.displacement_cap, curve_->max_distance());
}

double DepthCurveBook::max_imbalance(int side) const noexcept {
  return base_per_usd() * curve_->depth_within(side, cap_distance());
}

double DepthCurveBook::vwap(double imbalance, double q) const noexcept {
  return f_ * (1.0 + (impact_integral(imbalance + q) - impact_integral(imbalance)) / q);
}

}  // namespace cascade
