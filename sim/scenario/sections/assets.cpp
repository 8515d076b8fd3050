// `assets:` of a scenario: start price, price process, tier table, book, population.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "sim/scenario/sections/sections.hpp"

namespace cascade {

namespace {

bool valid_name(const std::string& n) {
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// One tier's maintenance-margin rate: given, or derived from max_leverage by the profile
/// (hyperliquid), in which case a given mmr must agree (to 0.5 %, for rounded percentages).
double read_mmr(const YamlMap& m, double max_leverage, Profile profile) {
  if (!traits(profile).mmr_from_max_leverage) return m.need("mmr").number();
  if (!(max_leverage >= 1.0)) return 0.5;  // TierTable::validate reports the max_leverage
  const double derived = *derived_mmr(profile, max_leverage);
  if (const auto given = m.get("mmr")) {
    const double g = given->number();
    if (!(std::abs(g - derived) <= 0.005 * derived))
      given->fail(fmt::format("mmr {} disagrees with the {} rate 1/(2*max_leverage) = {:.6g} for "
                              "max_leverage {} (omit mmr to derive it)",
                              given->node().text, traits(profile).name, derived, max_leverage));
  }
  return derived;
}

TierTable read_tiers(const YamlValue& v, Profile profile) {
  const std::vector<YamlValue> items = v.list();
  if (items.empty()) v.fail("at least one tier is required");
  std::vector<Tier> rows;
  std::vector<std::optional<double>> cum;
  std::vector<YamlMap> maps;
  for (const YamlValue& item : items) {
    const YamlMap m = item.map({"floor", "max_leverage", "mmr", "cum"});
    Tier t;
    t.floor_usd = m.need("floor").number();
    t.max_leverage = m.need("max_leverage").number();
    t.mmr = read_mmr(m, t.max_leverage, profile);
    rows.push_back(t);
    const auto c = m.get("cum");
    cum.push_back(c ? std::optional<double>(c->number()) : std::nullopt);
    maps.push_back(m);
  }
  if (const std::optional<TierProblem> p = TierTable::validate(rows, cum)) {
    const std::size_t i = std::min(p->row, items.size() - 1);
    const auto field = maps[i].get(p->field);
    if (field && p->field == "cum") field->fail(p->message);
    if (field) field->fail(fmt::format("{} (got {})", p->message, field->node().text));
    v.fail(p->message);
  }
  return TierTable(std::move(rows));
}

/// Default depth and refill time of an asset class (docs/market.md gives the sources).
struct DepthClass {
  std::string_view name;
  double depth_1pct_usd;
  double tau_refill_s;
};
constexpr DepthClass kDepthClasses[] = {
    {"major", 4.0e7, 300.0},       // BTC
    {"large_cap", 1.5e7, 300.0},   // ETH, SOL
    {"mid_cap", 1.0e6, 900.0},     // top-100 alts: FET, TAO, RENDER, WLD, PAXG
    {"small_cap", 1.5e5, 1800.0},  // the long tail
};

/// `book:`; a `depth_curve` file is only named here (read by read_market, which knows the
/// scenario's directory).
BookParams read_book(const YamlValue& v, AssetSpec& a) {
  const YamlMap m = v.map({"depth_1pct", "beta", "tau_refill", "eta", "vol_base", "vol_halflife",
                           "w_min", "displacement_cap", "depth_class", "depth_curve"});
  BookParams b;
  if (const auto c = m.get("depth_class")) {
    const std::string name = c->choice({"major", "large_cap", "mid_cap", "small_cap"});
    for (const DepthClass& d : kDepthClasses)
      if (d.name == name) {
        b.depth_1pct_usd = d.depth_1pct_usd;
        b.tau_refill_s = d.tau_refill_s;
      }
  }
  if (const auto f = m.get("depth_curve")) {
    for (const char* other : {"depth_1pct", "beta", "depth_class"})
      if (m.has(other))
        throw InputError(m.key_loc(other), fmt::format("{}: not used with 'depth_curve' (the curve "
                                                       "gives the depth and its shape)",
                                                       key_path(v.path(), other)));
    const std::string file = f->string();
    if (file.empty()) f->fail("expected a file name, got an empty string");
    a.depth_curve = DepthCurveSpec{file, f->loc(), {}};
  }
  b.depth_1pct_usd = m.number("depth_1pct", b.depth_1pct_usd, Range::positive());
  b.beta = m.number("beta", b.beta, Range::positive());
  b.tau_refill_s = m.number("tau_refill", b.tau_refill_s, Range::positive());
  b.eta = m.number("eta", b.eta, Range::non_negative());
  b.vol_base_annual = m.number("vol_base", b.vol_base_annual, Range::between(0.0, true, 10.0, false));
  b.vol_halflife_s = m.number("vol_halflife", b.vol_halflife_s, Range::positive());
  b.w_min = m.number("w_min", b.w_min, Range::between(0.0, true, 1.0, false));
  b.displacement_cap =
      m.number("displacement_cap", b.displacement_cap, Range::between(0.0, true, 1.0, true));
  return b;
}

GarchSpec read_garch(const YamlValue& v, double volatility) {
  const YamlMap m = v.map({"alpha", "beta", "omega"});
  GarchSpec g;
  g.loc = v.where();
  g.alpha = m.need("alpha").number(Range::non_negative());
  g.beta = m.need("beta").number(Range::non_negative());
  if (!(g.alpha + g.beta < 1.0))
    v.fail(fmt::format("alpha + beta must be < 1 for a stationary variance (got {} + {} = {})",
                       g.alpha, g.beta, g.alpha + g.beta));
  if (const auto o = m.get("omega")) g.omega = o->number(Range::positive());
  if (!g.omega && volatility <= 0.0)
    v.fail("needs 'omega' or the asset's 'volatility' > 0 (the long-run volatility)");
  return g;
}

/// `population.leverage_table`: rows `{leverage, weight}` (an empirical distribution).
std::vector<LeverageRow> read_leverage_table(const YamlValue& v) {
  std::vector<LeverageRow> rows;
  const std::vector<YamlValue> items = v.list();
  if (items.empty()) v.fail("expected a non-empty list of {leverage, weight} rows");
  for (const YamlValue& item : items) {
    const YamlMap m = item.map({"leverage", "weight"});
    LeverageRow r;
    r.leverage = m.need("leverage").number(Range::at_least(1.0));
    r.weight = m.number("weight", r.weight, Range::positive());
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

/// `population.margin_call`, `population.cross_margin_call` (docs/agents.md).
MarginCallSpec read_margin_call(const YamlValue& v) {
  const YamlMap m = v.map({"warning_ratio", "top_up", "top_up_amount", "wallet", "reduce",
                           "reduce_fraction"});
  MarginCallSpec c;
  c.loc = v.where();
  c.warning_loc = m.has("warning_ratio") ? m.key_loc("warning_ratio") : c.loc;
  c.warning_ratio =
      m.number("warning_ratio", c.warning_ratio, Range::between(0.0, true, 1.0, true));
  c.top_up_probability = m.number("top_up", c.top_up_probability, Range::between(0.0, false, 1.0, false));
  c.top_up_amount = m.number("top_up_amount", c.top_up_amount, Range::positive());
  c.wallet = m.number("wallet", c.wallet, Range::non_negative());
  c.reduce_probability = m.number("reduce", c.reduce_probability, Range::between(0.0, false, 1.0, false));
  c.reduce_fraction =
      m.number("reduce_fraction", c.reduce_fraction, Range::between(0.0, true, 1.0, false));
  if (c.top_up_probability + c.reduce_probability > 1.0)
    throw InputError(m.key_loc("reduce"),
                     fmt::format("{}: top_up + reduce must be <= 1 (got {} + {}); the rest ignore "
                                 "the call",
                                 v.path(), c.top_up_probability, c.reduce_probability));
  return c;
}

namespace {

PopulationSpec read_population(const YamlValue& v) {
  const YamlMap m = v.map({"count", "long_share", "leverage_mean", "leverage_dispersion",
                           "notional_median", "notional_dispersion", "entry_spread",
                           "cross_share", "leverage_table", "entry_days", "entry_trend",
                           "stop_share", "stop_distance", "stop_dispersion", "margin_call",
                           "arrivals_per_day", "arrival_cross_share"});
  PopulationSpec p;
  p.count = static_cast<int>(m.need("count").integer(0, std::numeric_limits<int>::max()));
  p.long_share = m.number("long_share", p.long_share, Range::between(0.0, false, 1.0, false));
  p.leverage_mean = m.number("leverage_mean", p.leverage_mean, Range::between(1.0, false, 1000.0, false));
  p.leverage_dispersion =
      m.number("leverage_dispersion", p.leverage_dispersion, kDispersionRange);
  p.notional_median_usd = m.number("notional_median", p.notional_median_usd, Range::positive());
  p.notional_dispersion =
      m.number("notional_dispersion", p.notional_dispersion, kDispersionRange);
  p.entry_spread = m.number("entry_spread", p.entry_spread, kDispersionRange);
  p.cross_share = m.number("cross_share", p.cross_share, Range::between(0.0, false, 1.0, false));
  p.loc = v.where();
  if (const auto t = m.get("leverage_table")) {
    for (const char* other : {"leverage_mean", "leverage_dispersion"})
      if (m.has(other))
        throw InputError(m.key_loc(other),
                         fmt::format("{}: not used with 'leverage_table' (the table is the "
                                     "leverage distribution)",
                                     key_path(v.path(), other)));
    p.leverage_table = read_leverage_table(*t);
  }
  p.entry_days = m.number("entry_days", p.entry_days, Range::non_negative());
  p.entry_trend = m.number("entry_trend", p.entry_trend);
  if (m.has("entry_days") && m.has("entry_spread"))
    throw InputError(m.key_loc("entry_spread"),
                     fmt::format("{}: not used with 'entry_days' (entries then follow the "
                                 "asset's volatility over the past days)",
                                 key_path(v.path(), "entry_spread")));
  if (m.has("entry_trend") && !(p.entry_days > 0.0))
    throw InputError(m.key_loc("entry_trend"),
                     fmt::format("{}: needs 'entry_days' > 0", key_path(v.path(), "entry_trend")));
  p.stop_share = m.number("stop_share", p.stop_share, Range::between(0.0, false, 1.0, false));
  p.stop_distance =
      m.number("stop_distance", p.stop_distance, Range::between(0.0, true, 1.0, true));
  p.stop_dispersion = m.number("stop_dispersion", p.stop_dispersion, kDispersionRange);
  if (const auto c = m.get("margin_call")) p.margin_call = read_margin_call(*c);
  p.arrivals_per_day = m.number("arrivals_per_day", p.arrivals_per_day, Range::between(0.0, false, 1e9, false));
  p.arrival_cross_share = m.number("arrival_cross_share", p.arrival_cross_share,
                                   Range::between(0.0, false, 1.0, false));
  return p;
}

AssetSpec read_asset(const YamlEntry& e, const std::string& path, Profile profile) {
  const YamlValue v(e.value, path, e.key_loc);
  if (!valid_name(e.key))
    throw InputError(e.key_loc, path + ": asset names may contain only letters, digits and '_'");
  if (e.value.is_null()) v.fail("expected a map with at least 'price' and 'tiers', got nothing");
  const YamlMap m = v.map({"price", "drift", "volatility", "tiers", "book", "population", "garch",
                           "index_coupling", "supply", "contract"});
  AssetSpec a;
  a.name = e.key;
  a.loc = e.key_loc;
  if (const auto c = m.get("contract")) {
    a.contract = c->choice({"linear", "inverse"}) == "inverse" ? ContractKind::Inverse : ContractKind::Linear;
    a.contract_loc = c->loc();
  }
  a.price_usd = m.need("price").number(Range::positive());
  a.process.drift_annual = m.number("drift", 0.0, Range::between(-10.0, false, 10.0, false));
  a.process.volatility_annual = m.number("volatility", 0.0, kVolatilityRange);
  a.tiers = read_tiers(m.need("tiers"), profile);
  if (const auto b = m.get("book")) a.book = read_book(*b, a);
  if (const auto g = m.get("garch")) a.process.garch = read_garch(*g, a.process.volatility_annual);
  a.index_coupling = m.number("index_coupling", 0.0, Range::between(0.0, false, 1.0, false));
  if (const auto p = m.get("population")) {
    a.population = read_population(*p);
    // A margin call comes before the liquidation: its margin ratio MM/equity must be above every
    // tier's maintenance rate, or there is no price at which it is reached first.
    if (const auto& c = a.population->margin_call) {
      double mmr_max = 0.0;
      for (const Tier& t : a.tiers.rows()) mmr_max = std::max(mmr_max, t.mmr);
      if (!(c->warning_ratio > mmr_max))
        throw InputError(c->warning_loc,
                         fmt::format("{}.population.margin_call.warning_ratio: {} must be above every "
                                     "tier's mmr (the largest is {})",
                                     path, c->warning_ratio, mmr_max));
    }
  }
  if (const auto sup = m.get("supply")) a.supply = sup->number(Range::positive());
  if (a.contract == ContractKind::Inverse) {
    if (profile != Profile::Binance && profile != Profile::Bybit)
      throw InputError(a.contract_loc, fmt::format("{}.contract: inverse contracts follow Binance "
                                                   "COIN-M or Bybit inverse rules; the profile has "
                                                   "none (use exchange.profile binance or bybit)",
                                                   path));
    if (m.has("population"))
      throw InputError(m.key_loc("population"),
                       fmt::format("{}.population: inverse positions come from the positions CSV "
                                   "(size: USD face value, margin: coin); populations are linear",
                                   path));
  }
  return a;
}

}  // namespace

std::vector<AssetSpec> read_assets(const YamlValue& assets, Profile profile) {
  if (!assets.node().is_map())
    assets.fail("expected a map of asset name -> asset, got " + assets.node().describe());
  if (assets.node().entries.empty()) assets.fail("at least one asset is required");
  std::vector<AssetSpec> out;
  for (const YamlEntry& e : assets.node().entries)
    out.push_back(read_asset(e, key_path(assets.path(), e.key), profile));
  return out;
}

}  // namespace cascade
