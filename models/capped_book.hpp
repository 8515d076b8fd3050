#pragma once
// The displacement cap of MODEL.md section 3, written once for every book shape.
//
// A book (PowerLawBook, DepthCurveBook) runs dry where its mid would pass F*(1 +- cap): an order
// fills only up to there, at the VWAP of what the book actually filled, and the rest is
// unfilled (the engine keeps an unfilled liquidation open and offers it again as the book
// refills). The cap also bounds the book's *state*: when the index F or the depth scale w moves
// under a displaced book, the same imbalance can mean a displacement beyond the cap (thinner
// depth, or fewer base units per USD), so the engine clips the imbalance back to the band before
// anything trades: the clipped part is taken by the liquidity providers at the cap price (an
// internal transfer of the counterparty ledger: no trader's wealth moves), and the mid stays
// inside [F*(1 - cap), F*(1 + cap)], finite and positive (cap < 1).
//
// A Book provides: mid(), mid_at(i), imbalance(), set_imbalance(i), fundamental(), cap_distance()
// (the relative distance where it runs dry), max_imbalance(side) (the |I| at that distance on a
// side, +1 buys / -1 sells) and vwap(I, q).
#include <algorithm>
#include <cmath>

namespace cascade {

struct BookFill {
  double requested = 0.0;  ///< signed base quantity asked for (buys positive)
  double filled = 0.0;     ///< signed base quantity executed (|filled| <= |requested|)
  double vwap = 0.0;  ///< USD per base unit of the filled part (mid_before when nothing filled)
  double mid_before = 0.0;  ///< USD
  double mid_after = 0.0;   ///< USD
  double cap_price = 0.0;   ///< F*(1 +- cap) on the order's side: the price the book ran dry at
  bool capped() const noexcept { return filled != requested; }
  /// filled / requested, in [0, 1] (1 for an empty order).
  double filled_fraction() const noexcept { return requested == 0.0 ? 1.0 : filled / requested; }
};

/// Room left on the order's side before the cap, base units (>= 0). An imbalance within a
/// relative 1e-12 of the limit (where a previous capped fill left it, up to rounding) has none.
template <class Book>
double room_to_cap(const Book& book, int side) noexcept {
  const double limit = book.max_imbalance(side);
  const double room = limit - side * book.imbalance();
  return room > 1e-12 * limit ? room : 0.0;
}

/// What a market order of signed base quantity q would fill, clipped at the cap, without
/// executing it (the engine decides auto-deleveraging from this tentative fill).
template <class Book>
BookFill preview_capped(const Book& book, double q) noexcept {
  BookFill fill;
  fill.requested = q;
  fill.mid_before = book.mid();
  const int side = q >= 0.0 ? 1 : -1;
  fill.cap_price = book.fundamental() * (1.0 + side * book.cap_distance());
  if (q == 0.0) {
    fill.vwap = fill.mid_after = fill.mid_before;
    return fill;
  }
  const double room = room_to_cap(book, side);
  const bool capped = side * q > room;
  fill.filled = capped ? side * room : q;
  fill.vwap = fill.filled != 0.0 ? book.vwap(book.imbalance(), fill.filled) : fill.mid_before;
  // A capped fill leaves the book exactly at its limit (not an ulp beyond it).
  const double after = capped ? side * book.max_imbalance(side) : book.imbalance() + fill.filled;
  fill.mid_after = book.mid_at(after);
  return fill;
}

/// Executes a market order of signed base quantity q, clipped at the cap.
template <class Book>
BookFill execute_capped(Book& book, double q) noexcept {
  const BookFill fill = preview_capped(book, q);
  if (q == 0.0) return fill;
  const int side = q >= 0.0 ? 1 : -1;
  book.set_imbalance(fill.capped() ? side * book.max_imbalance(side)
                                   : book.imbalance() + fill.filled);
  return fill;
}

/// Clips the imbalance into the cap band after F or w moved; returns the base quantity the
/// liquidity providers took at the cap price (signed like the imbalance; 0 when inside).
template <class Book>
double clip_to_cap(Book& book) noexcept {
  const double i = book.imbalance();
  if (i == 0.0) return 0.0;
  const int side = i > 0.0 ? 1 : -1;
  const double limit = book.max_imbalance(side);
  if (side * i <= limit) return 0.0;
  book.set_imbalance(side * limit);
  return i - side * limit;
}

}  // namespace cascade
