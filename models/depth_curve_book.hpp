#pragma once
// An order book shaped by a measured L2 depth curve instead of the power law (MODEL.md
// section 3, "optional L2 depth-curve input").
//
// The input is what depth snapshots publish: cumulative resting depth in USD within relative
// distances x_1 < x_2 < ... of the mid, per side (e.g. Kaiko's bid_volume0_1 ... bid_volume10).
// Between knots the cumulative depth is interpolated linearly (from (0, 0)), so the displacement
// x(D) is piecewise linear in the depth taken and the fill cost, its integral, is piecewise
// quadratic: fills stay exact and O(log knots), and an order costs the same however it is split,
// as with the power law. The curve is the book at depth scale w = 1 and index F; depth in base
// units within x is w * D(x) / F, so liquidity withdrawal and price moves rescale it as they do
// the power law's Q1. Beyond the last knot there is no depth: the book runs dry at
// min(displacement_cap, x_last) and the rest of an order is reported unfilled.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "models/book_params.hpp"
#include "models/power_law_book.hpp"

namespace cascade {

/// Cumulative depth per side at increasing distances, with the integrals a book needs
/// precomputed. Immutable once built; shared by every path's book.
class DepthCurve {
 public:
  DepthCurve() = default;
  /// distance: strictly increasing fractions in (0, 1); bid_usd, ask_usd: cumulative USD depth
  /// within each distance, strictly increasing and > 0. Throws std::invalid_argument otherwise
  /// (check() first for a message without throwing).
  DepthCurve(std::vector<double> distance, std::vector<double> bid_usd,
             std::vector<double> ask_usd);

  /// The first problem of a would-be curve: (row index, message), or nullopt.
  struct Problem {
    std::size_t row = 0;
    std::string column;  ///< "distance", "bid_depth" or "ask_depth"
    std::string message;
  };
  static std::optional<Problem> check(const std::vector<double>& distance,
                                      const std::vector<double>& bid_usd,
                                      const std::vector<double>& ask_usd);

  std::size_t knots() const noexcept { return x_.size() - 1; }
  const std::vector<double>& distances() const noexcept { return x_; }  ///< with 0 first
  /// side +1: asks (what buys walk through), -1: bids.
  const std::vector<double>& depths(int side) const noexcept { return side > 0 ? ask_ : bid_; }

  double max_distance() const noexcept { return x_.back(); }
  /// Cumulative depth within distance x, USD (the last knot's depth beyond it).
  double depth_within(int side, double x) const noexcept;
  /// Distance reached after taking d USD of depth (x_last beyond the last knot).
  double distance_at(int side, double d_usd) const noexcept;
  /// Integral of the distance over the depth taken, int_0^d x(D') dD', USD (fraction * USD).
  double integral(int side, double d_usd) const noexcept;

 private:
  std::vector<double> x_;            ///< 0, x_1, ..., x_n
  std::vector<double> bid_, ask_;    ///< 0, D_1, ..., D_n, USD
  std::vector<double> hbid_, hask_;  ///< integrals at the knots
};

/// The book of one asset with depth from a DepthCurve; the same interface as PowerLawBook
/// (`BookFill`, set_fundamental, set_depth_scale, decay, execute), so the engine can use either
/// through ImpactModel. Uses tau_refill_s and displacement_cap of BookParams; depth_1pct and
/// beta are replaced by the curve.
class DepthCurveBook {
 public:
  /// `curve` must outlive the book (it lives in the frozen Scenario).
  DepthCurveBook(const BookParams& params, const DepthCurve& curve, double fundamental_usd);

  const BookParams& params() const noexcept { return params_; }
  const DepthCurve& curve() const noexcept { return *curve_; }
  double fundamental() const noexcept { return f_; }  ///< F, USD
  double imbalance() const noexcept { return i_; }    ///< I, base units
  double depth_scale() const noexcept { return w_; }  ///< w, fraction

  void set_fundamental(double f_usd) noexcept { f_ = f_usd; }
  void set_depth_scale(double w) noexcept { w_ = w; }
  void set_imbalance(double i) noexcept { i_ = i; }
  void decay(double dt_s) noexcept;

  /// Unsigned displacement of an imbalance, fraction of F.
  double displacement(double imbalance) const noexcept;
  /// G(u) = int_0^|u| x(v) dv on u's side, base units (fraction * base units).
  double impact_integral(double u) const noexcept;
  double mid() const noexcept { return mid_at(i_); }
  double mid_at(double imbalance) const noexcept;
  /// The imbalance whose mid is `mid_usd` (clamped to the curve's depth).
  double imbalance_for_mid(double mid_usd) const noexcept;
  /// Largest |I| on a side (+1 buys, -1 sells) before the mid passes min(cap, x_last).
  double max_imbalance(int side) const noexcept;
  /// Where the book runs dry on a side: min(displacement_cap, x_last).
  double cap_distance() const noexcept;

  double vwap(double imbalance, double q) const noexcept;
  /// Executes a market order, clipped at the cap (models/capped_book.hpp).
  BookFill execute(double q) noexcept { return execute_capped(*this, q); }
  /// Clips the imbalance into the cap band (after F or w moved); returns the clipped part.
  double clip_to_cap() noexcept { return cascade::clip_to_cap(*this); }

 private:
  double base_per_usd() const noexcept { return w_ / f_; }

  BookParams params_;
  const DepthCurve* curve_;
  double f_ = 0.0;
  double i_ = 0.0;
  double w_ = 1.0;
};

}  // namespace cascade
