// The step loop against an independent, deliberately naive implementation of MODEL.md
// sections 3-5 (a full scan of every position in every round), plus its invariants.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "sim/engine/engine.hpp"
#include "sim/book/initial_book.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

namespace {

struct RefEvent {
  int step, round;
  std::size_t position;
  double price;
};
struct RefResult {
  double liquidated = 0, fund = 0, bad_debt = 0, fund_min = 0;
  int count = 0, max_depth = 0;
  std::vector<RefEvent> events;
  std::vector<double> marks;
};

// Written from MODEL.md alone: no heap, no canonical ordering, O(N) per round.
RefResult reference(const Scenario& sc) {
  const std::size_t na = sc.assets.size(), np = sc.positions.size();
  std::vector<double> f(na), imb(na, 0.0), q1(na), lp(np);
  std::vector<bool> open(np, true);
  auto mid = [&](std::size_t k) {
    const double x = 0.01 * std::pow(std::abs(imb[k]) / q1[k], 1.0 / sc.assets[k].book.beta);
    return f[k] * (1.0 + (imb[k] > 0 ? x : imb[k] < 0 ? -x : 0.0));
  };
  auto g = [&](std::size_t k, double u) {
    const double b = sc.assets[k].book.beta;
    return 0.01 * q1[k] * b / (b + 1) * std::pow(std::abs(u) / q1[k], (b + 1) / b);
  };
  for (std::size_t i = 0; i < np; ++i) {
    const auto& p = sc.positions[i];
    const auto& tiers = sc.assets[static_cast<std::size_t>(p.asset)].tiers.rows();
    // Try every bracket; keep the candidate that lies in its own bracket.
    lp[i] = NAN;
    for (std::size_t t = 0; t < tiers.size(); ++t) {
      const double c = (p.side * p.size * p.entry_usd - p.margin_usd - tiers[t].cum_usd) /
                       (p.size * (p.side - tiers[t].mmr));
      const double hi = t + 1 < tiers.size() ? tiers[t + 1].floor_usd : INFINITY;
      if (c > 0 && p.size * c >= tiers[t].floor_usd && p.size * c < hi) lp[i] = c;
    }
  }
  RefResult r;
  r.fund = r.fund_min = sc.exchange.insurance_fund_usd;
  for (std::size_t k = 0; k < na; ++k) f[k] = sc.replay->prices[0][k];
  for (int t = 1; t <= sc.steps; ++t) {
    std::vector<double> mark(na);
    for (std::size_t k = 0; k < na; ++k) {
      imb[k] *= std::exp(-sc.dt_s / sc.assets[k].book.tau_refill_s);
      f[k] = sc.replay->prices[static_cast<std::size_t>(t)][k];
      q1[k] = sc.assets[k].book.depth_1pct_usd / f[k];
      mark[k] = mid(k);
    }
    for (int round = 1; round <= sc.engine.max_rounds; ++round) {
      std::vector<std::vector<std::size_t>> hit(na);
      bool any = false;
      for (std::size_t i = 0; i < np; ++i) {
        const auto& p = sc.positions[i];
        const auto k = static_cast<std::size_t>(p.asset);
        if (!open[i] || std::isnan(lp[i])) continue;
        if ((p.side > 0 && mark[k] <= lp[i]) || (p.side < 0 && mark[k] >= lp[i])) {
          hit[k].push_back(i);
          any = true;
        }
      }
      if (!any) break;
      r.max_depth = std::max(r.max_depth, round);
      // The round's liquidations are simultaneous: their rests go to the fund, which then pays
      // their deficits as far as it can; the rest is bad debt.
      double deficits = 0;
      for (std::size_t k = 0; k < na; ++k) {
        if (hit[k].empty()) continue;
        double q = 0;
        for (auto i : hit[k]) q -= sc.positions[i].side * sc.positions[i].size;
        const double v = q == 0 ? mark[k] : f[k] * (1.0 + (g(k, imb[k] + q) - g(k, imb[k])) / q);
        imb[k] += q;
        for (auto i : hit[k]) {
          const auto& p = sc.positions[i];
          open[i] = false;
          const double rest = p.margin_usd + p.side * p.size * (v - p.entry_usd);
          if (rest >= 0) r.fund += rest;
          else deficits -= rest;
          r.liquidated += p.size * v;
          ++r.count;
          r.events.push_back({t, round, i, v});
        }
        mark[k] = mid(k);
      }
      const double paid = std::min(r.fund, deficits);
      r.fund -= paid;
      r.bad_debt += deficits - paid;
      r.fund_min = std::min(r.fund_min, r.fund);
    }
    for (std::size_t k = 0; k < na; ++k) r.marks.push_back(mark[k]);
  }
  return r;
}

struct EngineRun {
  PathOutcome out;
  std::vector<LiquidationEvent> events;
  PathTimeseries ts;
};

EngineRun run_engine(const Scenario& sc) {
  const RunPlan plan(sc);
  EngineRun r;
  Engine e(plan, build_initial_book(sc, 0), 0, 0, 0, PathSinks{&r.ts, &r.events});
  r.out = e.run();
  return r;
}

bool close(double a, double b, double rel = 1e-12) {
  return std::abs(a - b) <= rel * std::max({1.0, std::abs(a), std::abs(b)});
}

}  // namespace

TEST_CASE("Engine.Cascade.MatchesNaiveReference") {
  const Scenario sc = replay_cascade(300);
  const RefResult ref = reference(sc);
  const EngineRun got = run_engine(sc);
  REQUIRE(ref.count > 50);
  CHECK(ref.max_depth >= 3);  // the fixture really cascades
  CHECK(got.out.liquidations == ref.count);
  CHECK(got.out.max_cascade_depth == ref.max_depth);
  CHECK(close(got.out.liquidated_notional, ref.liquidated));
  CHECK(close(got.out.insurance_fund_final, ref.fund));
  CHECK(close(got.out.bad_debt, ref.bad_debt));
  // Same liquidations, same steps and rounds, same fill prices.
  std::map<std::size_t, RefEvent> by_pos;
  for (const auto& e : ref.events) by_pos[e.position] = e;
  REQUIRE(got.events.size() == ref.events.size());
  for (const auto& e : got.events) {
    const auto it = by_pos.find(static_cast<std::size_t>(e.position));
    REQUIRE(it != by_pos.end());
    CHECK(e.step == it->second.step);
    CHECK(e.round == it->second.round);
    CHECK(close(e.fill_price, it->second.price));
  }
  for (int t = 1; t <= sc.steps; ++t)
    for (std::size_t k = 0; k < 2; ++k)
      CHECK(close(got.ts.mark_price[static_cast<std::size_t>(t) * 2 + k],
                  ref.marks[static_cast<std::size_t>(t - 1) * 2 + k]));
}

TEST_CASE("Engine.Cascade.ResultIndependentOfPositionOrder") {
  const Scenario sc = replay_cascade(200);
  Scenario shuffled = sc;
  std::vector<std::size_t> perm(sc.positions.size());
  std::iota(perm.begin(), perm.end(), 0);
  Lcg g{7};
  for (std::size_t i = perm.size(); i > 1; --i)
    std::swap(perm[i - 1], perm[static_cast<std::size_t>(g.uniform() * static_cast<double>(i))]);
  for (std::size_t i = 0; i < perm.size(); ++i) shuffled.positions[i] = sc.positions[perm[i]];
  const EngineRun a = run_engine(sc), b = run_engine(shuffled);
  // Bitwise equal, not merely close.
  CHECK(a.out.liquidated_notional == b.out.liquidated_notional);
  CHECK(a.out.insurance_fund_final == b.out.insurance_fund_final);
  CHECK(a.out.fees == b.out.fees);
  CHECK(a.out.max_cascade_depth == b.out.max_cascade_depth);
  CHECK(a.ts.mark_price == b.ts.mark_price);
  REQUIRE(a.events.size() == b.events.size());
  // Position indices are renamed by the permutation; map them back.
  std::map<std::int64_t, double> fills_a, fills_b;
  for (const auto& e : a.events) fills_a[e.position] = e.fill_price;
  for (const auto& e : b.events) fills_b[static_cast<std::int64_t>(perm[static_cast<std::size_t>(e.position)])] = e.fill_price;
  CHECK(fills_a == fills_b);
}

TEST_CASE("Engine.Settlement.InsuranceFundAndBadDebt") {
  // Only longs (nobody to auto-deleverage), thinner books and an empty fund: deficits the fund
  // cannot pay are bad debt, the fund's path and minimum as in the reference.
  Scenario sc = replay_cascade(300);
  sc.exchange.insurance_fund_usd = 0.0;
  for (auto& p : sc.positions) {
    p.side = 1;
    const double notional = p.size * p.entry_usd;
    p.margin_usd = notional / (notional < 5000.0 ? 19.5 : 14.5);  // close to each tier's max
  }
  for (auto& a : sc.assets) a.book.depth_1pct_usd /= 10.0;
  const RefResult ref = reference(sc);
  const EngineRun got = run_engine(sc);
  CHECK(ref.bad_debt > 0.0);  // the fixture's fund really runs out
  CHECK(close(got.out.bad_debt, ref.bad_debt));
  CHECK(close(got.out.insurance_fund_min, ref.fund_min));
  CHECK(close(got.out.insurance_fund_final, ref.fund));
  CHECK(got.out.adl_count == 0);
  // Fund after = fund before + sum of rests, the deficits beyond it reported as bad debt.
  double rests = 0;
  for (const auto& e : got.events) {
    const auto& p = sc.positions[static_cast<std::size_t>(e.position)];
    rests += p.margin_usd + p.side * p.size * (e.fill_price - p.entry_usd);
  }
  CHECK(close(got.out.insurance_fund_final - got.out.bad_debt, rests, 1e-9));
  CHECK(got.out.fees > 0.0);
}

TEST_CASE("Engine.Conservation.ResidualIsRoundingOnly") {
  for (const Scenario& sc : {replay_cascade(300), sampled_shock(1)}) {
    const RunPlan plan(sc);
    Engine e(plan, build_initial_book(sc, 5), 11, 0, 0);
    const PathOutcome o = e.run();
    double oi = 0;
    const auto& b = e.positions();
    for (std::size_t i = 0; i < b.count(); ++i) oi += b.size[i] * b.entry[i];
    CHECK(o.liquidations > 0);
    CHECK(std::abs(o.conservation_residual) <= 1e-9 * oi);
  }
}

TEST_CASE("Engine.Cascade.MaxRoundsDefersTheRest") {
  // A whale's liquidation pushes the mark through a second position's price: round 2 of the
  // same step normally, the first round of the next step when only one round is allowed.
  Scenario sc = whale_and_minnow();
  const EngineRun full = run_engine(sc);
  REQUIRE(full.events.size() == 2);
  CHECK(full.events[0].step == 1);
  CHECK(full.events[1].step == 1);
  CHECK(full.events[1].round == 2);
  CHECK(full.out.max_cascade_depth == 2);
  sc.engine.max_rounds = 1;
  const EngineRun capped = run_engine(sc);
  REQUIRE(capped.events.size() == 2);
  CHECK(capped.events[0].step == 1);
  CHECK(capped.events[1].step == 2);
  CHECK(capped.events[1].round == 1);
  CHECK(capped.out.max_cascade_depth == 1);
}
