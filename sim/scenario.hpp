#pragma once
// The validated, frozen description of a run.
//
// The loader (scenario_loader.hpp) turns YAML and the CSV files it names into this plain data
// once; from here on nothing reads YAML. Every struct is copyable and immutable during a run,
// so all Monte Carlo workers share one Scenario by const reference. Units are in the names
// (`_usd`, `_s`) or in the `///` comment; rates are fractions (0.005 = 0.5 %).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/book_params.hpp"
#include "models/depth_curve_book.hpp"
#include "models/tier_table.hpp"
#include "sim/input_error.hpp"

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
};

struct AssetSpec {
  std::string name;
  double price_usd = 0.0;   ///< start price (overridden by the replay row at t = 0)
  TierTable tiers;          ///< maintenance-margin brackets, `cum` derived
  BookParams book;          ///< order-book shape and dynamics
  ProcessSpec process;      ///< ignored when a replay drives prices
  std::optional<PopulationSpec> population;
  SourceLoc loc;
  double index_coupling = 0.0;  ///< fraction of the book's impact that leaks into the index, [0, 1]
  std::optional<DepthCurveSpec> depth_curve;  ///< L2 depth curve instead of the power law
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

/// `market:`, the joint dynamics of the exogenous prices (docs/market.md).
struct MarketSpec {
  Innovations innovations = Innovations::Normal;
  double nu = 5.0;  ///< Student-t degrees of freedom (> 2), when innovations = StudentT
  /// Correlation regimes by increasing from_s, the first from 0; empty: independent assets.
  std::vector<CorrelationRegime> correlation;
  std::vector<JumpSpec> jumps;
};

/// A scheduled shock: log-move `log(1+move)` spread evenly over [at, at+over).
struct ShockSpec {
  double at_s = 0.0;
  double over_s = 0.0;         ///< 0 = instantaneous (applied in the step containing `at`)
  double move = 0.0;           ///< relative move, e.g. -0.20; must be > -1
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
struct FundingSpec {
  bool enabled = false;
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

struct ExchangeSpec {
  std::string profile = "binance";
  double liquidation_fee = 0.005;        ///< fraction of liquidated notional
  double insurance_fund_usd = 1.0e8;     ///< fund at start
  FundingSpec funding;
  MarkSpec mark;
};

struct EngineSpec {
  int max_rounds = 50;  ///< cascade rounds per step
};

struct OutputSpec {
  bool events = false;                 ///< write /events/liquidations
  std::vector<int> timeseries_paths;   ///< path indices whose time series are recorded
};

enum class SampleMode { PerPath, PerRun };

struct Scenario {
  std::string file;           ///< scenario path as given
  std::string resolved_yaml;  ///< the scenario after --set overrides, re-emitted as YAML
  std::string name;
  int steps = 0;
  double dt_s = 60.0;
  int paths = 1;
  std::uint64_t seed = 0;
  ExchangeSpec exchange;
  EngineSpec engine;
  std::vector<AssetSpec> assets;
  std::vector<ShockSpec> shocks;
  std::vector<PositionSpec> positions;  ///< from `positions.file` (may be empty)
  std::vector<AccountSpec> accounts;
  SampleMode sample = SampleMode::PerPath;  ///< population sampling (when populations exist)
  int cross_accounts = 100;  ///< sampled cross positions are spread over this many accounts
  std::optional<ReplaySpec> replay;
  OutputSpec output;
  std::vector<GroupSpec> groups;  ///< `groups:`, sorted by name
  MarketSpec market;

  int asset_index(const std::string& n) const {
    for (std::size_t k = 0; k < assets.size(); ++k)
      if (assets[k].name == n) return static_cast<int>(k);
    return -1;
  }
};

}  // namespace cascade
