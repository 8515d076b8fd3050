#pragma once
// Parameters of a power-law order book (MODEL.md section 3).

namespace cascade {

struct BookParams {
  double depth_1pct_usd = 1.0e6;   ///< resting depth within 1 % of mid, USD per side
  double beta = 2.0;               ///< shape: cumulative depth within x grows as x^beta
  double tau_refill_s = 600.0;     ///< imbalance decay time constant, s
  double eta = 0.0;                ///< liquidity withdrawal elasticity (0 = off)
  double vol_base_annual = 0.8;    ///< realised vol at which w = 1, per sqrt(year)
  double vol_halflife_s = 3600.0;  ///< half-life of the realised-vol EWMA, s
  double w_min = 0.1;              ///< floor of the depth scale w
  double displacement_cap = 0.95;  ///< max |M/F - 1|; beyond it the book has run dry
};

}  // namespace cascade
