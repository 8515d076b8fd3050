#pragma once
// One Monte Carlo path: the step loop of MODEL.md section 5.
//
// The engine owns a path's mutable World (books, marks, threshold queues, the position book,
// the insurance fund and the conservation ledger) and nothing else; it never reads YAML, never
// writes files and never spawns threads, so the Monte Carlo driver can run one Engine per
// worker and results depend only on (seed, point, path).
#include <cstdint>
#include <vector>

#include "models/impact_model.hpp"
#include "models/threshold_queue.hpp"
#include "sim/position_book.hpp"
#include "sim/price_process.hpp"
#include "sim/results.hpp"
#include "sim/run_plan.hpp"

namespace cascade {

/// Where a path sends what it records. Null pointers record nothing.
struct PathSinks {
  PathTimeseries* timeseries = nullptr;
  std::vector<LiquidationEvent>* events = nullptr;
};

class Engine {
 public:
  Engine(const RunPlan& plan, PositionBook book, std::uint64_t price_seed, std::int32_t point,
         std::int64_t path, PathSinks sinks = {});

  /// Advances one step (t = 1..steps), including every cascade round.
  void step(int t);
  /// Runs all steps and returns the outcome.
  PathOutcome run();
  /// Outcome so far (conservation residual computed now).
  PathOutcome outcome() const;

  // Introspection for tests.
  double mark(std::size_t asset) const noexcept { return assets_[asset].mark; }
  const ImpactModel& book(std::size_t asset) const noexcept { return assets_[asset].book; }
  double insurance_fund() const noexcept { return fund_; }
  const PositionBook& positions() const noexcept { return pos_; }
  /// Total wealth across traders, counterparties (hedger + liquidity providers), the fund and
  /// unpaid bad debt, at current marks (MODEL.md section 6).
  double total_wealth() const;

 private:
  struct AssetState {
    ImpactModel book;
    ThresholdQueue longs{1}, shorts{-1};
    double start_price = 0.0;
    double mark = 0.0;
    double peak_mark = 0.0;
    double prev_mark = 0.0;           ///< mark at the end of the previous step
    double ret2_ewma = 0.0;           ///< EWMA of squared step log-returns of the mid
    double open_long_size = 0.0;      ///< trader positions, base units
    double open_short_size = 0.0;
    double counter_cash = 0.0;        ///< hedger + liquidity providers: cash, USD
    double counter_inventory = 0.0;   ///< hedger + liquidity providers: position, base units
    double step_liquidated = 0.0;     ///< USD, this step
  };

  void begin_step(int t);
  int cascade(int t);
  void liquidate_round(int t, int round, std::size_t k, std::vector<ThresholdQueue::Entry>& hits);
  void end_step(int t);
  void record_row(int t);

  const RunPlan& plan_;
  const Scenario& sc_;
  PositionBook pos_;
  std::vector<AssetState> assets_;
  std::int32_t point_;
  std::int64_t path_;
  PathSinks sinks_;
  PriceProcess prices_;
  std::vector<double> fundamentals_;  ///< F per asset, USD
  double fund_ = 0.0;
  double bad_debt_ = 0.0;
  double initial_wealth_ = 0.0;
  double initial_open_interest_ = 0.0;
  double vol_alpha_ = 0.0;
  PathOutcome out_;
};

}  // namespace cascade
