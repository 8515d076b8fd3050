#pragma once
// One Monte Carlo path: the step loop of MODEL.md section 5.
//
// The engine owns a path's mutable World (books, marks, threshold queues, the position book,
// cross-margin accounts, the insurance fund and the conservation ledger) and nothing else; it
// never reads YAML, never writes files and never spawns threads, so the Monte Carlo driver can
// run one Engine per worker and results depend only on (seed, point, path).
//
// engine.cpp: construction, the step, prices and marks, records, the wealth ledger.
// engine_liquidation.cpp: cascade rounds, settlement, auto-deleveraging.
// engine_funding.cpp: periodic funding.
#include <cstdint>
#include <vector>

#include "models/impact_model.hpp"
#include "models/threshold_queue.hpp"
#include "sim/cross_margin.hpp"
#include "sim/position_book.hpp"
#include "sim/price_process.hpp"
#include "sim/results.hpp"
#include "sim/run_plan.hpp"

namespace cascade {

/// Where a path sends what it records. Null pointers record nothing.
struct PathSinks {
  PathTimeseries* timeseries = nullptr;
  std::vector<LiquidationEvent>* events = nullptr;
  std::vector<LiquidationEvent>* adl_events = nullptr;  ///< positions auto-deleveraged
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
  const CrossAccounts& cross_accounts() const noexcept { return cross_; }
  /// Total wealth across traders (open positions, cross wallets, cash kept after closing),
  /// counterparties (hedger + liquidity providers), the fund, less unpaid bad debt, at current
  /// marks (MODEL.md section 6).
  double total_wealth() const;

 private:
  struct AssetState {
    ImpactModel book;
    ThresholdQueue longs{1}, shorts{-1};
    double start_price = 0.0;
    double mark = 0.0;
    double peak_mark = 0.0;
    double prev_mark = 0.0;           ///< mark at the end of the previous step
    double prev_mid = 0.0;            ///< mid at the end of the previous step
    double ret2_ewma = 0.0;           ///< EWMA of squared step log-returns of the mid
    double vol_alpha = 0.0;           ///< EWMA weight per step (from the asset's vol_halflife)
    double basis_ewma = 0.0;          ///< EWMA of mid - index, USD (index_basis marks)
    double premium_sum = 0.0;         ///< sum of (mark - index)/index since the last funding
    int premium_steps = 0;
    double open_long_size = 0.0;      ///< trader positions, base units
    double open_short_size = 0.0;
    double counter_cash = 0.0;        ///< hedger + liquidity providers: cash, USD
    double counter_inventory = 0.0;   ///< hedger + liquidity providers: position, base units
    double step_liquidated = 0.0;     ///< USD, this step
  };
  /// Part of a deficit to auto-deleverage: asset, bankrupt side, and the price at which the
  /// bankrupt exposure would have closed without loss (its bankruptcy price).
  struct DeficitShare {
    std::size_t asset;
    int side;
    double price;
    double weight;
  };

  void begin_step(int t);
  void update_mark(std::size_t k);
  int cascade(int t);
  bool collect_round(std::vector<std::vector<std::uint32_t>>& hits, std::vector<std::uint32_t>& cross_hit);
  double execute_round(std::size_t k, std::vector<std::uint32_t>& hits);
  void close_position(int t, int round, std::size_t k, std::uint32_t i, double price);
  void settle_cross_account(int t, int round, std::size_t slot, const std::vector<double>& prices);
  void settle_rest(double rest, double fee, const std::vector<DeficitShare>& shares, int t, int round);
  double auto_deleverage(const DeficitShare& share, double deficit, int t, int round);
  void queue_isolated(std::uint32_t i);
  void apply_funding(double intervals);
  void end_step(int t);
  void record_row(int t);
  const std::vector<double>& marks();

  const RunPlan& plan_;
  const Scenario& sc_;
  PositionBook pos_;
  std::vector<AssetState> assets_;
  CrossAccounts cross_;
  std::int32_t point_;
  std::int64_t path_;
  PathSinks sinks_;
  PriceProcess prices_;
  std::vector<double> fundamentals_;  ///< F per asset, USD
  std::vector<double> marks_;         ///< scratch: marks per asset
  double fund_ = 0.0;
  double bad_debt_ = 0.0;
  double retained_ = 0.0;             ///< cash traders kept from closed positions, USD
  double initial_wealth_ = 0.0;
  double initial_open_interest_ = 0.0;
  double basis_alpha_ = 0.0;
  double funding_interval_s_ = 0.0;
  double next_funding_s_ = 0.0;
  double fee_rate_ = 0.0;
  bool trader_keeps_rest_ = false;
  std::vector<std::uint32_t> unhealthy_cross_;  ///< accounts to check in the next round
  std::vector<std::int32_t> cross_slot_;   ///< per position: its cross account slot, or -1
  std::vector<double> cross_realized_;     ///< per cross account: realised PnL of this round, USD
  std::vector<double> cross_notional_;     ///< per cross account: notional closed this round, USD
  std::vector<std::vector<std::uint32_t>> cross_closing_;  ///< per account: closed this round
  /// Per asset and side (0 long, 1 short): ADL candidates of this round, best first.
  std::vector<std::vector<std::uint32_t>> adl_rank_;
  std::vector<std::size_t> adl_cursor_;
  std::vector<char> adl_ranked_;
  PathOutcome out_;
};

}  // namespace cascade
