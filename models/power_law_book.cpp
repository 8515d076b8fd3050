#include "models/power_law_book.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {

PowerLawBook::PowerLawBook(const BookParams& params, double fundamental_usd) : params_(params) {
  set_fundamental(fundamental_usd);
}

void PowerLawBook::set_fundamental(double f_usd) noexcept {
  f_ = f_usd;
  q1_ = w_ * params_.depth_1pct_usd / f_;
}

void PowerLawBook::set_depth_scale(double w) noexcept {
  w_ = w;
  q1_ = w_ * params_.depth_1pct_usd / f_;
}

void PowerLawBook::decay(double dt_s) noexcept {
  if (dt_s != decay_dt_) {  // the engine decays by the same dt every step: one exp per book
    decay_dt_ = dt_s;
    decay_factor_ = std::exp(-dt_s / params_.tau_refill_s);
  }
  i_ *= decay_factor_;
}

// beta = 2 (the square-root law, the common case) takes sqrt instead of pow: the same values
// to the last bit or one ulp, at a fraction of the cost (these run several times per round).
double PowerLawBook::displacement(double imbalance) const noexcept {
  const double u = std::abs(imbalance) / q1_;
  return 0.01 * (params_.beta == 2.0 ? std::sqrt(u) : std::pow(u, 1.0 / params_.beta));
}

double PowerLawBook::impact_integral(double u) const noexcept {
  const double b = params_.beta;
  const double r = std::abs(u) / q1_;
  return 0.01 * q1_ * b / (b + 1.0) * (b == 2.0 ? r * std::sqrt(r) : std::pow(r, (b + 1.0) / b));
}

double PowerLawBook::mid_at(double imbalance) const noexcept {
  if (imbalance == 0.0) return f_;
  const double sign = imbalance > 0.0 ? 1.0 : -1.0;
  return f_ * (1.0 + sign * displacement(imbalance));
}

double PowerLawBook::max_imbalance(int /*side*/) const noexcept {
  return q1_ * std::pow(params_.displacement_cap / 0.01, params_.beta);
}

double PowerLawBook::imbalance_for_mid(double mid_usd) const noexcept {
  const double x = mid_usd / f_ - 1.0;
  if (x == 0.0) return 0.0;
  return (x > 0.0 ? 1.0 : -1.0) * q1_ * std::pow(std::abs(x) / 0.01, params_.beta);
}

double PowerLawBook::vwap(double imbalance, double q) const noexcept {
  return f_ * (1.0 + (impact_integral(imbalance + q) - impact_integral(imbalance)) / q);
}

}  // namespace cascade
