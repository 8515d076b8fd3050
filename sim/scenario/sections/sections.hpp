#pragma once
// Internal to the scenario loader: the readers of its larger sections, one file each.
//
//   ../loader.cpp        the root, exchange, engine, groups, shocks, output; orchestration
//   assets.cpp           assets: price, process, tiers, book, population
//   files.cpp            the CSV files: positions, accounts, price replay
//   market.cpp           market: correlation regimes, innovations, jumps; depth-curve files
//   sweep.cpp            sweep: the grid of `cascade sweep` (validated here, run by sim/ensemble/sweep.cpp)
//   agents.cpp           unlocks, flows, population.groups (MODEL.md section 7)
//   exchange.cpp         the liquidation pipeline: exchange.liquidation, .backstop, .adl
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/margin_profile.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep_spec.hpp"
#include "sim/scenario/yaml_check.hpp"

namespace cascade {

/// A file named by a scenario key: the resolved path, and where and by which key it was named.
struct FileRef {
  std::string path;  ///< relative to the scenario file's directory, already joined
  SourceLoc named_at;
  std::string key;  ///< e.g. "positions.file"
};

/// Names of the scenario's assets and groups, in order (for messages and did-you-mean).
std::vector<std::string> asset_names(const Scenario& s);
std::vector<std::string> group_names(const Scenario& s);
/// A non-empty list of distinct asset names -> asset indices (errors at the offending item).
std::vector<int> read_asset_list(const YamlValue& v, const Scenario& s);

/// `assets:` (required, at least one). Asset order is the order of the map. The tier rows
/// follow the exchange profile's conventions (hyperliquid: mmr derived from max_leverage).
std::vector<AssetSpec> read_assets(const YamlValue& assets, Profile profile);

/// A `margin_call` block (`assets.X.population.margin_call`, `population.cross_margin_call`).
MarginCallSpec read_margin_call(const YamlValue& v);

/// The venue's liquidation pipeline (sections/exchange.cpp): the profile's defaults, then the
/// scenario's `exchange.liquidation`, `exchange.backstop` and `exchange.adl`.
void set_pipeline_defaults(ExchangeSpec& e, Profile profile);
void read_pipeline(ExchangeSpec& e, const YamlMap& exchange);

/// Positions CSV and accounts CSV into s.positions and s.accounts (either may be absent).
/// Needs s.assets.
void read_positions(Scenario& s, const std::optional<FileRef>& positions,
                    const std::optional<FileRef>& accounts);

/// `market:` into s.market (may be absent), and the depth-curve CSV files that
/// `assets.*.book.depth_curve` name, relative to `dir`. Needs s.assets and s.groups.
void read_market(Scenario& s, const std::optional<YamlValue>& market,
                 const std::filesystem::path& dir);

/// Replay CSV into s.replay; sets each asset's start price from the row at time 0, and
/// s.steps from the file when `steps_given` is false. Needs s.assets and s.dt_s.
void read_replay(Scenario& s, const FileRef& file, bool steps_given);

/// Funding tape CSV `time,asset,rate` into s.exchange.funding.replay (sorted by time, then asset).
/// Times are seconds from the start within (0, steps*dt]; a repeated (time, asset) is an error.
void read_funding_tape(Scenario& s, const FileRef& file);

/// `sweep:` (null: no sweep). Checks its shape, keys and numbers; it never changes the scenario.
SweepSpec read_sweep(const YamlValue& sweep);

/// The root with each `population.groups.G` block merged into the `population` of every member
/// asset of group G (the asset's own keys win), so that read_assets sees one block per asset
/// and errors point at the line where a key was written. Returns `root` unchanged without
/// group populations.
YamlNode expand_group_populations(const YamlNode& root);

/// `unlocks:` (may be absent). Needs s.assets (with their supply).
std::vector<UnlockSpec> read_unlocks(const std::optional<YamlValue>& unlocks, const Scenario& s);

/// `flows:` (may be absent): panic sellers and dip buyers. Needs s.assets and s.groups.
std::vector<FlowSpec> read_flows(const std::optional<YamlValue>& flows, const Scenario& s);

}  // namespace cascade
