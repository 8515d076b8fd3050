#pragma once
// Exogenous fundamental (index) prices of one path (MODEL.md section 2).
//
// The engine asks for F of every asset at each step; how F moves (a replay, or a drift and
// volatility process with scheduled shocks) is decided here, so richer dynamics (correlation,
// fat tails, GARCH, jumps, regimes) extend this component without touching the step loop.
#include <cstdint>
#include <vector>

#include "sim/random_streams.hpp"
#include "sim/run_plan.hpp"

namespace cascade {

class PriceProcess {
 public:
  PriceProcess(const RunPlan& plan, std::uint64_t seed);

  /// Start prices F(0), one per asset.
  std::vector<double> initial() const;
  /// Advances `f` (F at step t-1, one per asset) to F at step t (1-based).
  void advance(int t, std::vector<double>& f);

 private:
  const RunPlan& plan_;
  Rng rng_;
};

}  // namespace cascade
