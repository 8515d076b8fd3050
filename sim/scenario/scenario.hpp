#pragma once
// The validated, frozen description of a run.
//
// The loader (sim/scenario/loader.hpp) turns YAML and the CSV files it names into this plain data
// once; from here on nothing reads YAML. Every struct is copyable and immutable during a run,
// so all Monte Carlo workers share one Scenario by const reference. Units are in the names
// (`_usd`, `_s`) or in the `///` comment; rates are fractions (0.005 = 0.5 %).
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "models/adl_policy.hpp"
#include "models/book_params.hpp"
#include "models/depth_curve_book.hpp"
#include "models/tier_table.hpp"
#include "sim/scenario/input_error.hpp"

namespace cascade {

/// GARCH(1,1) volatility of one asset's step returns (docs/market.md).
struct GarchSpec {
  double alpha = 0.0;            ///< reaction to the last squared innovation
  double beta = 0.0;             ///< persistence; alpha + beta < 1
  std::optional<double> omega;   ///< per-step variance floor; absent: long-run variance = volatility^2
  SourceLoc loc;
};

/// Exogenous price process of one asset (MODEL.md section 2).
struct ProcessSpec {
  double drift_annual = 0.0;       ///< mu, per year (log-return drift)
  double volatility_annual = 0.0;  ///< sigma, per sqrt(year); the start volatility under GARCH
  std::optional<GarchSpec> garch;  ///< absent: constant volatility
};

/// An L2 depth curve read from `book.depth_curve` (replaces the power law's depth and shape).
struct DepthCurveSpec {
  std::string file;   ///< as resolved against the scenario's directory
  SourceLoc named_at; ///< the key that names the file
  DepthCurve curve;
};

/// One row of an empirical leverage distribution (`population.leverage_table`).
struct LeverageRow {
  double leverage = 1.0;  ///< x, >= 1
  double weight = 1.0;    ///< relative frequency, > 0 (rows need not sum to 1)
};

/// How the accounts of a population answer a margin call (MODEL.md section 7, docs/agents.md).
/// The call goes out when the margin ratio MM/equity of an isolated position reaches
/// `warning_ratio`; the account then tops up, reduces or ignores it (one draw per call).
struct MarginCallSpec {
  double warning_ratio = 0.8;        ///< margin ratio MM/equity of the call, (0, 1)
  double top_up_probability = 0.0;   ///< probability of a top-up
  double top_up_amount = 0.5;        ///< a top-up adds this fraction of the current margin
  double wallet = 1.0;               ///< top-ups in total at most wallet x the initial margin
  double reduce_probability = 0.0;   ///< probability of a reduce (top_up + reduce <= 1)
  double reduce_fraction = 0.5;      ///< share of the position a reduce closes, (0, 1]
  SourceLoc loc;
  SourceLoc warning_loc;             ///< where warning_ratio was written (the block if defaulted)
};

/// A simple sampled population of leveraged positions on one asset (MODEL.md section 7).
struct PopulationSpec {
  int count = 0;                       ///< positions per path
  double long_share = 0.5;             ///< fraction of positions that are long
  double leverage_mean = 10.0;         ///< mean of the lognormal leverage, x
  double leverage_dispersion = 0.5;    ///< sigma of log-leverage
  double notional_median_usd = 10000;  ///< median position notional at entry, USD
  double notional_dispersion = 1.5;    ///< sigma of log-notional (heavy right tail: whales)
  double entry_spread = 0.02;          ///< sd of log(entry/start price)
  double cross_share = 0.0;            ///< fraction of positions held in cross-margin accounts
  SourceLoc loc;                       ///< where the block was written
  /// Empirical leverage distribution; non-empty: replaces the lognormal (still capped by tier).
  std::vector<LeverageRow> leverage_table;
  /// > 0: positions were opened uniformly over the past `entry_days` days, at the price of a
  /// Brownian path back from the start price (asset volatility, `entry_trend`); replaces
  /// entry_spread (docs/agents.md).
  double entry_days = 0.0;
  double entry_trend = 0.0;            ///< drift of the past log price, per year (+: prices rose)
  double stop_share = 0.0;             ///< fraction of isolated positions with a stop-loss
  double stop_distance = 0.05;         ///< median stop distance, fraction of entry
  double stop_dispersion = 0.0;        ///< sigma of log stop distance
  std::optional<MarginCallSpec> margin_call;  ///< absent: nobody answers margin calls
  double arrivals_per_day = 0.0;       ///< new positions per day (Poisson), opened at the mark
  /// Share of arriving positions that join a cross-margin account (one of
  /// Scenario::cross_accounts, uniformly) instead of opening isolated; 0 = all isolated.
  double arrival_cross_share = 0.0;
};

/// A token unlock (MODEL.md section 7): `fraction_of_supply` x the asset's start supply is
/// created at `at` for `recipient`, who sells `sell_fraction` of it as a TWAP over
/// [at, at + sell_over). An optional pre-unlock drift moves the index by log(1 + pre_drift)
/// spread over [at - pre_drift_over, at) (traders front-running the unlock).
struct UnlockSpec {
  int asset = 0;
  double at_s = 0.0;
  double fraction_of_supply = 0.0;  ///< of assets.X.supply, (0, 1]
  double sell_fraction = 1.0;       ///< share of the unlocked tokens sold, [0, 1]
  double sell_over_s = 0.0;         ///< TWAP window, s; 0 = all in the step containing `at`
  std::string recipient = "unlock"; ///< label (team, investors, ecosystem, ...)
  double pre_drift = 0.0;           ///< relative index move before the unlock, > -1
  double pre_drift_over_s = 0.0;    ///< s
  SourceLoc loc;
};

/// Spot traders who react to the market (MODEL.md section 7): panic sellers sell a token
/// inventory, dip buyers spend a cash budget, at a rate that grows with the drawdown of the mark
/// from its running peak and moves with realised volatility (docs/agents.md).
enum class FlowKind { PanicSell, DipBuy };
struct FlowSpec {
  FlowKind kind = FlowKind::PanicSell;
  std::vector<int> assets;             ///< asset indices (a group expanded); each has its own budget
  double drawdown = 0.05;              ///< flows start at this drawdown, fraction
  double full_drawdown = 0.2;          ///< ... and reach full rate here, fraction (> drawdown)
  double volatility_sensitivity = 0.0; ///< rate x max(0, 1 + sens x (vol/vol_base - 1))
  double rate_usd_per_hour = 0.0;      ///< at full intensity, USD per hour
  double budget_usd = 0.0;             ///< panic: inventory (USD at the start price); dip: cash
  SourceLoc loc;
};

/// Linear (USD-margined) or inverse (coin-margined) perpetual (docs/market.md "Inverse").
enum class ContractKind { Linear, Inverse };

struct AssetSpec {
  std::string name;
  ContractKind contract = ContractKind::Linear;
  SourceLoc contract_loc;
  double price_usd = 0.0;   ///< start price (overridden by the replay row at t = 0)
  TierTable tiers;          ///< maintenance-margin brackets, `cum` derived
  BookParams book;          ///< order-book shape and dynamics
  ProcessSpec process;      ///< ignored when a replay drives prices
  std::optional<PopulationSpec> population;
  SourceLoc loc;
  double index_coupling = 0.0;  ///< fraction of the book's impact that leaks into the index, [0, 1]
  std::optional<DepthCurveSpec> depth_curve;  ///< L2 depth curve instead of the power law
  std::optional<double> supply;  ///< circulating supply at the start, base units (unlocks need it)
};

/// A named set of assets (`groups:`), for shocks, jumps and correlation defaults.
struct GroupSpec {
  std::string name;
  std::vector<int> assets;  ///< asset indices
  SourceLoc loc;
};

/// Innovation distribution of the correlated returns.
enum class Innovations { Normal, StudentT };

/// A correlation matrix in force from `from_s` on (MODEL.md section 2, regimes).
struct CorrelationRegime {
  double from_s = 0.0;         ///< applies to steps starting at or after this time, s
  std::vector<double> matrix;  ///< assets x assets, row-major, a valid correlation matrix
  SourceLoc loc;               ///< the correlation block
};

/// Compound-Poisson jumps of the log price of some assets (MODEL.md section 2: J).
struct JumpSpec {
  std::vector<int> assets;     ///< asset indices (groups expanded)
  double rate_per_day = 0.0;   ///< expected jumps per day (per asset unless common)
  double mean_log = 0.0;       ///< mean log-return of one jump
  double sd_log = 0.0;         ///< sd of one jump's log-return
  bool common = false;         ///< true: one draw shared by all `assets`
  SourceLoc loc;
};

/// Annualised volatilities in force from `from_s` on (`market.volatility_regimes`, docs/market.md).
/// Each regime is complete: an asset it does not list has its own `volatility` again.
struct VolatilityRegime {
  double from_s = 0.0;              ///< applies to steps starting at or after this time, s
  std::vector<double> volatility;   ///< per asset, per sqrt(year)
  SourceLoc loc;
};

/// `market:`, the joint dynamics of the exogenous prices (docs/market.md).
struct MarketSpec {
  Innovations innovations = Innovations::Normal;
  double nu = 5.0;  ///< Student-t degrees of freedom (> 2), when innovations = StudentT
  /// Correlation regimes by increasing from_s, the first from 0; empty: independent assets.
  std::vector<CorrelationRegime> correlation;
  std::vector<JumpSpec> jumps;
  /// Volatility regimes by increasing from_s (`market.volatility_regimes`); empty: every asset
  /// keeps its `volatility` throughout.
  std::vector<VolatilityRegime> volatility_regimes;
};

/// A scheduled shock: log-move `log(1+move)` spread evenly over [at, at+over) (`kind: spread`,
/// the default), or a pinned path (`kind: bridge`): the index is conditioned to be at
/// start price x (1 + move) at the end of step ceil(at/dt), a Brownian bridge in log space from
/// the previous pin of the asset (or time 0), with the asset's own noise around it.
enum class ShockKind { Spread, Bridge };
struct ShockSpec {
  ShockKind kind = ShockKind::Spread;
  double at_s = 0.0;
  double over_s = 0.0;         ///< 0 = instantaneous (applied in the step containing `at`)
  double move = 0.0;           ///< relative move, e.g. -0.20 (bridge: `to`, from the start price); > -1
  std::vector<int> assets;     ///< asset indices (groups are expanded by the loader)
  SourceLoc loc;
};

/// One row of the positions CSV (INTERFACE.md).
struct PositionSpec {
  int account = 0;        ///< index into Scenario::accounts
  int asset = 0;          ///< index into Scenario::assets
  int side = 1;           ///< +1 long, -1 short
  double size = 0.0;      ///< base units, > 0
  double entry_usd = 0.0; ///< entry price, USD per base unit
  double margin_usd = 0.0;///< isolated margin, USD (0 for cross positions)
  bool cross = false;
  int line = 0;           ///< CSV line, for messages
};

struct AccountSpec {
  std::string name;
  std::optional<double> wallet_usd;  ///< from the accounts CSV, for cross margin
};

/// What a CSV position or account does besides holding (the optional CSV columns,
/// docs/scenario.md): a position's stop-loss price (NaN: none); how it answers margin calls (an
/// isolated position on its own margin ratio, an account on its account-level ratio; absent: it
/// does not), and the USD it can add in top-ups in total.
struct AgentSpec {
  double stop_usd = std::numeric_limits<double>::quiet_NaN();
  std::optional<MarginCallSpec> margin_call;
  double top_up_wallet_usd = 0.0;
};

/// Price replay (MODEL.md section 2, exact): prices[t][k] is F of asset k at time t*dt,
/// t = 0..steps.
struct ReplaySpec {
  std::string file;
  std::vector<std::vector<double>> prices;
};

/// Periodic funding (MODEL.md section 5 step 4; docs/engine.md "Funding"). The rate of an
/// interval is clamp((P + clamp(I8 - P, -C8, C8)) * interval/8h, -cap, cap), P the average premium
/// (mark - index)/index over the interval; longs pay it (negative: shorts pay) on notional at
/// mark, settled into margins. Unset values are the exchange profile's (docs/exchanges.md).
/// A recorded funding tape (`exchange.funding.replay`): rows (time, asset, rate) by time; at each
/// row's time the rate is charged on notional at mark instead of the premium model's.
struct FundingTapeRow {
  double time_s = 0.0;
  int asset = 0;
  double rate = 0.0;  ///< fraction of notional, longs pay when > 0
};
struct FundingTape {
  std::string file;
  std::vector<FundingTapeRow> rows;  ///< sorted by (time, asset)
};
struct FundingSpec {
  bool enabled = false;
  std::optional<FundingTape> replay;  ///< the tape replaces the premium model (enables funding)
  double interval_s = 0.0;                ///< 0 = the profile's interval
  std::optional<double> interest;         ///< I8: interest component per 8 h
  std::optional<double> interest_clamp;   ///< C8: clamp of (I8 - P) per 8 h
  std::optional<double> cap;              ///< max |rate| per interval
};

/// Which price triggers liquidations and values positions.
enum class MarkKind { Book, IndexBasis };
struct MarkSpec {
  MarkKind kind = MarkKind::Book;     ///< book: mark = mid M (the exact model)
  double basis_halflife_s = 300.0;    ///< index_basis: EWMA half-life of M - F
  double clamp = 0.005;               ///< index_basis: |mark/F - 1| <= clamp
};

/// How the liquidation engine sells a position that crossed its liquidation price (MODEL.md
/// section 5.2, docs/exchanges.md "The liquidation pipeline").
enum class LiquidationMode {
  Full,     ///< the whole position (Binance, dYdX)
  Partial,  ///< above partial_above, partial_fraction at a time, whole within the cooldown (Hyperliquid)
  Tiered,   ///< down to the limit of the tier below, re-checked at its rate; whole in the first (Bybit)
};
struct LiquidationSpec {
  LiquidationMode mode = LiquidationMode::Full;
  double partial_fraction = 0.2;      ///< share of the position a partial liquidation sells, (0, 1)
  double partial_above_usd = 1.0e5;   ///< notional at the mark above which it is partial, USD
  double cooldown_s = 30.0;           ///< after a partial, a liquidation within this is whole, s
};

/// Who absorbs what liquidations leave (MODEL.md section 5.2): the insurance fund, or a
/// liquidator vault that takes positions over (Hyperliquid's).
enum class BackstopKind { Fund, Vault };
struct BackstopSpec {
  BackstopKind kind = BackstopKind::Fund;
  double capital_usd = 0.0;           ///< the vault's capital at the start, USD
  double takeover_ratio = 2.0 / 3.0;  ///< the vault takes over below this share of maintenance
  double unwind_per_step = 0.1;       ///< share of its inventory the vault sells into the book each step
};

/// Auto-deleveraging (MODEL.md sections 5.1, 5.2).
enum class AfterFund { Adl, Socialize, BadDebt };
struct AdlSpec {
  AdlPolicy policy = AdlPolicy::Queue;
  AfterFund after_fund = AfterFund::Adl;
};

struct ExchangeSpec {
  std::string profile = "binance";
  double liquidation_fee = 0.005;        ///< fraction of liquidated notional
  double insurance_fund_usd = 1.0e8;     ///< fund at start
  FundingSpec funding;
  MarkSpec mark;
  LiquidationSpec liquidation;           ///< the profile's unless `exchange.liquidation` says
  BackstopSpec backstop;                 ///< the profile's unless `exchange.backstop` says
  AdlSpec adl;
};

/// Whether paths check their invariants by default: the environment variable
/// CASCADE_CHECK_INVARIANTS set to 1 (ctest sets it for every test), else off.
inline bool default_check_invariants() noexcept {
  static const bool on = [] {
    const char* v = std::getenv("CASCADE_CHECK_INVARIANTS");
    return v != nullptr && v[0] == '1' && v[1] == '\0';
  }();
  return on;
}

struct EngineSpec {
  int max_rounds = 50;  ///< cascade rounds per step
  /// The index follows a Brownian bridge inside each step; its extremes are visited (and
  /// cascaded at) before the end value (`engine.intrastep_extremes`, docs/market.md).
  bool intrastep_extremes = false;
  /// Assert the engine's invariants after every step (docs/engine.md "Invariants"); O(positions)
  /// per step, so off in production runs (`engine.check_invariants`, `--check-invariants`).
  bool check_invariants = default_check_invariants();
};

struct OutputSpec {
  bool events = false;                 ///< write /events/liquidations
  std::vector<int> timeseries_paths;   ///< path indices whose time series are recorded
};

enum class SampleMode { PerPath, PerRun };

struct Scenario {
  std::string file;           ///< scenario path as given
  /// The files the scenario reads besides itself (positions, accounts, replay, depth curves),
  /// as resolved; an output path must not name one of them (sim/cli/output_path.hpp).
  std::vector<std::string> input_files;
  std::string resolved_yaml;  ///< the scenario after --set overrides, re-emitted as YAML
  std::string name;
  int steps = 0;
  double dt_s = 60.0;
  int paths = 1;
  std::uint64_t seed = 0;
  /// Sweep points draw their own random numbers instead of common ones (`sweep.independent_points`,
  /// `cascade sweep --independent-points`); set on the points by sim/ensemble/sweep.cpp.
  bool independent_points = false;
  ExchangeSpec exchange;
  EngineSpec engine;
  std::vector<AssetSpec> assets;
  std::vector<ShockSpec> shocks;
  std::vector<PositionSpec> positions;  ///< from `positions.file` (may be empty)
  std::vector<AccountSpec> accounts;
  /// Per position of `positions` / account of `accounts`, in the same order, their optional CSV
  /// columns; shorter (or empty): the rest have none.
  std::vector<AgentSpec> position_agents, account_agents;
  SampleMode sample = SampleMode::PerPath;  ///< population sampling (when populations exist)
  int cross_accounts = 100;  ///< sampled cross positions are spread over this many accounts
  /// How the sampled cross accounts answer margin calls on their account-level margin ratio
  /// (`population.cross_margin_call`; absent: they do not; docs/agents.md).
  std::optional<MarginCallSpec> cross_margin_call;
  std::optional<ReplaySpec> replay;
  OutputSpec output;
  std::vector<GroupSpec> groups;  ///< `groups:`, sorted by name
  MarketSpec market;
  std::vector<UnlockSpec> unlocks;  ///< `unlocks:` (docs/agents.md)
  std::vector<FlowSpec> flows;      ///< `flows:`, panic sellers and dip buyers

  /// The optional columns of CSV position i / account a (nullptr: none).
  const AgentSpec* position_agent(std::size_t i) const noexcept {
    return i < position_agents.size() ? &position_agents[i] : nullptr;
  }
  const AgentSpec* account_agent(std::size_t a) const noexcept {
    return a < account_agents.size() ? &account_agents[a] : nullptr;
  }

  int asset_index(const std::string& n) const {
    for (std::size_t k = 0; k < assets.size(); ++k)
      if (assets[k].name == n) return static_cast<int>(k);
    return -1;
  }
};

}  // namespace cascade
