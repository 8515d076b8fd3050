#include "sim/scenario/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_set>

#include "sim/scenario/overrides.hpp"
#include "sim/scenario/sections/sections.hpp"

namespace cascade {

namespace {

/// `exchange.funding` (docs/scenario.md): off unless `enabled: true`.
FileRef file_ref(const std::filesystem::path& dir, const YamlValue& v);

FundingSpec read_funding(const YamlValue& v, const std::filesystem::path& dir,
                         std::optional<FileRef>& tape) {
  const YamlMap m = v.map({"enabled", "interval", "interest", "interest_clamp", "cap", "replay"});
  FundingSpec f;
  if (const auto e = m.get("enabled")) f.enabled = e->boolean();
  if (const auto r = m.get("replay")) {
    if (m.has("enabled") && !f.enabled)
      r->fail("a funding tape charges funding: it cannot go with 'enabled: false'");
    for (const char* k : {"interval", "interest", "interest_clamp", "cap"})
      if (m.has(k))
        throw InputError(m.key_loc(k), fmt::format("{}.{}: the premium model's key does not apply "
                                                   "with a funding tape ('replay' gives the rates)",
                                                   v.path(), k));
    f.enabled = true;
    tape = file_ref(dir, *r);
  }
  f.interval_s = m.number("interval", f.interval_s, Range::non_negative());
  if (const auto i = m.get("interest")) f.interest = i->number(Range::between(-0.01, false, 0.01, false));
  if (const auto c = m.get("interest_clamp")) f.interest_clamp = c->number(Range::non_negative());
  if (const auto c = m.get("cap")) f.cap = c->number(Range::between(0.0, true, 1.0, false));
  return f;
}

/// `exchange.mark`: `book` (mark = mid, the exact model) or `index_basis`.
MarkSpec read_mark(const YamlValue& v) {
  const YamlMap m = v.map({"kind", "basis_halflife", "clamp"});
  MarkSpec k;
  if (const auto kind = m.get("kind"))
    k.kind = kind->choice({"book", "index_basis"}) == "book" ? MarkKind::Book : MarkKind::IndexBasis;
  k.basis_halflife_s = m.number("basis_halflife", k.basis_halflife_s, Range::positive());
  k.clamp = m.number("clamp", k.clamp, Range::between(0.0, true, 1.0, true));
  return k;
}


constexpr long long kIntMax = std::numeric_limits<int>::max();

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError({path, 0, 0},
                     fmt::format("cannot open the scenario file: {}", std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

FileRef file_ref(const std::filesystem::path& dir, const YamlValue& v) {
  const std::string name = v.string();
  if (name.empty()) v.fail("expected a file name, got an empty string");
  const std::filesystem::path p(name);
  return {p.is_absolute() ? name : (dir / p).lexically_normal().string(), v.loc(), v.path()};
}


using Groups = std::map<std::string, std::vector<int>>;

Groups read_groups(const std::optional<YamlValue>& v, const Scenario& s) {
  Groups groups;
  if (!v) return groups;
  if (!v->node().is_null() && !v->node().is_map())
    v->fail("expected a map of group name -> list of assets, got " + v->node().describe());
  for (const YamlEntry& e : v->node().entries) {
    const std::string path = key_path(v->path(), e.key);
    if (e.key.empty() || !std::all_of(e.key.begin(), e.key.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        }))
      throw InputError(e.key_loc, path + ": group names may contain only letters, digits and '_'");
    groups[e.key] = read_asset_list(YamlValue(e.value, path, e.key_loc), s);
  }
  return groups;
}

std::vector<ShockSpec> read_shocks(const std::optional<YamlValue>& v, const Scenario& s,
                                   const Groups& groups) {
  std::vector<ShockSpec> out;
  if (!v) return out;
  for (const YamlValue& item : v->list()) {
    const YamlMap m = item.map({"kind", "at", "assets", "group", "move", "over", "to"});
    ShockSpec sh;
    sh.loc = item.where();
    if (const auto k = m.get("kind"))
      sh.kind = k->choice({"spread", "bridge"}) == "bridge" ? ShockKind::Bridge : ShockKind::Spread;
    if (sh.kind == ShockKind::Bridge) {
      for (const char* k : {"move", "over"})
        if (m.has(k))
          throw InputError(m.key_loc(k), fmt::format("{}.{}: a bridge shock takes 'to' (the move "
                                                     "from the start price) and 'at', not '{}'",
                                                     item.path(), k, k));
      sh.at_s = m.need("at").number(Range::positive());
      sh.move = m.need("to").number(Range::above(-1.0));
    } else {
      if (m.has("to"))
        throw InputError(m.key_loc("to"), item.path() + ".to: 'to' belongs to 'kind: bridge' shocks "
                                                        "(a spread shock takes 'move' and 'over')");
      sh.at_s = m.need("at").number(Range::non_negative());
      sh.over_s = m.number("over", 0.0, Range::non_negative());
      sh.move = m.need("move").number(Range::above(-1.0));
    }
    if (m.has("assets") == m.has("group"))
      throw InputError(m.has("group") ? m.key_loc("group") : item.where(),
                       item.path() + ": give exactly one of 'assets' (a list) or 'group' (a name)");
    if (const auto a = m.get("assets")) sh.assets = read_asset_list(*a, s);
    if (const auto g = m.get("group")) {
      const std::string name = g->string();
      const auto it = groups.find(name);
      if (it == groups.end()) {
        std::vector<std::string> names;
        for (const auto& [n, members] : groups) names.push_back(n);
        g->fail(fmt::format("unknown group '{}'{}{}", name, did_you_mean(name, names),
                            names.empty() ? " (the scenario defines no groups)" : ""));
      }
      sh.assets = it->second;
    }
    out.push_back(std::move(sh));
  }
  return out;
}

/// Bridge shocks pin an asset's path: two pins of one asset in the same step, or a pin beyond the
/// horizon, cannot be met; a replay ignores the process they condition.
void check_bridges(const Scenario& s) {
  std::map<std::pair<int, long long>, const ShockSpec*> seen;
  for (const ShockSpec& sh : s.shocks) {
    if (sh.kind != ShockKind::Bridge) continue;
    if (s.replay)
      throw InputError(sh.loc, "shocks: a 'kind: bridge' shock conditions the price process, and "
                               "a replay drives prices exactly; remove one of them");
    const long long step = static_cast<long long>(std::ceil(sh.at_s / s.dt_s - 1e-9));
    if (step > s.steps)
      throw InputError(sh.loc, fmt::format("shocks: a bridge at {} s is beyond the horizon "
                                           "steps*dt = {} s", sh.at_s, s.steps * s.dt_s));
    for (int k : sh.assets) {
      const auto [it, fresh] = seen.emplace(std::pair{k, step}, &sh);
      if (!fresh)
        throw InputError(sh.loc, fmt::format("shocks: asset {} is pinned twice in step {} (the "
                                             "other bridge is at line {})",
                                             s.assets[static_cast<std::size_t>(k)].name, step,
                                             it->second->loc.line));
    }
  }
}

OutputSpec read_output(const std::optional<YamlValue>& v, int paths) {
  OutputSpec o;
  o.timeseries_paths = {0};
  if (!v) return o;
  const YamlMap m = v->map({"events", "timeseries_paths"});
  if (const auto e = m.get("events")) o.events = e->boolean();
  const auto tp = m.get("timeseries_paths");
  if (!tp) return o;
  o.timeseries_paths.clear();
  if (tp->node().is_scalar()) {
    const long long n = std::min<long long>(tp->integer(0, kIntMax), paths);
    for (int i = 0; i < n; ++i) o.timeseries_paths.push_back(i);
    return o;
  }
  if (!tp->node().is_seq() && !tp->node().is_null())
    tp->fail("expected a list of path indices or a number of paths, got " + tp->node().describe());
  std::unordered_set<int> seen;  // a set: a list of a million paths must not be quadratic
  for (const YamlValue& item : tp->list()) {
    const int i = static_cast<int>(item.integer(0, paths - 1));
    if (!seen.insert(i).second) item.fail(fmt::format("path {} is listed twice", i));
    o.timeseries_paths.push_back(i);
  }
  return o;
}

void read_scenario(Scenario& s, const YamlNode& written, const std::filesystem::path& dir) {
  const YamlNode root = expand_group_populations(written);
  const YamlMap m(root, "", root.loc,
                  {"name", "description", "steps", "dt", "paths", "seed", "replay", "exchange",
                   "engine", "groups", "assets", "shocks", "population", "positions", "output",
                   "sweep", "market", "unlocks", "flows"});
  if (const auto n = m.get("name")) s.name = n->string();
  if (const auto d = m.get("description"); d && !d->node().is_null()) d->string();
  s.steps = m.integer("steps", 0, 0, kIntMax);
  s.dt_s = m.number("dt", 60.0, Range::between(0.0, true, 31536000.0, false));
  s.paths = m.integer("paths", 1, 1, kIntMax);
  if (const auto seed = m.get("seed")) s.seed = seed->uint64();

  std::optional<FileRef> funding_tape;
  Profile profile = Profile::Binance;
  s.exchange.liquidation_fee = traits(profile).default_liquidation_fee;
  if (const auto ex = m.get("exchange")) {
    const YamlMap e = ex->map({"profile", "liquidation_fee", "insurance_fund", "funding", "mark",
                               "liquidation", "backstop", "adl"});
    if (const auto p = e.get("profile")) {
      const std::string name = p->string();
      const std::optional<Profile> known = profile_from_name(name);
      if (!known)
        p->fail(fmt::format("unknown profile '{}'{} (expected one of: {})", name,
                            did_you_mean(name, profile_names()),
                            fmt::join(profile_names(), ", ")));
      profile = *known;
      s.exchange.profile = name;
    }
    const double fee = traits(profile).default_liquidation_fee;  // absent: the profile's own
    s.exchange.liquidation_fee =
        e.number("liquidation_fee", fee, Range::between(0.0, false, 1.0, true));
    s.exchange.insurance_fund_usd =
        e.number("insurance_fund", s.exchange.insurance_fund_usd, Range::non_negative());
    if (const auto f = e.get("funding")) {
      s.exchange.funding = read_funding(*f, dir, funding_tape);
    }
    if (const auto mk = e.get("mark")) s.exchange.mark = read_mark(*mk);
    set_pipeline_defaults(s.exchange, profile);
    // The vault's capital defaults to the insurance fund's: the backstop's money either way.
    s.exchange.backstop.capital_usd = s.exchange.insurance_fund_usd;
    read_pipeline(s.exchange, e);
  }
  if (const auto en = m.get("engine")) {
    const YamlMap engine = en->map({"max_rounds", "check_invariants", "intrastep_extremes"});
    s.engine.max_rounds = engine.integer("max_rounds", 50, 1, kIntMax);
    if (const auto x = engine.get("intrastep_extremes")) {
      s.engine.intrastep_extremes = x->boolean();
      if (s.engine.intrastep_extremes && m.has("replay"))
        x->fail("within-step extremes need a price process; a replay drives the index exactly "
                "(remove 'replay' or set it false)");
    }
    if (const auto c = engine.get("check_invariants")) s.engine.check_invariants = c->boolean();
  }

  s.assets = read_assets(m.need("assets"), profile);
  const Groups groups = read_groups(m.get("groups"), s);
  s.shocks = read_shocks(m.get("shocks"), s, groups);
  for (const auto& [name, members] : groups)
    s.groups.push_back({name, members, m.get("groups")->node().find(name)->key_loc});
  read_market(s, m.get("market"), dir);
  s.unlocks = read_unlocks(m.get("unlocks"), s);
  s.flows = read_flows(m.get("flows"), s);

  if (const auto pop = m.get("population")) {
    const YamlMap pm = pop->map({"sample", "cross_accounts", "groups", "cross_margin_call"});
    if (const auto sample = pm.get("sample"))
      s.sample = sample->choice({"per_path", "per_run"}) == "per_run" ? SampleMode::PerRun
                                                                      : SampleMode::PerPath;
    s.cross_accounts = pm.integer("cross_accounts", s.cross_accounts, 1, 100000000);
    if (const auto c = pm.get("cross_margin_call")) {
      // An account's margin ratio is its maintenance over its equity: the call must come before
      // liquidation in every asset the account may hold.
      s.cross_margin_call = read_margin_call(*c);
      for (const AssetSpec& a : s.assets)
        for (const Tier& t : a.tiers.rows())
          if (!(s.cross_margin_call->warning_ratio > t.mmr))
            throw InputError(s.cross_margin_call->warning_loc,
                             fmt::format("population.cross_margin_call.warning_ratio: {} must be "
                                         "above every tier's mmr (assets.{} has {})",
                                         s.cross_margin_call->warning_ratio, a.name, t.mmr));
    }
  }
  s.output = read_output(m.get("output"), s.paths);
  if (const auto sw = m.get("sweep")) read_sweep(*sw);  // checked here, run by `cascade sweep`

  if (const auto r = m.get("replay")) read_replay(s, file_ref(dir, *r), m.has("steps"));
  if (funding_tape) read_funding_tape(s, *funding_tape);
  check_bridges(s);

  std::optional<FileRef> positions, accounts;
  if (const auto p = m.get("positions")) {
    const YamlMap pm = p->map({"file", "accounts"});
    if (const auto f = pm.get("file")) positions = file_ref(dir, *f);
    if (const auto a = pm.get("accounts")) accounts = file_ref(dir, *a);
  }
  read_positions(s, positions, accounts);
}

}  // namespace

std::vector<std::string> asset_names(const Scenario& s) {
  std::vector<std::string> names;
  for (const AssetSpec& a : s.assets) names.push_back(a.name);
  return names;
}

std::vector<std::string> group_names(const Scenario& s) {
  std::vector<std::string> names;
  for (const GroupSpec& g : s.groups) names.push_back(g.name);
  return names;
}
/// A non-empty list of distinct asset names -> asset indices.
std::vector<int> read_asset_list(const YamlValue& v, const Scenario& s) {
  std::vector<int> out;
  const std::vector<YamlValue> items = v.list();
  if (items.empty()) v.fail("expected a non-empty list of asset names");
  for (const YamlValue& item : items) {
    const std::string name = item.string();
    const int k = s.asset_index(name);
    if (k < 0)
      item.fail(fmt::format("unknown asset '{}'{} (the scenario's assets: {})", name,
                            did_you_mean(name, asset_names(s)), fmt::join(asset_names(s), ", ")));
    if (std::find(out.begin(), out.end(), k) != out.end())
      item.fail(fmt::format("asset '{}' is listed twice", name));
    out.push_back(k);
  }
  return out;
}

void require_simulated(const Scenario& s) {
  for (const AssetSpec& a : s.assets)
    if (a.contract == ContractKind::Inverse)
      throw InputError(a.contract_loc,
                       fmt::format("assets.{}.contract: inverse contracts are not yet simulated by "
                                   "the engine (cascade levels computes their liquidation and "
                                   "bankruptcy prices; docs/market.md \"Inverse contracts\"); "
                                   "use 'contract: linear' to run",
                                   a.name));
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return load_scenario_text(read_text(path), path, overrides);
}

Scenario load_scenario_text(const std::string& text, const std::string& path,
                            const std::vector<std::string>& overrides) {
  YamlNode root = parse_yaml(text, path);
  for (std::size_t i = 0; i < overrides.size(); ++i)
    apply_override(root, overrides[i], static_cast<int>(i) + 1);

  Scenario s;
  s.file = path;
  s.name = std::filesystem::path(path).stem().string();
  read_scenario(s, root, std::filesystem::path(path).parent_path());

  // The resolved text names the scenario explicitly, so that it loads to the same Scenario from
  // a file of any name.
  if (!root.find("name")) {
    YamlNode name;
    name.kind = YamlNode::Kind::Scalar;
    name.text = s.name;
    name.quoted = true;
    root.entries.insert(root.entries.begin(), YamlEntry{"name", {}, std::move(name)});
  }
  s.resolved_yaml = emit_yaml(root);
  return s;
}

}  // namespace cascade
