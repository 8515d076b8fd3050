#pragma once
// The order book of one asset as the engine sees it: a PowerLawBook (MODEL.md section 3, exact)
// or a DepthCurveBook (a measured L2 depth curve). Both have the same shape of interface, and
// the engine calls it per asset per round, never per position, so a std::variant with
// std::visit costs nothing that matters and keeps both books plain values (no virtual calls,
// no heap).
//
// It also owns the one rule that involves both the book and the index: how much of the book's
// impact leaks into the index (leak_to_index), so that marks based on the index and marks based
// on the book differ in a cascade by a controlled amount.
#include <cmath>
#include <utility>
#include <variant>

#include "models/book_params.hpp"
#include "models/depth_curve_book.hpp"
#include "models/power_law_book.hpp"

namespace cascade {

class ImpactModel {
  using Book = std::variant<PowerLawBook, DepthCurveBook>;

  template <class F>
  double visit(F&& f) const noexcept {
    return std::visit(std::forward<F>(f), book_);
  }
  template <class F>
  BookFill visit_fill(F&& f) const noexcept {
    return std::visit(std::forward<F>(f), book_);
  }

 public:
  /// The power law of `params`; with a `curve` (non-null, outliving the model) the curve's
  /// depth instead (depth_1pct and beta unused).
  ImpactModel(const BookParams& params, const DepthCurve* curve, double fundamental_usd)
      : book_(curve ? Book(DepthCurveBook(params, *curve, fundamental_usd))
                    : Book(PowerLawBook(params, fundamental_usd))) {}
  explicit ImpactModel(PowerLawBook book) : book_(std::move(book)) {}
  explicit ImpactModel(DepthCurveBook book) : book_(std::move(book)) {}

  bool is_depth_curve() const noexcept { return std::holds_alternative<DepthCurveBook>(book_); }
  const PowerLawBook* power_law() const noexcept { return std::get_if<PowerLawBook>(&book_); }
  const DepthCurveBook* depth_curve() const noexcept { return std::get_if<DepthCurveBook>(&book_); }

  double fundamental() const noexcept {
    return visit([](const auto& b) { return b.fundamental(); });
  }
  double imbalance() const noexcept {
    return visit([](const auto& b) { return b.imbalance(); });
  }
  double depth_scale() const noexcept {
    return visit([](const auto& b) { return b.depth_scale(); });
  }
  double mid() const noexcept {
    return visit([](const auto& b) { return b.mid(); });
  }
  /// Where the book runs dry, a fraction of F (models/capped_book.hpp).
  double cap_distance() const noexcept {
    return visit([](const auto& b) { return b.cap_distance(); });
  }
  double mid_at(double i) const noexcept {
    return visit([i](const auto& b) { return b.mid_at(i); });
  }
  double imbalance_for_mid(double m) const noexcept {
    return visit([m](const auto& b) { return b.imbalance_for_mid(m); });
  }

  void set_fundamental(double f_usd) noexcept {
    std::visit([f_usd](auto& b) { b.set_fundamental(f_usd); }, book_);
  }
  void set_depth_scale(double w) noexcept {
    std::visit([w](auto& b) { b.set_depth_scale(w); }, book_);
  }
  void set_imbalance(double i) noexcept {
    std::visit([i](auto& b) { b.set_imbalance(i); }, book_);
  }
  void decay(double dt_s) noexcept {
    std::visit([dt_s](auto& b) { b.decay(dt_s); }, book_);
  }
  BookFill execute(double q) noexcept {
    return std::visit([q](auto& b) { return b.execute(q); }, book_);
  }
  /// The fill of q without executing it (models/capped_book.hpp).
  BookFill preview(double q) const noexcept {
    return visit_fill([q](const auto& b) { return preview_capped(b, q); });
  }
  /// The cap bounds the state (models/capped_book.hpp): clips the imbalance after F or w moved;
  /// returns the base quantity the liquidity providers took at the cap price.
  double clip_to_cap() noexcept {
    return std::visit([](auto& b) { return b.clip_to_cap(); }, book_);
  }

  /// Index/perp coupling: after the book's mid has moved from `mid_before_usd` to mid(), the
  /// index follows by the fraction `coupling` of that log-move,
  ///   F <- F * (mid / mid_before)^coupling,
  /// while the mid stays where the trade left it (the book's imbalance is re-expressed against
  /// the new F). So a fraction `coupling` of the impact becomes permanent (the book refills
  /// towards the moved index) and 1 - coupling stays transient; coupling 0 leaves the index
  /// alone (the exact model). Marks and wealth are unchanged by the call itself.
  void leak_to_index(double mid_before_usd, double coupling) noexcept {
    const double m = mid();
    if (coupling == 0.0 || m == mid_before_usd) return;
    set_fundamental(fundamental() * std::pow(m / mid_before_usd, coupling));
    set_imbalance(imbalance_for_mid(m));
  }

 private:
  Book book_;
};

}  // namespace cascade
