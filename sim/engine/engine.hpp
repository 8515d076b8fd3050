#pragma once
// One Monte Carlo path: the step loop of MODEL.md section 5.
//
// The engine owns a path's mutable World (books, marks, threshold queues, the position book,
// cross-margin accounts, agents' holdings, the insurance fund and the conservation ledger) and
// nothing else; it never reads YAML, never writes files and never spawns threads, so the Monte
// Carlo driver can run one Engine per worker and results depend only on (seed, point, path).
//
// engine.cpp: construction, the step, prices and marks, records, the wealth ledger.
// liquidation.cpp: cascade rounds, the round's orders and fills.
// settlement.cpp: settlement with the insurance fund, auto-deleveraging, bad debt.
// agents.cpp: stop-losses, margin calls, arriving positions (MODEL.md section 7).
// flows.cpp: the step's scheduled flows: token unlocks, panic sellers, dip buyers.
// funding.cpp: periodic funding through a funding index.
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/random/poisson_distribution.hpp>

#include "models/adl_policy.hpp"
#include "models/impact_model.hpp"
#include "models/threshold_queue.hpp"
#include "sim/book/cross_accounts.hpp"
#include "sim/book/position_book.hpp"
#include "sim/engine/price_process.hpp"
#include "sim/plan/random_streams.hpp"
#include "sim/engine/outcome.hpp"
#include "sim/plan/run_plan.hpp"
#include "sim/book/start_book.hpp"

namespace cascade {

/// A path's state became non-finite or non-positive (a mark, an index, the fund): a runtime error.
class NonFiniteState : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An invariant of the engine failed (sim/engine/invariants.cpp): a bug, a runtime error.
class InvariantViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where a path sends what it records. Null pointers record nothing.
struct PathSinks {
  PathTimeseries* timeseries = nullptr;
  std::vector<LiquidationEvent>* events = nullptr;
  std::vector<AdlEvent>* adl_events = nullptr;  ///< auto-deleveraging fills
};

class Engine {
 public:
  /// A spot holder: an unlock recipient's holding of one asset, or one asset's panic sellers or
  /// dip buyers.
  struct SpotHolder {
    std::size_t asset = 0;
    double tokens = 0.0;  ///< base units
    double cash = 0.0;    ///< USD
    std::string recipient;  ///< an unlock recipient's name (empty for flows)
  };

  /// A path that starts from its own book (built into a StartBook here, O(N)).
  Engine(const RunPlan& plan, PositionBook book, std::uint64_t price_seed, std::int32_t point,
         std::int64_t path, PathSinks sinks = {});
  /// A path that starts from a StartBook shared with other paths (O(pages + assets)).
  Engine(const RunPlan& plan, std::shared_ptr<const StartBook> start, std::uint64_t price_seed,
         std::int32_t point, std::int64_t path, PathSinks sinks = {});

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
  /// Margin of position i with the funding paid or received since it was last settled, USD.
  double settled_margin(std::size_t i) const noexcept;
  /// Liquidation price of isolated position i at its settled margin (NaN: never).
  double current_liquidation_price(std::size_t i) const noexcept;
  /// Per unlock recipient and asset, in order of first appearance among the scenario's unlocks:
  /// the recipient's holdings (unlocks naming the same recipient and asset share one holding);
  /// per (flow, asset) in scenario order: the panic sellers' or dip buyers' holdings.
  const std::vector<SpotHolder>& unlock_holders() const noexcept { return unlock_holders_; }
  const std::vector<SpotHolder>& flow_holders() const noexcept { return flow_holders_; }
  /// Circulating supply of an asset, base units (0 without `supply`).
  double circulating_supply(std::size_t asset) const noexcept { return assets_[asset].supply; }
  /// Total wealth across traders (open positions, cross wallets, cash kept after closing),
  /// counterparties (hedger + liquidity providers), spot holders (unlock recipients, panic
  /// sellers, dip buyers: cash + tokens at mark), the fund, less unpaid bad debt, at current
  /// marks (MODEL.md section 6).
  double total_wealth() const;
  /// What total wealth may have changed by since the start: money brought in from outside
  /// (arriving positions' margins, top-ups) plus the revaluation of the spot tokens in existence
  /// (held at the start, or created by unlocks) at the current marks. The conservation residual
  /// is total_wealth() - initial wealth - explained_wealth_change().
  double explained_wealth_change() const;
  /// total_wealth() less the insurance fund, USD.
  double wealth_outside_fund() const;

 private:
  struct AssetState {
    ImpactModel book;
    StartBook::Queues queues;
    /// d(threshold)/d(funding index) bounds of the liquidation and margin-call queues, per side:
    /// [kind][side][0: for rises of the index, 1: for falls] (sim/engine/funding.cpp).
    double drift[2][2][2] = {};
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
    double funding_index = 0.0;       ///< USD per base unit a long has paid since the start
    double funding_rises = 0.0;       ///< sum of the index's positive increments, USD
    double funding_falls = 0.0;       ///< sum of its negative increments (<= 0), USD
    double open_long_size = 0.0;      ///< trader positions, base units
    double open_short_size = 0.0;
    double arrived_size = 0.0;        ///< sizes of positions opened during the path, base units
    double liquidated_size = 0.0;     ///< base units liquidated (oi_liquidated_share)
    double counter_cash = 0.0;        ///< hedger + liquidity providers: cash, USD
    double counter_inventory = 0.0;   ///< hedger + liquidity providers: position, base units
    double spot_counter_inventory = 0.0;  ///< the part of it from spot flows (not perp positions)
    double step_liquidated = 0.0;     ///< USD, this step
    double step_flow = 0.0;           ///< USD, signed notional of this step's flow order
    double supply = 0.0;              ///< circulating supply, base units (0: not given)
    double spot_tokens_start = 0.0;   ///< spot tokens held by agents at the start, base units
    double minted = 0.0;              ///< tokens created by unlocks so far, base units
    double vault_inventory = 0.0;     ///< the liquidator vault's position, signed base units
    double vault_cost = 0.0;          ///< what it paid for it, USD (inventory x its average entry)
  };
  /// An order an agent sends in a cascade round (a stop-loss or a reduce): immediate or cancel
  /// at the round's price of its asset (the part the book cannot fill is cancelled).
  struct AgentOrder {
    std::uint32_t position;
    double size;  ///< base units closed
  };
  /// The book's answer to one round's order in one asset: the VWAP of what it filled and the
  /// fraction of the order filled (1 unless the displacement cap binds). Every order of the round
  /// in the asset fills that fraction of its size at that price.
  struct RoundFill {
    double price = 0.0;      ///< VWAP of the filled part, USD per base unit
    double fraction = 1.0;   ///< filled / ordered, [0, 1]
    double cap_price = 0.0;  ///< where the book ran dry, USD per base unit
  };
  /// Part of a bankrupt position (or a cross account's losing leg) handed to profitable opposite
  /// positions at its bankruptcy price (MODEL.md section 5.1; sim/engine/adl.cpp).
  struct AdlDemand {
    std::size_t asset = 0;
    std::uint32_t bankrupt = 0;     ///< position index of the bankrupt position or leg
    int side = 1;                   ///< the bankrupt side
    double size = 0.0;              ///< base units to deleverage, at most the position's size
    double price = 0.0;             ///< its bankruptcy price, USD per base unit
    double deficit_per_unit = 0.0;  ///< the deficit one unit would have left at the round's fill, USD
  };

  void begin_step(int t);
  // extremes.cpp
  /// With `engine.intrastep_extremes`: moves each index to its within-step extremes (the one
  /// away from the step's end first), cascading at each, before the end value.
  void visit_extremes(int t);
  void update_mark(std::size_t k);
  int cascade(int t);
  bool collect_round();
  /// Routes asset k's crossed isolated positions: to the vault, to a partial liquidation, or
  /// whole to the liquidation engine (they stay in hits_). True when any was routed away.
  bool route_hits(std::size_t k);
  /// How much of crossed position i the venue sells now (partial or tiered modes); 0: all.
  double partial_size(std::size_t k, std::uint32_t i) const;
  void settle_partial(int t, int round, std::size_t k, const AgentOrder& o, const RoundFill& f);
  // vault.cpp
  /// The liquidator vault takes position i (or cross account `slot`) over at the mark.
  void take_over(std::size_t k, std::uint32_t i);
  void take_over_account(std::size_t slot);
  /// The vault's equity: its cash (fund_) plus its inventory at the marks, USD.
  double vault_equity() const noexcept;
  bool vault_underwater() const noexcept;  ///< equity below zero by more than rounding
  /// When the vault is underwater: its losing inventory auto-deleveraged (bankrupt_position -1).
  void deleverage_vault(int t, int round, double& backstop_left);
  /// What the backstop (fund or vault) can still pay, USD.
  double backstop_available() const noexcept;
  /// The round's uncovered deficit of (asset, bankrupt side) taken from the opposite winners'
  /// unrealised profit, pro rata (after_fund: socialize); returns what it collected.
  double socialize(std::size_t k, int bankrupt_side, double amount);
  /// Puts asset k's orders of the round into their canonical order (below).
  void sort_round(std::size_t k);
  bool has_orders(std::size_t k) const noexcept;
  /// The signed book order of asset k's round: liquidations (new and pending), stops, reduces.
  double round_order(std::size_t k) const;
  /// Sorts sort_keys_ for `count` positions (position_of(j), j < count) in the canonical order
  /// of their contents: signed size, entry, margin, then index.
  template <class PositionOf>
  void canonical_order(std::size_t count, PositionOf&& position_of);
  RoundFill fill(std::size_t k, double q);
  void close_liquidation(int t, int round, std::size_t k, std::uint32_t i, const RoundFill& f, bool first);
  /// y units of position i (`side`) leave the open interest, liquidated at `price`: the
  /// liquidated-notional outcomes, the step's series and the event. Who took them (the hedger,
  /// the vault) is the caller's.
  void record_liquidated(int t, int round, std::size_t k, std::uint32_t i, int side, double y, double price,
                         double bankruptcy_price);
  // settlement.cpp
  /// A liquidation's rest: the fee and what is left go to the fund (or the trader, per profile);
  /// a deficit is added to the round's, which pay_deficits() settles.
  /// `k`, `side`: the asset and side the deficit belongs to (for a socialized loss).
  void pay_out(const LiquidationOutcome& o, std::size_t k, int side);
  /// The round's deficits, paid by the fund as far as it goes after the round's rests; the rest
  /// is bad debt.
  void pay_deficits();
  /// Settles the cross accounts in liquidation whose last leg has been closed.
  void finish_cross_accounts();
  void settle_cross_account(std::size_t slot);
  /// Position i's part `y` closed at `price` by the liquidation engine (fee rate `fee_rate`): its
  /// share of the margin, the realised PnL, the fee; the rest keeps the rest of the margin.
  void settle_isolated_part(std::uint32_t i, double y, double price, double fee_rate);
  // adl.cpp
  /// Before a round's orders execute: which bankrupt positions the fund covers and which are
  /// handed to profitable opposite positions at their bankruptcy price (MODEL.md section 5.1).
  void plan_bankruptcies(int t, int round);
  /// Deleverages up to d.size against the ranked opposite side; returns the size taken.
  double deleverage(const AdlDemand& d, int t, int round);
  void rank_adl_candidates(std::size_t k, int side);
  double account_upnl(std::size_t slot) const;
  void queue_isolated(std::uint32_t i);
  void push_thresholds(std::uint32_t i, bool liquidation, bool call);
  void touch(std::uint32_t i);
  double position_wealth(std::size_t i) const;
  // agents.cpp
  void answer_margin_calls(std::vector<std::uint32_t>& calls);
  void settle_agent_orders(std::size_t k, const RoundFill& f);
  void close_by_trader(std::size_t k, std::uint32_t i, double price);
  /// The trader closes y < size of position i at `price`: the realised PnL stays in the margin.
  void reduce_by_trader(std::size_t k, std::uint32_t i, double y, double price);
  void arrive();
  /// An arriving position with `margin` joins sampled cross account j (0-based, "cross-j"): its
  /// slot, or -1 when that account is still being liquidated (the position opens isolated).
  std::int32_t join_cross_account(std::size_t j, double margin);
  /// Re-arms cross account `slot` at the current marks (or queues it for a look next round).
  void rearm_cross(std::size_t slot);
  // flows.cpp
  void setup_flows();
  void run_flows(int t);
  double spot_wealth() const;
  // funding.cpp
  void setup_funding_drift();
  void settle_funding(std::uint32_t i);
  double threshold_offset(std::size_t k, int kind, int side_index) const noexcept;
  double certain_offset(std::size_t k, int kind, int side_index) const noexcept;
  /// Position i with its funding settled (without writing it back).
  IsolatedPosition settled_position(std::size_t i) const noexcept;
  void apply_funding(double intervals);
  /// The funding tape's rows due by the end of step t (`exchange.funding.replay`).
  void apply_funding_tape(int t);
  /// Charges `pay` (USD per base unit, longs pay when > 0) per asset: the funding index, the
  /// hedger, cross wallets.
  void charge_funding(const std::vector<double>& pay);
  void end_step(int t);
  void check_finite(int t) const;
  // invariants.cpp
  void check_invariants(int t) const;
  void record_row(int t);
  const std::vector<double>& marks();

  const RunPlan& plan_;
  const Scenario& sc_;
  std::shared_ptr<const StartBook> start_;
  PositionBook pos_;
  PagedColumn<std::int32_t> cross_slot_;  ///< per position: its cross account slot, or -1
  std::vector<AssetState> assets_;
  CrossAccounts cross_;
  std::int32_t point_;
  std::int64_t path_;
  PathSinks sinks_;
  PriceProcess prices_;
  Rng agents_rng_;                    ///< Stream::Agents: arrivals and margin-call answers
  std::vector<double> fundamentals_;  ///< F per asset, USD
  std::vector<double> marks_;         ///< scratch: marks per asset
  /// Scratch of visit_extremes, per asset: the index moved by the coupling (ratio), the step's end
  /// index, the index at the extreme being visited.
  std::vector<double> extreme_leak_, extreme_end_, extreme_at_;
  double fund_ = 0.0;
  /// Sum of the fund's changes, USD: its balance less the start balance, without the rounding of
  /// a balance that may be 10^12 while the flows are cents (the conservation residual uses it).
  double fund_flow_ = 0.0;
  double bad_debt_ = 0.0;
  /// Deficits of the current round, not yet paid, USD, per asset and bankrupt side (2k, 2k+1).
  std::vector<double> round_deficits_;
  bool vault_ = false;                ///< the backstop is a liquidator vault (its cash is fund_)
  double vault_peak_ = 0.0;           ///< the vault's highest equity so far, USD
  /// Per position partially liquidated: the time of its last partial liquidation, s.
  std::unordered_map<std::uint32_t, double> last_partial_s_;
  /// Per cross account in liquidation: realised PnL of its legs per (asset, side) bucket.
  std::vector<std::map<std::size_t, double>> cross_bucket_pnl_;
  int round_ = 0;
  double retained_ = 0.0;             ///< cash traders kept from closed positions, USD
  double deposits_ = 0.0;             ///< USD brought in from outside: new margins, top-ups
  double initial_wealth_ = 0.0;       ///< wealth_outside_fund() at the start, USD
  double initial_open_interest_ = 0.0;
  double basis_alpha_ = 0.0;
  double funding_interval_s_ = 0.0;
  double next_funding_s_ = 0.0;
  std::size_t next_tape_row_ = 0;     ///< the funding tape's next row to charge
  std::vector<double> funding_pay_;   ///< scratch: USD per base unit per asset
  double fee_rate_ = 0.0;
  bool trader_keeps_rest_ = false;
  bool any_agents_ = false;           ///< stops, margin calls or arrivals in the scenario
  std::vector<std::uint32_t> unhealthy_cross_;  ///< accounts to check in the next round
  /// Positions changed or opened since the start, in the order first changed, for the wealth
  /// ledger (total_wealth), and a flag per position.
  std::vector<std::uint32_t> touched_;
  PagedColumn<std::uint8_t> touched_flag_;
  std::size_t start_count_ = 0;            ///< positions in the start book
  std::vector<SpotHolder> unlock_holders_; ///< per (recipient, asset)
  std::vector<std::size_t> unlock_holder_of_;  ///< per scenario unlock: its holder
  std::vector<SpotHolder> flow_holders_;   ///< per (flow, asset), in scenario order
  std::vector<double> flow_orders_, flow_totals_;  ///< per-step scratch
  std::vector<RoundFill> flow_fills_;
  std::vector<double> vault_orders_;  ///< per-step scratch: the vault's unwind order per asset
  /// Per asset: the number of positions arriving in a step (empty without arrivals); 64-bit,
  /// because a mean past 2^31 made the `int` draw overflow to a negative count (no arrivals).
  std::vector<boost::random::poisson_distribution<std::int64_t, double>> arrivals_per_step_;
  // Per-round scratch, per asset: liquidations taken over in this round (`hits_`), liquidations
  // still in progress from earlier rounds (`pending_`: the book could not fill all of them),
  // stop-losses and reduces of the round.
  std::vector<std::vector<std::uint32_t>> hits_, pending_;
  std::vector<std::vector<AgentOrder>> partials_, stops_, reduces_;
  /// Per asset: positions whose liquidation the book has not finished (carried to the next round).
  std::vector<std::vector<std::uint32_t>> in_liquidation_;
  std::vector<std::uint32_t> cross_hit_, calls_;
  std::vector<std::uint32_t> cross_calls_;  ///< cross accounts whose margin call the round answers
  /// Cross accounts being liquidated whose legs the book has not all filled yet.
  std::vector<std::uint32_t> cross_liquidating_;
  std::vector<RoundFill> round_fills_;  ///< per asset: this round's fill
  std::vector<RoundFill> tentative_;    ///< per asset: the fill before deleveraging (sim/engine/adl.cpp)
  std::vector<ThresholdQueue::Entry> popped_;
  struct SortKey {
    double signed_size, entry, margin;
    std::uint32_t position;
    std::uint32_t slot;  ///< index in the list being sorted
  };
  std::vector<SortKey> sort_keys_;
  std::vector<AgentOrder> sorted_orders_;
  /// Per asset and side (0 long, 1 short): ADL candidates of this round, best first.
  std::vector<std::vector<std::uint32_t>> adl_rank_;
  std::vector<char> adl_ranked_;
  std::vector<std::pair<double, std::uint32_t>> adl_scored_;  ///< scratch of rank_adl_candidates
  std::vector<AdlCandidate> adl_candidates_;  ///< scratch of deleverage: who can take the price
  std::vector<std::uint32_t> adl_members_;    ///< their positions
  std::map<std::size_t, double> adl_equity_left_;  ///< scratch: cross accounts' equity not yet reserved
  std::uint64_t adl_salt_ = 0;                  ///< dYdX's pseudo-random ADL order, from the path's seed
  int step_ = 0;                                ///< the step being run
  bool cascade_exhausted_ = false;              ///< the step's cascade used every round
  std::int64_t liquidations_before_round_ = 0;  ///< out_.liquidations when the round began
  /// Per cross account: what its legs have realised and their notional closed by the liquidation
  /// engine so far, USD (the account settles once its last leg is closed).
  std::vector<double> cross_realized_, cross_notional_;
  PathOutcome out_;
};

}  // namespace cascade
