// `market:` of a scenario (correlation regimes, innovations, jumps) and the L2 depth-curve files
// named by `assets.*.book.depth_curve` (docs/market.md, docs/scenario.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/correlation.hpp"
#include "sim/scenario/csv.hpp"
#include "sim/scenario/sections/sections.hpp"

namespace cascade {

namespace {

const GroupSpec* find_group(const Scenario& s, const std::string& name) {
  for (const GroupSpec& g : s.groups)
    if (g.name == name) return &g;
  return nullptr;
}

/// A group name at `v` -> its assets; unknown names are an error with a did-you-mean.
const std::vector<int>& group_assets(const Scenario& s, const std::string& name,
                                     const SourceLoc& at, const std::string& path) {
  if (const GroupSpec* g = find_group(s, name)) return g->assets;
  const std::vector<std::string> names = group_names(s);
  throw InputError(at,
                   fmt::format("{}: unknown group '{}'{}{}", path, name, did_you_mean(name, names),
                               names.empty() ? " (the scenario defines no groups)" : ""));
}

/// One side of a pair key ("BTC" or a group name) -> asset indices.
std::vector<int> pair_side(const Scenario& s, const std::string& name, const YamlEntry& e,
                           const std::string& path) {
  const int k = s.asset_index(name);
  const GroupSpec* g = find_group(s, name);
  if (k >= 0 && g)
    throw InputError(
        e.key_loc,
        fmt::format("{}: '{}' is both an asset and a group; rename the group", path, name));
  if (k >= 0) return {k};
  if (g) return g->assets;
  std::vector<std::string> known = asset_names(s);
  const std::vector<std::string> groups = group_names(s);
  known.insert(known.end(), groups.begin(), groups.end());
  throw InputError(e.key_loc, fmt::format("{}: '{}' is neither an asset nor a group{}", path, name,
                                          did_you_mean(name, known)));
}

constexpr Range kRho = {-1.0, 1.0, false, false};

void set_pair(std::vector<double>& c, std::size_t n, int a, int b, double rho) {
  const auto i = static_cast<std::size_t>(a), j = static_cast<std::size_t>(b);
  c[i * n + j] = c[j * n + i] = rho;
}

/// A correlation block -> a validated assets x assets matrix. Entries apply in this order, later
/// ones winning: `default` (every pair), `groups` (pairs within each group, in the order
/// written), `matrix` (the pairs of its `assets`), `pairs` (in the order written).
std::vector<double> read_correlation(const YamlValue& v, const Scenario& s) {
  const YamlMap m = v.map({"default", "groups", "pairs", "assets", "matrix"});
  const std::size_t n = s.assets.size();
  std::vector<double> c(n * n, 0.0);
  const double rho0 = m.number("default", 0.0, kRho);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) c[i * n + j] = i == j ? 1.0 : rho0;

  if (const auto g = m.get("groups")) {
    if (!g->node().is_null() && !g->node().is_map())
      g->fail("expected a map of group name -> correlation, got " + g->node().describe());
    for (const YamlEntry& e : g->node().entries) {
      const std::string path = key_path(g->path(), e.key);
      const std::vector<int>& members = group_assets(s, e.key, e.key_loc, path);
      const double rho = YamlValue(e.value, path, e.key_loc).number(kRho);
      for (std::size_t a = 0; a < members.size(); ++a)
        for (std::size_t b = a + 1; b < members.size(); ++b)
          set_pair(c, n, members[a], members[b], rho);
    }
  }

  if (m.has("matrix") != m.has("assets"))
    throw InputError(m.has("matrix") ? m.key_loc("matrix") : m.key_loc("assets"),
                     v.path() + ": 'matrix' and 'assets' (its row and column order) go together");
  if (const auto mat = m.get("matrix")) {
    const std::vector<int> order = read_asset_list(m.need("assets"), s);
    const std::vector<YamlValue> rows = mat->list();
    if (rows.size() != order.size())
      mat->fail(fmt::format("expected {} rows (one per asset in 'assets'), got {}", order.size(),
                            rows.size()));
    std::vector<std::vector<double>> x(order.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::vector<YamlValue> cols = rows[i].list();
      if (cols.size() != order.size())
        rows[i].fail(fmt::format("expected {} numbers, got {}", order.size(), cols.size()));
      for (std::size_t j = 0; j < cols.size(); ++j) {
        const double rho = cols[j].number(kRho);
        const std::string& a = s.assets[static_cast<std::size_t>(order[i])].name;
        const std::string& b = s.assets[static_cast<std::size_t>(order[j])].name;
        if (i == j && rho != 1.0)
          cols[j].fail(
              fmt::format("diagonal element {}/{} must be 1, got {}", a, b, cols[j].node().text));
        if (j < i && std::abs(rho - x[j][i]) > kCorrelationTolerance)
          cols[j].fail(
              fmt::format("not symmetric: {}/{} is {} but {}/{} is {}", a, b, rho, b, a, x[j][i]));
        x[i].push_back(rho);
      }
    }
    for (std::size_t i = 0; i < order.size(); ++i)
      for (std::size_t j = 0; j < i; ++j) set_pair(c, n, order[i], order[j], x[i][j]);
  }

  if (const auto p = m.get("pairs")) {
    if (!p->node().is_null() && !p->node().is_map())
      p->fail("expected a map of 'A/B' -> correlation, got " + p->node().describe());
    for (const YamlEntry& e : p->node().entries) {
      const std::string path = key_path(p->path(), e.key);
      const auto slash = e.key.find('/');
      if (slash == std::string::npos || e.key.find('/', slash + 1) != std::string::npos)
        throw InputError(e.key_loc, path + ": expected a pair 'A/B' of two assets or groups");
      const std::vector<int> left = pair_side(s, e.key.substr(0, slash), e, path);
      const std::vector<int> right = pair_side(s, e.key.substr(slash + 1), e, path);
      for (int a : left)
        if (std::find(right.begin(), right.end(), a) != right.end())
          throw InputError(e.key_loc,
                           fmt::format("{}: asset '{}' is on both sides (an asset's correlation "
                                       "with itself is 1; within a group use 'groups')",
                                       path, s.assets[static_cast<std::size_t>(a)].name));
      const double rho = YamlValue(e.value, path, e.key_loc).number(kRho);
      for (int a : left)
        for (int b : right) set_pair(c, n, a, b, rho);
    }
  }

  if (const auto problem = check_correlation(c, n, asset_names(s)))
    v.fail("not a correlation matrix: " + problem->message);
  return c;
}

std::vector<CorrelationRegime> read_regimes(const YamlMap& m, const Scenario& s) {
  std::vector<CorrelationRegime> out;
  const auto base = m.get("correlation");
  const auto regimes = m.get("regimes");
  if (!base && !regimes) return out;
  const std::size_t n = s.assets.size();
  CorrelationRegime first;
  if (base) {
    first.matrix = read_correlation(*base, s);
    first.loc = base->loc();
  } else {
    first.matrix.assign(n * n, 0.0);
    for (std::size_t k = 0; k < n; ++k) first.matrix[k * n + k] = 1.0;
  }
  out.push_back(std::move(first));
  if (!regimes) return out;
  double last = -1.0;
  for (const YamlValue& item : regimes->list()) {
    const YamlMap r = item.map({"from", "correlation"});
    CorrelationRegime g;
    const YamlValue from = r.need("from");
    g.from_s = from.number(Range::non_negative());
    if (g.from_s <= last)
      from.fail(
          fmt::format("regimes must start at strictly increasing times (the previous one "
                      "starts at {} s)",
                      last));
    last = g.from_s;
    const YamlValue c = r.need("correlation");
    g.matrix = read_correlation(c, s);
    g.loc = c.loc();
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<JumpSpec> read_jumps(const std::optional<YamlValue>& v, const Scenario& s) {
  std::vector<JumpSpec> out;
  if (!v) return out;
  for (const YamlValue& item : v->list()) {
    const YamlMap m = item.map({"assets", "group", "rate_per_day", "mean", "sd", "common"});
    JumpSpec j;
    j.loc = item.where();
    if (m.has("assets") == m.has("group"))
      throw InputError(m.has("group") ? m.key_loc("group") : item.where(),
                       item.path() + ": give exactly one of 'assets' (a list) or 'group' (a name)");
    if (const auto a = m.get("assets")) j.assets = read_asset_list(*a, s);
    if (const auto g = m.get("group")) j.assets = group_assets(s, g->string(), g->loc(), g->path());
    j.rate_per_day = m.need("rate_per_day").number(Range::between(0.0, false, 1e4, false));
    j.mean_log = m.need("mean").number(Range::between(-5.0, false, 5.0, false));
    j.sd_log = m.number("sd", 0.0, kDispersionRange);
    if (const auto c = m.get("common")) j.common = c->boolean();
    out.push_back(std::move(j));
  }
  return out;
}

/// `market.volatility_regimes`: [{from, volatility: {ASSET or GROUP: annualised volatility}}].
/// Each regime is complete: an asset it does not name has its own `volatility` again; within a
/// regime, entries apply in the order written (an asset after its group wins).
std::vector<VolatilityRegime> read_volatility_regimes(const std::optional<YamlValue>& v,
                                                      const Scenario& s) {
  std::vector<VolatilityRegime> out;
  if (!v) return out;
  double last = -1.0;
  for (const YamlValue& item : v->list()) {
    const YamlMap r = item.map({"from", "volatility"});
    VolatilityRegime g;
    g.loc = item.where();
    const YamlValue from = r.need("from");
    g.from_s = from.number(Range::non_negative());
    if (g.from_s <= last)
      from.fail(fmt::format("volatility regimes must start at strictly increasing times (the "
                            "previous one starts at {} s)",
                            last));
    last = g.from_s;
    for (const AssetSpec& a : s.assets) g.volatility.push_back(a.process.volatility_annual);
    const YamlValue vol = r.need("volatility");
    if (!vol.node().is_map() || vol.node().entries.empty())
      vol.fail("expected a map of asset or group -> annualised volatility, got " + vol.node().describe());
    for (const YamlEntry& e : vol.node().entries) {
      const std::string path = key_path(vol.path(), e.key);
      const double x = YamlValue(e.value, path, e.key_loc).number(Range::non_negative());
      for (int k : pair_side(s, e.key, e, path)) g.volatility[static_cast<std::size_t>(k)] = x;
    }
    out.push_back(std::move(g));
  }
  return out;
}

void read_depth_curve(AssetSpec& a, const std::filesystem::path& dir) {
  DepthCurveSpec& spec = *a.depth_curve;
  const std::string key = "assets." + a.name + ".book.depth_curve";
  const std::filesystem::path p(spec.file);
  spec.file = p.is_absolute() ? spec.file : (dir / p).lexically_normal().string();
  const CsvTable t = read_csv(spec.file, spec.named_at, key);
  const std::vector<std::size_t> cols = bind_columns(t, {"distance", "bid_depth", "ask_depth"});
  static const char* const kNames[] = {"distance", "bid_depth", "ask_depth"};
  std::vector<double> x[3];
  for (const CsvRow& row : t.rows)
    for (std::size_t c = 0; c < 3; ++c) {
      const std::string& text = row.fields[cols[c]].text;
      const std::optional<double> v = parse_number(text);
      if (!v)
        throw InputError(t.at(row, cols[c]),
                         fmt::format("column '{}': expected a number, got '{}'", kNames[c], echo(text)));
      x[c].push_back(*v);
    }
  if (t.rows.empty())
    throw InputError({spec.file, 0, 0}, "a depth curve needs at least one row after the header");
  if (const auto problem = DepthCurve::check(x[0], x[1], x[2])) {
    std::size_t c = 0;
    while (c < 2 && problem->column != kNames[c]) ++c;
    throw InputError(t.at(t.rows[problem->row], cols[c]),
                     fmt::format("column '{}': {}", problem->column, problem->message));
  }
  spec.curve = DepthCurve(std::move(x[0]), std::move(x[1]), std::move(x[2]));
}

}  // namespace

void read_market(Scenario& s, const std::optional<YamlValue>& market,
                 const std::filesystem::path& dir) {
  for (AssetSpec& a : s.assets)
    if (a.depth_curve) {
      read_depth_curve(a, dir);
      s.input_files.push_back(a.depth_curve->file);
    }
  if (!market) return;
  const YamlMap m =
      market->map({"innovations", "nu", "correlation", "regimes", "jumps", "volatility_regimes"});
  if (const auto i = m.get("innovations"))
    s.market.innovations = i->choice({"normal", "student_t"}) == "student_t" ? Innovations::StudentT
                                                                             : Innovations::Normal;
  if (const auto nu = m.get("nu")) {
    if (s.market.innovations != Innovations::StudentT)
      nu->fail("'nu' applies only to 'innovations: student_t'");
    s.market.nu = nu->number(Range::above(2.0));
  }
  s.market.correlation = read_regimes(m, s);
  s.market.jumps = read_jumps(m.get("jumps"), s);
  s.market.volatility_regimes = read_volatility_regimes(m.get("volatility_regimes"), s);
}

}  // namespace cascade
