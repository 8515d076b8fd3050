#pragma once
// A power-law limit-order book: price impact and VWAP fills in closed form (MODEL.md section 3).
//
// The book is not a list of orders: it is the depth profile of liquidity providers around the
// fundamental price F, summarised by the signed imbalance I (base units; buys positive) that
// market orders have pushed through it. Cumulative depth within relative distance x is
// Q1*(x/0.01)^beta, so the displacement of an imbalance is x(I) = 0.01*(|I|/Q1)^(1/beta) and a
// fill's cost is the integral G of the signed displacement: fills are exact, O(1) and
// independent of how an order is split. Depth refills exponentially (tau_refill) and scales
// with w (liquidity withdrawal), both set by the engine.
#include "models/book_params.hpp"
#include "models/capped_book.hpp"

namespace cascade {

class PowerLawBook {
 public:
  explicit PowerLawBook(const BookParams& params, double fundamental_usd);

  const BookParams& params() const noexcept { return params_; }
  double fundamental() const noexcept { return f_; }    ///< F, USD
  double imbalance() const noexcept { return i_; }      ///< I, base units
  double depth_scale() const noexcept { return w_; }    ///< w, fraction
  double q1() const noexcept { return q1_; }            ///< base units within 1 % of F

  void set_fundamental(double f_usd) noexcept;  ///< also recomputes Q1
  void set_depth_scale(double w) noexcept;      ///< also recomputes Q1
  void set_imbalance(double i) noexcept { i_ = i; }
  /// Book refill over dt: I <- I*exp(-dt/tau_refill).
  void decay(double dt_s) noexcept;

  /// x(I) = 0.01*(|I|/Q1)^(1/beta), unsigned fraction.
  double displacement(double imbalance) const noexcept;
  /// G(u) = 0.01*Q1*beta/(beta+1)*(|u|/Q1)^((beta+1)/beta), base units (even in u).
  double impact_integral(double u) const noexcept;
  /// M = F*(1 + sign(I)*x(I)), USD.
  double mid() const noexcept { return mid_at(i_); }
  double mid_at(double imbalance) const noexcept;
  /// Largest |I| the displacement cap allows: Q1*(cap/0.01)^beta (the same on both sides).
  double max_imbalance(int side = 1) const noexcept;
  /// Where the book runs dry: the displacement cap.
  double cap_distance() const noexcept { return params_.displacement_cap; }
  /// The imbalance whose mid is `mid_usd`: sign(M/F - 1)*Q1*(|M/F - 1|/0.01)^beta.
  double imbalance_for_mid(double mid_usd) const noexcept;

  /// VWAP of a market order q executed from imbalance I, without executing it (q != 0).
  double vwap(double imbalance, double q) const noexcept;
  /// Executes a market order of signed base quantity q (clipped at the displacement cap:
  /// models/capped_book.hpp).
  BookFill execute(double q) noexcept { return execute_capped(*this, q); }
  /// Clips the imbalance into the cap band (after F or w moved); returns the clipped part.
  double clip_to_cap() noexcept { return cascade::clip_to_cap(*this); }

 private:
  BookParams params_;
  double f_ = 0.0;
  double i_ = 0.0;
  double w_ = 1.0;
  double q1_ = 0.0;
  double decay_dt_ = -1.0;    ///< dt of the cached decay factor, s
  double decay_factor_ = 1.0; ///< exp(-decay_dt/tau_refill)
};

}  // namespace cascade
