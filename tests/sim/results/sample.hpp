#pragma once
// Test helpers for the results writer, reader and inspect: a small synthetic run (3 paths,
// 2 assets, 2 recorded paths, events, an initial book) and a scratch directory.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "sim/results/schema.hpp"

namespace cascade::test {

/// A fresh directory under the system temp dir, removed with its content on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("cascade_test_" + std::to_string(::getpid()) + "_" + name)) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  /// Names of the files in the directory (to check that no temporary is left behind).
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
    return n;
  }

 private:
  std::filesystem::path path_;
};

inline constexpr std::int32_t kSampleSteps = 4;

inline RunInfo sample_info() {
  RunInfo info;
  info.cascade_version = "0.1.0-test";
  info.command_line = "cascade run sample.yaml -o out.h5 --paths 3";
  info.scenario_yaml = "steps: 4\ndt: 60\nassets:\n  AIX: {price: 2.0}\n  BTC: {price: 60000}\n";
  info.scenario_name = "sample";
  info.seed = 0xFFFF'FFFF'FFFF'FFF0ULL;  // above INT64_MAX: the attribute must be unsigned
  info.paths = 3;
  info.steps = kSampleSteps;
  info.dt_s = 60.0;
  info.assets = {"AIX", "BTC"};
  info.events_enabled = true;
  return info;
}

/// Every value distinct, so that a transposed or shifted read shows.
inline RunResults sample_results() {
  RunResults r;
  const std::size_t n_assets = 2;
  const double liquidated[3] = {1.0e6, 2.0e6, 4.0e6};
  for (std::int64_t p = 0; p < 3; ++p) {
    PathOutcome o;
    o.resize_assets(n_assets);
    o.point = 0;
    o.path = p;
    const double k = static_cast<double>(p);
    o.liquidated_notional = liquidated[p];
    o.liquidations = 10 + p;
    o.max_cascade_depth = 2 + p;
    o.largest_step_liquidation = 5.0e5 + k;
    o.first_liquidation_time = p == 2 ? std::numeric_limits<double>::quiet_NaN() : 600.0 + k;
    o.insurance_fund_min = 9.0e5 - k;
    o.insurance_fund_final = 9.5e5 - k;
    o.fees = 1234.5 + k;
    o.adl_count = p;
    o.adl_notional = 100.0 * k;
    o.bad_debt = 7.0 * k;
    o.unfilled_notional = 3.0 * k;
    o.oi_liquidated_share = 0.01 * (k + 1);
    o.peak_slippage_bps = 10.0 * (k + 1);
    o.min_depth_scale = 0.5 - 0.1 * k;
    o.conservation_residual = 1e-9 * (k + 1);
    for (std::size_t a = 0; a < n_assets; ++a) {
      const double x = k * 10.0 + static_cast<double>(a);
      o.asset_liquidated_notional[a] = liquidated[p] * (a == 0 ? 0.75 : 0.25);
      o.asset_long_liquidated_notional[a] = o.asset_liquidated_notional[a] * 0.6;
      o.asset_short_liquidated_notional[a] = o.asset_liquidated_notional[a] * 0.4;
      o.asset_liquidations[a] = 5 + 10 * p + static_cast<std::int64_t>(a);
      o.asset_min_price_ratio[a] = 0.80 + 0.05 * k + 0.01 * static_cast<double>(a);
      o.asset_max_price_ratio[a] = 1.05 + x / 1000.0;
      o.asset_max_drawdown[a] = 0.2 - x / 1000.0;
      o.asset_peak_slippage_bps[a] = 20.0 + x;
      o.asset_min_depth_scale[a] = 0.6 - x / 100.0;
      o.asset_unfilled_notional[a] = x * 2.0;
    }
    r.outcomes.push_back(o);
  }
  const std::size_t rows = kSampleSteps + 1;
  for (std::int64_t p : {0, 2}) {
    PathTimeseries ts;
    ts.point = 0;
    ts.path = p;
    for (std::size_t s = 0; s < rows; ++s) {
      for (std::size_t a = 0; a < n_assets; ++a) {
        const double x = static_cast<double>(p * 1000) + static_cast<double>(s * 10 + a);
        ts.mark_price.push_back(100.0 + x);
        ts.index_price.push_back(200.0 + x);
        ts.liquidated_notional.push_back(300.0 + x);
        ts.open_interest.push_back(400.0 + x);
        ts.depth_scale.push_back(1.0 / (1.0 + x));
        ts.circulating_supply.push_back(1e9 + x);
        ts.flow_notional.push_back(-500.0 - x);
        ts.vault_inventory.push_back(-600.0 + x);
      }
      ts.insurance_fund.push_back(1e6 - static_cast<double>(p * 100) - static_cast<double>(s));
      ts.vault_equity.push_back(2e6 - static_cast<double>(p * 10) - static_cast<double>(s));
    }
    r.timeseries.push_back(ts);
  }
  for (int e = 0; e < 5; ++e) {
    LiquidationEvent ev;
    ev.point = 0;
    ev.path = e / 2;
    ev.step = 2 + e;
    ev.round = 1 + e % 2;
    ev.asset = e % 2;
    ev.position = e;
    ev.side = static_cast<std::int8_t>(e % 3 == 0 ? -1 : 1);
    ev.size = 100.0 + e;
    ev.fill_price = 1.5 + 0.01 * e;
    ev.bankruptcy_price = 1.4 + 0.01 * e;
    r.events.push_back(ev);
  }
  for (int e = 0; e < 3; ++e) {
    AdlEvent a;
    a.path = e;
    a.step = 3 + e;
    a.round = 2;
    a.asset = e % 2;
    a.position = 2 + e;
    a.side = static_cast<std::int8_t>(e % 2 == 0 ? -1 : 1);
    a.size = 40.0 + e;
    a.price = 1.45 + 0.01 * e;
    a.mark = 1.5 + 0.01 * e;
    a.bankrupt_position = e == 2 ? -1 : e;
    r.adl_events.push_back(a);
  }
  r.account_names = {"alice", "bob", "fund-α"};
  for (int i = 0; i < 4; ++i) {
    InitialPosition pos;
    pos.position = i;
    pos.account = i % 3;
    pos.asset = i % 2;
    pos.side = static_cast<std::int8_t>(i % 2 == 0 ? 1 : -1);
    pos.size = 1000.0 + i;
    pos.entry_price = 2.0 + 0.1 * i;
    pos.margin = 50.0 + i;
    pos.liquidation_price = i == 3 ? std::numeric_limits<double>::quiet_NaN() : 1.8 + 0.1 * i;
    pos.bankruptcy_price = 1.7 + 0.1 * i;
    r.initial_positions.push_back(pos);
  }
  return r;
}

/// Equal, with NaN equal to NaN.
inline bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace cascade::test
