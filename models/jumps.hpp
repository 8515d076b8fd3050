#pragma once
// Compound-Poisson jumps of the log price (MODEL.md section 2: J).
//
// In each step the number of jumps is Poisson with mean rate_per_step, and each jump adds an
// independent normal log-return N(mean_log, sd_log^2); the step's jump J is their sum (0 when no
// jump arrives). Whether a group of assets shares one J (a sector-wide event: all AI tokens jump
// together) or each asset draws its own is decided by the caller, which owns the random stream;
// this component only says how one J is drawn, so the draw order stays visible in one place
// (sim/engine/price_process.cpp). Boost.Random distributions: identical on every standard library.
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>

namespace cascade {

struct JumpParams {
  double rate_per_step = 0.0;  ///< expected jumps per step, >= 0
  double mean_log = 0.0;       ///< mean log-return of one jump (-0.08 is a fall of 7.7 %)
  double sd_log = 0.0;         ///< sd of one jump's log-return, >= 0
};

class CompoundPoissonJumps {
 public:
  explicit CompoundPoissonJumps(const JumpParams& p)
      : p_(p), count_(p.rate_per_step > 0.0 ? p.rate_per_step : 1.0), size_(p.mean_log, p.sd_log) {}

  const JumpParams& params() const noexcept { return p_; }

  /// The step's total jump log-return. Draws one Poisson count, then one normal per jump; a
  /// rate of 0 draws nothing and returns 0.
  template <class Engine>
  double draw(Engine& rng) {
    if (p_.rate_per_step <= 0.0) return 0.0;
    const int n = count_(rng);
    double j = 0.0;
    for (int i = 0; i < n; ++i) j += size_(rng);
    return j;
  }

 private:
  JumpParams p_;
  boost::random::poisson_distribution<int, double> count_;
  boost::random::normal_distribution<double> size_;
};

}  // namespace cascade
