#include "models/inverse_margin.hpp"

namespace cascade {

double BinanceCoinM::bankruptcy_price(const InversePosition& p) noexcept {
  const double d = p.face_usd() / p.entry + p.side * p.margin;
  return d > 0.0 ? p.face_usd() / d : kNever;
}

double BinanceCoinM::liquidation_price(const InversePosition& p) const noexcept {
  // g(u) = equity - MM as a function of u = 1/P: m + s*nc/E - s*nc*u - (nc*u*mmr - cum); linear
  // per bracket, continuous, decreasing in u for longs and increasing for shorts.
  const double nc = p.face_usd();
  const auto g = [&](double u) {
    return p.margin + p.side * nc * (1.0 / p.entry - u) - tiers_->maintenance_margin(nc * u);
  };
  const auto& rows = tiers_->rows();
  std::size_t j = 0;  // the last bracket whose floor the root's coin value reaches
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const double gi = g(rows[i].floor_usd / nc);
    if (p.side > 0 ? gi >= 0.0 : gi <= 0.0) j = i;
    else break;
  }
  const Tier& t = rows[j];
  const double u = (p.margin + t.cum_usd + p.side * nc / p.entry) / (nc * (p.side + t.mmr));
  return u > 0.0 ? 1.0 / u : kNever;
}

double BybitInverse::bankruptcy_price(const InversePosition& p) const noexcept {
  const double d = p.face_usd() / p.entry + p.side * p.margin;
  return d > 0.0 ? p.face_usd() * (1.0 + p.side * fee_) / d : kNever;
}

double BybitInverse::liquidation_price(const InversePosition& p) const noexcept {
  const double nc = p.face_usd();
  const double bp = bankruptcy_price(p);
  const double close_fee = std::isnan(bp) ? 0.0 : nc * fee_ / bp;
  const double u = 1.0 / p.entry + p.side * (p.margin - nc / p.entry * mmr_ - close_fee) / nc;
  return u > 0.0 && !std::isnan(bp) ? 1.0 / u : kNever;
}

}  // namespace cascade
