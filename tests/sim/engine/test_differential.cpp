// The engine against the naive reference (tests/sim/engine/reference_engine.hpp) on generated
// scenarios: random profiles, tier tables, book shapes, marks, funds, funding, cross accounts,
// stop-losses and margin calls, over replayed price paths with crashes and squeezes. Every
// outcome, every liquidation and ADL fill and every mark must agree (1e-9 relative).
//
// Budget: CASCADE_DIFFERENTIAL_SCENARIOS (default 300: what ctest runs), first seed
// CASCADE_DIFFERENTIAL_SEED (default 1). The long run (docs/engine.md "Verification"):
//   CASCADE_DIFFERENTIAL_SCENARIOS=20000 build/release/tests/cascade_tests
//   -tc='Engine.Differential.*'
// A failure names its seed; CASCADE_DIFFERENTIAL_SEED=<seed> CASCADE_DIFFERENTIAL_SCENARIOS=1
// replays it alone, and CASCADE_DIFFERENTIAL_DUMP=1 prints every fill of both to compare.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>

#include "sim/book/initial_book.hpp"
#include "sim/engine/engine.hpp"
#include "tests/sim/engine/fixtures.hpp"
#include "tests/sim/engine/reference_engine.hpp"

using namespace cascade;

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Generated {
  Scenario sc;
  std::vector<reference::Extras> extras;
  MarginCallSpec calls;
  bool has_calls = false;
};

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}
  double u() { return uniform_(rng_); }
  double between(double a, double b) { return a + (b - a) * u(); }
  int integer(int a, int b) { return a + static_cast<int>(u() * (b - a + 1)) % (b - a + 1); }
  bool chance(double p) { return u() < p; }

 private:
  boost::random::mt19937_64 rng_;
  boost::random::uniform_01<double> uniform_;
};

TierTable tiers(Gen& g, const std::string& profile) {
  const int rows = g.integer(1, 3);
  std::vector<Tier> t;
  double floor = 0, lev = std::round(g.between(20, 100)), mmr = g.between(0.004, 0.012);
  for (int j = 0; j < rows; ++j) {
    if (profile == "hyperliquid") mmr = 1.0 / (2.0 * lev);
    t.push_back({floor, lev, mmr, 0});
    floor = floor == 0 ? std::round(g.between(3000, 30000)) : floor * g.between(3, 8);
    lev = std::max(2.0, std::round(lev / g.between(1.5, 3)));
    mmr = std::min(0.45 / lev, mmr * g.between(1.3, 2.5));
  }
  return TierTable(t);
}

Generated generate(std::uint64_t seed) {
  Gen g(seed);
  Generated out;
  Scenario& sc = out.sc;
  sc.file = "generated";
  const char* profiles[] = {"binance", "bybit", "hyperliquid"};
  sc.exchange.profile = profiles[g.integer(0, 2)];
  sc.steps = g.integer(6, 24);
  sc.dt_s = g.chance(0.5) ? 60.0 : 300.0;
  sc.exchange.liquidation_fee = g.between(0.0, 0.01);
  const double fund_kind = g.u();
  sc.exchange.insurance_fund_usd = fund_kind < 0.4   ? 0.0
                                   : fund_kind < 0.7 ? g.between(0, 5000)
                                                     : 1e12;
  sc.engine.max_rounds = g.chance(0.15) ? g.integer(1, 3) : 50;
  if (g.chance(0.3)) {
    sc.exchange.mark.kind = MarkKind::IndexBasis;
    sc.exchange.mark.clamp = g.between(0.002, 0.02);
    sc.exchange.mark.basis_halflife_s = g.between(60, 900);
  }
  if (g.chance(0.5)) {
    auto& f = sc.exchange.funding;
    f.enabled = true;
    f.interval_s = sc.dt_s * g.integer(1, 4);
    f.interest = g.between(-0.002, 0.004);
    f.interest_clamp = g.between(0.0, 0.002);
    f.cap = g.between(0.0005, 0.02);
  }
  // The venue pipeline (MODEL.md section 5.2): how positions are liquidated, who backstops,
  // whom ADL picks, what happens after the fund.
  const double mode = g.u();
  auto& ls = sc.exchange.liquidation;
  if (mode < 0.25) {
    ls.mode = LiquidationMode::Partial;
    ls.partial_above_usd = std::exp(g.between(std::log(500.0), std::log(30000.0)));
    ls.partial_fraction = g.between(0.1, 0.6);
    ls.cooldown_s = g.chance(0.3) ? 0.0 : g.between(30, 900);
  } else if (mode < 0.5) {
    ls.mode = LiquidationMode::Tiered;
  }
  if (g.chance(0.25)) {
    auto& b = sc.exchange.backstop;
    b.kind = BackstopKind::Vault;
    b.capital_usd = g.chance(0.5) ? g.between(0, 3000) : 1e9;
    b.takeover_ratio = g.between(0.3, 0.95);
    b.unwind_per_step = g.chance(0.3) ? 0.0 : g.between(0.05, 0.6);
  }
  const AdlPolicy policies[] = {AdlPolicy::Queue, AdlPolicy::ProRata, AdlPolicy::LeverageDrain};
  sc.exchange.adl.policy = policies[g.integer(0, 2)];
  const double after = g.u();
  sc.exchange.adl.after_fund = after < 0.7 ? AfterFund::Adl : after < 0.85 ? AfterFund::Socialize : AfterFund::BadDebt;
  const int na = g.integer(1, 3);
  ReplaySpec replay{"prices.csv", {}};
  std::vector<double> price(static_cast<std::size_t>(na));
  for (int k = 0; k < na; ++k) {
    AssetSpec a = testing::aix_asset("A" + std::to_string(k), g.between(0.5, 200), 1.0);
    a.tiers = tiers(g, sc.exchange.profile);
    auto& b = a.book;
    const bool thin = g.chance(0.3);  // a book the cascade can run dry
    b.depth_1pct_usd =
        thin ? g.between(200, 3000) : std::exp(g.between(std::log(5e3), std::log(2e6)));
    const double betas[] = {1.0, 1.5, 2.0, 2.5};
    b.beta = betas[g.integer(0, 3)];
    b.tau_refill_s = g.between(60, 3600);
    b.displacement_cap = thin ? g.between(0.03, 0.3) : g.between(0.1, 0.95);
    if (g.chance(0.4)) {
      b.eta = g.between(0.3, 1.5);
      b.vol_base_annual = g.between(0.4, 1.2);
      b.w_min = g.between(0.05, 0.6);
      b.vol_halflife_s = g.between(300, 7200);
    }
    price[static_cast<std::size_t>(k)] = a.price_usd;
    sc.assets.push_back(a);
  }
  // Prices: noise, and a crash or a squeeze at a random step.
  const int shock_at = g.integer(1, sc.steps);
  const double shock = g.chance(0.7) ? -g.between(0.05, 0.35) : g.between(0.05, 0.3);
  replay.prices.push_back(price);
  for (int t = 1; t <= sc.steps; ++t) {
    for (int k = 0; k < na; ++k) {
      double r = g.between(-0.03, 0.03);
      if (t == shock_at) r += std::log1p(shock * g.between(0.5, 1.0));
      price[static_cast<std::size_t>(k)] *= std::exp(r);
    }
    replay.prices.push_back(price);
  }
  sc.replay = replay;
  // Positions: isolated, some with stops or answering margin calls; cross accounts over assets.
  const int n = g.integer(10, 120);
  out.has_calls = g.chance(0.4);
  if (out.has_calls) {
    const int answer = g.integer(0, 2);  // top-up, reduce, ignore (deterministic)
    out.calls.warning_ratio = g.between(0.5, 0.9);
    out.calls.top_up_probability = answer == 0 ? 1.0 : 0.0;
    out.calls.reduce_probability = answer == 1 ? 1.0 : 0.0;
    out.calls.top_up_amount = g.between(0.2, 1.0);
    out.calls.reduce_fraction = g.between(0.2, 0.8);
    for (auto& a : sc.assets) {
      PopulationSpec pop;
      pop.count = 0;
      pop.margin_call = out.calls;
      a.population = pop;
    }
  }
  const int cross_accounts = g.chance(0.5) ? g.integer(1, 4) : 0;
  for (int c = 0; c < cross_accounts; ++c) sc.accounts.push_back({"x" + std::to_string(c), 0.0});
  for (int i = 0; i < n; ++i) {
    const int k = g.integer(0, na - 1);
    const auto& a = sc.assets[static_cast<std::size_t>(k)];
    PositionSpec p;
    p.asset = k;
    p.side = g.chance(0.6) ? 1 : -1;
    p.entry_usd = a.price_usd * std::exp(g.between(-0.03, 0.03));
    const double notional = std::exp(g.between(std::log(50.0), std::log(40000.0)));
    p.size = notional / p.entry_usd;
    double max_lev = a.tiers.rows().front().max_leverage;
    for (const Tier& t : a.tiers.rows())
      if (t.floor_usd <= notional) max_lev = t.max_leverage;
    const double margin = notional / g.between(1.2, max_lev);
    reference::Extras x;
    if (cross_accounts > 0 && g.chance(0.25)) {
      p.cross = true;
      p.account = g.integer(0, cross_accounts - 1);
      *sc.accounts[static_cast<std::size_t>(p.account)].wallet_usd += margin;
    } else {
      p.account = static_cast<int>(sc.accounts.size());
      sc.accounts.push_back({"p" + std::to_string(i), std::nullopt});
      p.margin_usd = margin;
      if (g.chance(0.2)) x.stop_price = p.entry_usd * (1.0 - p.side * g.between(0.01, 0.08));
      if (out.has_calls && g.chance(0.4)) {
        x.answers_calls = true;
        x.call_wallet = margin * g.between(0.0, 1.5);
      }
    }
    sc.positions.push_back(p);
    out.extras.push_back(x);
  }
  // An account that ends with no position would only get an empty wallet: drop nothing, it is
  // harmless. The accounts CSV of a real run would carry the same wallets.
  return out;
}

struct EngineResult {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  std::vector<AdlEvent> adl;
  PathTimeseries ts;
};

EngineResult run_engine(const Generated& gen) {
  const Scenario& sc = gen.sc;
  const RunPlan plan(sc);
  PositionBook book = build_initial_book(sc, 0);
  for (std::size_t i = 0; i < gen.extras.size(); ++i) {
    const auto& x = gen.extras[i];
    if (!std::isnan(x.stop_price)) book.stop_price.set(i, x.stop_price);
    if (x.answers_calls) {
      book.agent.set(i, PositionBook::kAnswersCalls);
      book.wallet.set(i, x.call_wallet);
    }
  }
  EngineResult r;
  Engine e(plan, std::move(book), 0, 0, 0, PathSinks{&r.ts, &r.events, &r.adl});
  r.out = e.run();
  return r;
}

bool close(double a, double b, double scale) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b), scale});
}

/// The first difference between engine and reference, or "".
std::string compare(const Generated& gen, const EngineResult& e, const reference::Result& r) {
  std::ostringstream d;
  d.precision(17);
  const double usd = e.out.liquidated_notional + gen.sc.exchange.insurance_fund_usd * 0 + 1.0;
  const auto num = [&](const char* what, double a, double b) {
    if (!close(a, b, usd) && d.str().empty()) d << what << ": engine " << a << ", reference " << b;
  };
  const auto count = [&](const char* what, std::int64_t a, std::int64_t b) {
    if (a != b && d.str().empty()) d << what << ": engine " << a << ", reference " << b;
  };
  count("liquidations", e.out.liquidations, r.liquidations);
  count("max_cascade_depth", e.out.max_cascade_depth, r.max_depth);
  count("agent_rounds", e.out.agent_rounds, r.agent_rounds);
  count("adl_count", e.out.adl_count, r.adl_count);
  count("stops", e.out.stops, r.stops);
  count("margin_calls", e.out.margin_calls, r.calls);
  count("top_ups", e.out.top_ups, r.top_ups);
  count("reduces", e.out.reduces, r.reduces);
  count("partial_liquidations", e.out.partial_liquidations, r.partials);
  count("vault_takeovers", e.out.vault_takeovers, r.takeovers);
  num("liquidated_notional", e.out.liquidated_notional, r.liquidated);
  num("insurance_fund_final", e.out.insurance_fund_final, r.fund);
  num("insurance_fund_min", e.out.insurance_fund_min, r.fund_min);
  num("bad_debt", e.out.bad_debt, r.bad_debt);
  num("fees", e.out.fees, r.fees);
  num("adl_notional", e.out.adl_notional, r.adl_notional);
  num("adl_deficit_covered", e.out.adl_deficit_covered, r.adl_covered);
  num("adl_haircut", e.out.adl_haircut, r.adl_haircut);
  num("unfilled_notional", e.out.unfilled_notional, r.unfilled);
  num("socialized_loss", e.out.socialized_loss, r.socialized);
  num("vault_pnl", e.out.vault_pnl, r.vault_pnl);
  num("vault_min_equity", e.out.vault_min_equity, r.vault_min_equity);
  if (!d.str().empty()) return d.str();
  const std::size_t na = gen.sc.assets.size();
  for (int t = 1; t <= gen.sc.steps; ++t)
    for (std::size_t k = 0; k < na; ++k) {
      const double a = e.ts.mark_price[static_cast<std::size_t>(t) * na + k];
      const double b = r.marks[static_cast<std::size_t>(t - 1) * na + k];
      if (!close(a, b, 0.0)) {
        d << "mark of asset " << k << " at step " << t << ": engine " << a << ", reference " << b;
        return d.str();
      }
    }
  // Fills of nothing up to rounding (a capped book's sliver that one side computes as 0 and the
  // other as 1e-15 of the position) are below what same_fill below can tell apart: left out.
  const auto sliver = [&](std::int64_t position, double size) {
    return size <= 1e-12 * gen.sc.positions[static_cast<std::size_t>(position)].size;
  };
  auto ev = e.events;
  auto rv = r.events;
  std::erase_if(ev, [&](const auto& x) { return sliver(x.position, x.size); });
  std::erase_if(rv, [&](const auto& x) { return sliver(x.position, x.size); });
  std::sort(ev.begin(), ev.end(), [](const auto& x, const auto& y) {
    return std::tie(x.step, x.round, x.position) < std::tie(y.step, y.round, y.position);
  });
  std::sort(rv.begin(), rv.end(), [](const auto& x, const auto& y) {
    return std::tie(x.step, x.round, x.position) < std::tie(y.step, y.round, y.position);
  });
  if (ev.size() != rv.size()) {
    d << "liquidation events: engine " << ev.size() << ", reference " << rv.size();
    return d.str();
  }
  // A fill is compared on the scale of its position: a sliver the capped book fills near its
  // limit (a difference of large numbers) has less relative precision than the position has.
  const auto same_fill = [&](std::int64_t position, double size_a, double price_a, double size_b,
                             double price_b) {
    const auto& p = gen.sc.positions[static_cast<std::size_t>(position)];
    const double n = p.size, notional = p.size * p.entry_usd;
    return std::abs(size_a - size_b) <= 1e-9 * n &&
           std::abs(size_a * price_a - size_b * price_b) <= 1e-9 * std::max(1.0, notional) &&
           (size_a < 1e-4 * n || close(price_a, price_b, 0.0));
  };
  for (std::size_t j = 0; j < ev.size(); ++j)
    if (ev[j].step != rv[j].step || ev[j].round != rv[j].round ||
        ev[j].position != rv[j].position ||
        !same_fill(ev[j].position, ev[j].size, ev[j].fill_price, rv[j].size, rv[j].price)) {
      d << "liquidation event " << j << ": engine (step " << ev[j].step << ", round " << ev[j].round
        << ", position " << ev[j].position << ", size " << ev[j].size << ", price "
        << ev[j].fill_price << "), reference (step " << rv[j].step << ", round " << rv[j].round
        << ", position " << rv[j].position << ", size " << rv[j].size << ", price " << rv[j].price
        << ")";
      return d.str();
    }
  if (e.adl.size() != r.adl.size()) {
    d << "ADL fills: engine " << e.adl.size() << ", reference " << r.adl.size();
    return d.str();
  }
  for (std::size_t j = 0; j < e.adl.size(); ++j) {
    const AdlEvent& a = e.adl[j];
    const reference::AdlFill& b = r.adl[j];
    if (a.step != b.step || a.round != b.round || a.position != b.position ||
        a.bankrupt_position != b.bankrupt ||
        !same_fill(a.position, a.size, a.price, b.size, b.price) || !close(a.mark, b.mark, 0.0)) {
      d << "ADL fill " << j << " differs: engine position " << a.position << " size " << a.size
        << " at " << a.price << ", reference position " << b.position << " size " << b.size
        << " at " << b.price;
      return d.str();
    }
  }
  return "";
}

}  // namespace

constexpr const char* kModeNames[] = {"full", "partial", "tiered"};
constexpr const char* kAfterNames[] = {"adl", "socialize", "bad_debt"};

TEST_CASE("Engine.Differential.MatchesTheNaiveReferenceOnGeneratedScenarios") {
  const std::uint64_t first = env_number("CASCADE_DIFFERENTIAL_SEED", 1);
  const std::uint64_t count = env_number("CASCADE_DIFFERENTIAL_SCENARIOS", 300);
  std::int64_t liquidations = 0, adl = 0, capped = 0, cross = 0, calls = 0, stops = 0;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const Generated gen = generate(seed);
    EngineResult e;
    try {
      e = run_engine(gen);
    } catch (const std::exception& x) {
      FAIL("seed " << seed << ": the engine threw: " << std::string(x.what()));
    }
    reference::Path ref(gen.sc, gen.extras);
    ref.set_agents(
        gen.has_calls || std::any_of(gen.extras.begin(), gen.extras.end(),
                                     [](const auto& x) { return !std::isnan(x.stop_price); }),
        gen.has_calls ? &gen.calls : nullptr);
    const reference::Result r = ref.run();
    const std::string diff = compare(gen, e, r);
    if (!diff.empty() && std::getenv("CASCADE_DIFFERENTIAL_DUMP")) {  // every fill of both, to diff
      for (const auto& a : e.adl)
        MESSAGE("engine adl step " << a.step << " round " << a.round << " pos " << a.position
                                   << " bankrupt " << a.bankrupt_position << " size " << a.size
                                   << " price " << a.price);
      for (const auto& a : r.adl)
        MESSAGE("ref    adl step " << a.step << " round " << a.round << " pos " << a.position
                                   << " bankrupt " << a.bankrupt << " size " << a.size << " price "
                                   << a.price);
      for (const auto& a : e.events)
        MESSAGE("engine liq step " << a.step << " round " << a.round << " pos " << a.position
                                   << " size " << a.size << " price " << a.fill_price);
      for (const auto& a : r.events)
        MESSAGE("ref    liq step " << a.step << " round " << a.round << " pos " << a.position
                                   << " size " << a.size << " price " << a.price);
    }
    if (!diff.empty())
      FAIL("seed " << seed << " (" << gen.sc.exchange.profile << ", " << gen.sc.assets.size()
                   << " assets, " << gen.sc.positions.size() << " positions, liquidation "
                   << std::string(kModeNames[static_cast<int>(gen.sc.exchange.liquidation.mode)])
                   << ", backstop "
                   << std::string(gen.sc.exchange.backstop.kind == BackstopKind::Vault ? "vault" : "fund")
                   << ", ADL " << std::string(adl_policy_name(gen.sc.exchange.adl.policy))
                   << ", after the fund "
                   << std::string(kAfterNames[static_cast<int>(gen.sc.exchange.adl.after_fund)])
                   << "): " << diff
                   << "\n  replay: CASCADE_DIFFERENTIAL_SEED=" << seed
                   << " CASCADE_DIFFERENTIAL_SCENARIOS=1 build/release/tests/cascade_tests "
                      "-tc='Engine.Differential.*'");
    liquidations += e.out.liquidations;
    adl += e.out.adl_count;
    capped += e.out.unfilled_notional > 0 ? 1 : 0;
    cross += std::any_of(gen.sc.positions.begin(), gen.sc.positions.end(),
                         [](const auto& p) { return p.cross; });
    calls += e.out.margin_calls;
    stops += e.out.stops;
  }
  MESSAGE(count << " generated scenarios: " << liquidations << " liquidations, " << adl
                << " ADL fills, " << capped << " with the cap binding, " << cross
                << " with cross accounts, " << calls << " margin calls, " << stops << " stops");
  // The generator exercises what it is meant to (a default-budget run; a one-seed replay need not).
  if (count >= 100) {
    CHECK(liquidations > 1000);
    CHECK(adl > 50);
    CHECK(capped > 5);
    CHECK(calls > 50);
    CHECK(stops > 50);
  }
}
