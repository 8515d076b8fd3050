// `sweep:` of a scenario: the grid `cascade sweep` runs (docs/scenario.md, "sweep").
//
//   sweep:
//     params:
//       - {key: assets.FET.population.leverage_mean, values: [2, 5, 10, 20, 50]}
//       - {keys: [assets.FET.book.depth_1pct, assets.TAO.book.depth_1pct], values: [5e5, 1e6]}
//
// The block only describes the grid; it never changes the scenario it is written in. Each point
// is the scenario with `key=value` overrides applied like `--set`, so the values are checked by
// the loader exactly like values written in place (sim/ensemble/sweep.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/scenario/overrides.hpp"
#include "sim/scenario/sections/sections.hpp"
#include "sim/scenario/sweep_spec.hpp"

namespace cascade {

namespace {

SourceLoc inside(const YamlNode& n) {
  SourceLoc at = n.loc;
  if (n.quoted && at.col > 0) ++at.col;  // past the opening quote
  return at;
}

void read_key(const YamlValue& v, SweepAxisSpec& axis) {
  const std::string key = v.string();
  if (key.empty()) v.fail("expected a scenario key (e.g. assets.BTC.price), got an empty string");
  if (const std::string problem = sweep_key_problem(key); !problem.empty()) v.fail(problem);
  axis.keys.push_back(key);
  axis.key_locs.push_back(inside(v.node()));
}

}  // namespace

SweepSpec read_sweep(const YamlValue& v) {
  SweepSpec spec;
  if (v.node().is_null()) return spec;
  const YamlMap m = v.map({"params", "independent_points"});
  if (const auto ip = m.get("independent_points")) spec.independent_points = ip->boolean();
  const std::vector<YamlValue> params = m.need("params").list();
  if (params.empty()) m.need("params").fail("expected a non-empty list of {key, values} maps");
  std::vector<std::pair<std::string, SourceLoc>> seen;  // canonical key -> where first given
  for (const YamlValue& item : params) {
    const YamlMap p = item.map({"key", "keys", "values"});
    if (p.has("key") == p.has("keys"))
      throw InputError(p.has("keys") ? p.key_loc("keys") : item.where(),
                       item.path() +
                           ": give exactly one of 'key' (a scenario key) or 'keys' "
                           "(a list of keys that take the values together)");
    SweepAxisSpec axis;
    if (const auto k = p.get("key")) read_key(*k, axis);
    if (const auto ks = p.get("keys")) {
      const std::vector<YamlValue> keys = ks->list();
      if (keys.empty()) ks->fail("expected a non-empty list of scenario keys");
      for (const YamlValue& k : keys) read_key(k, axis);
    }
    for (std::size_t i = 0; i < axis.keys.size(); ++i) {
      const std::string canon = canonical_sweep_key(axis.keys[i]);
      const auto it =
          std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == canon; });
      if (it != seen.end())
        throw InputError(axis.key_locs[i],
                         fmt::format("{}: key '{}' is swept twice (first at line {})", item.path(),
                                     axis.keys[i], it->second.line));
      seen.emplace_back(canon, axis.key_locs[i]);
    }
    const YamlValue values = p.need("values");
    const std::vector<YamlValue> items = values.list();
    if (items.empty()) values.fail("expected a non-empty list of numbers");
    for (const YamlValue& x : items) {
      axis.numbers.push_back(x.number());
      axis.values.push_back(x.node().text);
      axis.value_locs.push_back(x.loc());
    }
    spec.axes.push_back(std::move(axis));
  }
  return spec;
}

SweepSpec load_sweep_block(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError({path, 0, 0},
                     fmt::format("cannot open the scenario file: {}", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  YamlNode root = parse_yaml(text.str(), path);
  for (std::size_t i = 0; i < overrides.size(); ++i)
    apply_override(root, overrides[i], static_cast<int>(i) + 1);
  if (!root.is_map()) return {};
  const YamlEntry* e = root.find("sweep");
  if (e == nullptr) return {};
  return read_sweep(YamlValue(e->value, "sweep", e->key_loc));
}

}  // namespace cascade
