// The agents' sections of a scenario (MODEL.md section 7; docs/agents.md, docs/scenario.md):
// `unlocks:`, `flows:` and the group populations under `population.groups`.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sim/scenario/sections/sections.hpp"

namespace cascade {

namespace {

/// An asset name at `v` -> its index; unknown names are an error with a did-you-mean.
int asset_at(const YamlValue& v, const Scenario& s) {
  const std::string name = v.string();
  const int k = s.asset_index(name);
  if (k < 0)
    v.fail(fmt::format("unknown asset '{}'{} (the scenario's assets: {})", name,
                       did_you_mean(name, asset_names(s)), fmt::join(asset_names(s), ", ")));
  return k;
}

/// `assets: [..]` or `group: name` of a list entry -> asset indices (exactly one of the two).
std::vector<int> assets_or_group(const YamlMap& m, const YamlValue& item, const Scenario& s) {
  if (m.has("assets") == m.has("group"))
    throw InputError(m.has("group") ? m.key_loc("group") : item.where(),
                     item.path() + ": give exactly one of 'assets' (a list) or 'group' (a name)");
  if (const auto g = m.get("group")) {
    const std::string name = g->string();
    for (const GroupSpec& gs : s.groups)
      if (gs.name == name) return gs.assets;
    const std::vector<std::string> names = group_names(s);
    g->fail(fmt::format("unknown group '{}'{}{}", name, did_you_mean(name, names),
                        names.empty() ? " (the scenario defines no groups)" : ""));
  }
  return read_asset_list(m.need("assets"), s);
}

/// Keys of a population block that exclude each other: when a member asset writes one side,
/// its group's keys of the other side are not merged in.
constexpr std::array<std::pair<std::array<std::string_view, 2>, std::array<std::string_view, 2>>, 2>
    kExclusive = {{{{"leverage_table", "leverage_table"}, {"leverage_mean", "leverage_dispersion"}},
                   {{"entry_days", "entry_trend"}, {"entry_spread", "entry_spread"}}}};

bool has_any(const YamlNode& map, const std::array<std::string_view, 2>& keys) {
  return map.find(keys[0]) != nullptr || map.find(keys[1]) != nullptr;
}

/// Merges a group's population block into a member asset's (the asset's keys win).
void merge_population(YamlNode& asset_pop, const YamlNode& group_pop) {
  for (const YamlEntry& e : group_pop.entries) {
    if (asset_pop.find(e.key)) continue;
    bool excluded = false;
    for (const auto& [a, b] : kExclusive) {
      const bool in_a = e.key == a[0] || e.key == a[1];
      const bool in_b = e.key == b[0] || e.key == b[1];
      excluded = excluded || (in_a && has_any(asset_pop, b)) || (in_b && has_any(asset_pop, a));
    }
    if (!excluded) asset_pop.entries.push_back(e);
  }
}

}  // namespace

YamlNode expand_group_populations(const YamlNode& root) {
  const YamlEntry* pop = root.find("population");
  const YamlEntry* groups_of_pop = pop && pop->value.is_map() ? pop->value.find("groups") : nullptr;
  if (!groups_of_pop || groups_of_pop->value.is_null()) return root;
  const YamlValue gv(groups_of_pop->value, "population.groups", groups_of_pop->key_loc);
  if (!gv.node().is_map())
    gv.fail("expected a map of group name -> population block, got " + gv.node().describe());

  YamlNode out = root;
  YamlEntry* assets = out.find("assets");
  const YamlEntry* groups = root.find("groups");
  for (const YamlEntry& g : gv.node().entries) {
    const std::string path = key_path(gv.path(), g.key);
    const YamlEntry* members = groups && groups->value.is_map() ? groups->value.find(g.key) : nullptr;
    if (!members) {
      std::vector<std::string> names;
      if (groups && groups->value.is_map())
        for (const YamlEntry& e : groups->value.entries) names.push_back(e.key);
      throw InputError(g.key_loc, fmt::format("{}: unknown group '{}'{}{}", path, g.key,
                                              did_you_mean(g.key, names),
                                              names.empty() ? " (the scenario defines no groups)" : ""));
    }
    if (!g.value.is_map())
      throw InputError(g.value.loc, fmt::format("{}: expected a population block (a map), got {}",
                                                path, g.value.describe()));
    if (!assets || !assets->value.is_map() || !members->value.is_seq()) continue;  // reported later
    for (const YamlNode& name : members->value.items) {
      YamlEntry* asset = name.is_scalar() ? assets->value.find(name.text) : nullptr;
      if (!asset || !asset->value.is_map()) continue;  // read_groups / read_assets report it
      YamlEntry* own = asset->value.find("population");
      if (!own) {
        asset->value.entries.push_back(YamlEntry{"population", g.key_loc, g.value});
      } else if (own->value.is_map()) {
        merge_population(own->value, g.value);
      } else if (own->value.is_null()) {
        own->value = g.value;
      }
    }
  }
  return out;
}

std::vector<UnlockSpec> read_unlocks(const std::optional<YamlValue>& v, const Scenario& s) {
  std::vector<UnlockSpec> out;
  if (!v) return out;
  for (const YamlValue& item : v->list()) {
    const YamlMap m = item.map({"asset", "at", "fraction_of_supply", "sell_fraction", "sell_over",
                                "recipient", "pre_drift", "pre_drift_over"});
    UnlockSpec u;
    u.loc = item.where();
    const YamlValue asset = m.need("asset");
    u.asset = asset_at(asset, s);
    if (!s.assets[static_cast<std::size_t>(u.asset)].supply)
      asset.fail(fmt::format("asset '{}' has no 'supply' (its circulating supply in base units, "
                             "which fraction_of_supply refers to)",
                             asset.string()));
    u.at_s = m.need("at").number(Range::non_negative());
    u.fraction_of_supply =
        m.need("fraction_of_supply").number(Range::between(0.0, true, 1.0, false));
    u.sell_fraction = m.number("sell_fraction", u.sell_fraction, Range::between(0.0, false, 1.0, false));
    u.sell_over_s = m.number("sell_over", u.sell_over_s, Range::non_negative());
    if (const auto r = m.get("recipient")) u.recipient = r->string();
    u.pre_drift = m.number("pre_drift", u.pre_drift, Range::above(-1.0));
    u.pre_drift_over_s = m.number("pre_drift_over", u.pre_drift_over_s, Range::non_negative());
    if (m.has("pre_drift") && !(u.pre_drift_over_s > 0.0))
      throw InputError(m.key_loc("pre_drift"),
                       item.path() + ": pre_drift needs pre_drift_over > 0 (the window before 'at')");
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<FlowSpec> read_flows(const std::optional<YamlValue>& v, const Scenario& s) {
  std::vector<FlowSpec> out;
  if (!v) return out;
  for (const YamlValue& item : v->list()) {
    const YamlMap m = item.map({"kind", "assets", "group", "drawdown", "full_drawdown",
                                "volatility_sensitivity", "rate", "budget"});
    FlowSpec f;
    f.loc = item.where();
    f.kind = m.need("kind").choice({"panic_sell", "dip_buy"}) == "panic_sell" ? FlowKind::PanicSell
                                                                             : FlowKind::DipBuy;
    f.assets = assets_or_group(m, item, s);
    f.drawdown = m.number("drawdown", f.drawdown, Range::between(0.0, false, 1.0, true));
    f.full_drawdown = m.number("full_drawdown", f.full_drawdown, Range::between(0.0, true, 1.0, true));
    if (!(f.full_drawdown > f.drawdown))
      throw InputError(m.key_loc("full_drawdown"),
                       fmt::format("{}: full_drawdown must be > drawdown (got {} <= {})",
                                   item.path(), f.full_drawdown, f.drawdown));
    f.volatility_sensitivity = m.number("volatility_sensitivity", f.volatility_sensitivity);
    f.rate_usd_per_hour = m.need("rate").number(Range::non_negative());
    f.budget_usd = m.need("budget").number(Range::non_negative());
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace cascade
