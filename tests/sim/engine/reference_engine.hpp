#pragma once
// A deliberately naive second implementation of one path (MODEL.md sections 3-5.1, 7's
// threshold agents, docs/engine.md), the oracle of Engine.Differential.*: every round scans
// every position, margins and wallets are settled directly at each funding time (no funding
// index), liquidation and margin-call conditions are tested as equity vs maintenance at the
// mark (no liquidation prices, no heaps), cross accounts are all checked every round (no safe
// bands). It shares no code with the engine but the scenario structs: the book, the tiers, the
// profiles' rules and the ADL rankings are written again here from the documents.
//
// Covered: replayed index prices, the power-law book with refill, liquidity withdrawal and the
// displacement cap (state clipping and capped fills), book or index+basis marks, Binance,
// Bybit and Hyperliquid margin rules, isolated and cross positions, stop-losses and margin
// calls answered deterministically (top-up, reduce or ignore with probability 1), liquidations
// filled in parts, the insurance fund, ADL at the bankruptcy price, bad debt, funding; and the
// venue pipeline of MODEL.md section 5.2: partial (Hyperliquid) and tier-by-tier (Bybit)
// liquidation, the liquidator vault (takeover, unwinding, its own deleveraging), the three ADL
// policies (pro_rata and leverage_drain solved in closed form by active sets, where the engine
// bisects), and socialized losses or bad debt after the fund.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace cascade::reference {

/// What the differential test needs per position beyond the scenario's CSV row.
struct Extras {
  double stop_price = std::numeric_limits<double>::quiet_NaN();
  bool answers_calls = false;
  double call_wallet = 0.0;  ///< USD available for top-ups
};

struct Event {
  int step, round;
  std::int64_t position;
  double size, price;
};
struct AdlFill {
  int step, round;
  std::int64_t position, bankrupt;
  double size, price, mark;
};

struct Result {
  double liquidated = 0, fund = 0, fund_min = 0, bad_debt = 0, fees = 0, adl_notional = 0,
         adl_covered = 0, adl_haircut = 0, unfilled = 0, socialized = 0, vault_pnl = 0,
         vault_min_equity = 0;
  std::int64_t liquidations = 0, max_depth = 0, agent_rounds = 0, adl_count = 0, stops = 0,
               calls = 0, top_ups = 0, reduces = 0, partials = 0, takeovers = 0;
  std::vector<Event> events;
  std::vector<AdlFill> adl;
  std::vector<double> marks;  ///< [step-1][asset]
};

class Path {
 public:
  Path(const Scenario& sc, std::vector<Extras> extras) : sc_(sc), x_(std::move(extras)) {
    const std::size_t na = sc.assets.size();
    f_.resize(na);
    imb_.assign(na, 0.0);
    w_.assign(na, 1.0);
    mark_.resize(na);
    basis_.assign(na, 0.0);
    ret2_.resize(na);
    prev_mid_.resize(na);
    premium_.assign(na, 0.0);
    for (std::size_t k = 0; k < na; ++k) {
      f_[k] = sc.replay->prices[0][k];
      const auto& b = sc.assets[k].book;
      ret2_[k] = b.vol_base_annual * b.vol_base_annual * dt_years();
      mark_[k] = prev_mid_[k] = f_[k];
    }
    for (std::size_t i = 0; i < sc.positions.size(); ++i) {
      const auto& p = sc.positions[i];
      P q;
      q.asset = static_cast<std::size_t>(p.asset);
      q.account = p.account;
      q.side = p.side;
      q.size = p.size;
      q.entry = p.entry_usd;
      q.margin = p.margin_usd;
      q.cross = p.cross;
      q.stop = x_[i].stop_price;
      q.calls = x_[i].answers_calls;
      q.wallet = x_[i].call_wallet;
      pos_.push_back(q);
      if (p.cross) {
        if (!acct_.count(p.account))
          acct_[p.account].wallet = *sc.accounts[static_cast<std::size_t>(p.account)].wallet_usd;
        acct_[p.account].legs.push_back(i);
      }
    }
    vault_ = sc.exchange.backstop.kind == BackstopKind::Vault;
    inv_.assign(na, 0.0);
    cost_.assign(na, 0.0);
    bucket_.assign(2 * na, 0.0);
    r_.fund = r_.fund_min = vault_ ? sc.exchange.backstop.capital_usd : sc.exchange.insurance_fund_usd;
    r_.vault_min_equity = vault_ ? r_.fund : 0.0;
    next_funding_ = sc.exchange.funding.interval_s;
  }

  Result run() {
    for (int t = 1; t <= sc_.steps; ++t) step(t);
    if (vault_) r_.vault_pnl = vault_equity() - sc_.exchange.backstop.capital_usd;
    return r_;
  }

 private:
  enum State { Closed, Open, Liquidating };
  struct P {
    std::size_t asset;
    int account, side;
    double size, entry, margin;
    bool cross;
    double stop, wallet;
    bool calls, ignored = false;
    State state = Open;
    double bp = 0;  ///< a cross leg's bankruptcy price at takeover
    double last_partial = -1e300;  ///< s
  };
  struct A {
    double wallet = 0;
    std::vector<std::size_t> legs;
    bool open = true, liquidating = false;
    double realized = 0, notional = 0;
    std::map<std::size_t, double> bucket_pnl;  ///< what the legs filled in the book realised, by (asset, side)
  };

  // ---- the rules, written from MODEL.md section 4 and docs/exchanges.md ----
  bool bybit() const { return sc_.exchange.profile == "bybit"; }
  bool trader_keeps_rest() const {
    return sc_.exchange.profile == "hyperliquid" || sc_.exchange.profile == "dydx";
  }
  double dt_years() const { return sc_.dt_s / (365.0 * 86400.0); }
  /// MM of a notional: notional*mmr - cum of the bracket with floor <= notional.
  double mm_of(std::size_t k, double notional) const {
    const auto& rows = sc_.assets[k].tiers.rows();
    double cum = 0, mmr = rows[0].mmr;
    for (std::size_t j = 1; j < rows.size(); ++j) {
      if (rows[j].floor_usd > notional) break;
      cum += rows[j].floor_usd * (rows[j].mmr - rows[j - 1].mmr);
      mmr = rows[j].mmr;
    }
    return notional * mmr - cum;
  }
  double mm(const P& p, double mark) const {
    return mm_of(p.asset, p.size * (bybit() ? p.entry : mark));
  }
  double equity(const P& p, double mark) const {
    return p.margin + p.side * p.size * (mark - p.entry);
  }
  double upnl(const P& p) const { return p.side * p.size * (mark_[p.asset] - p.entry); }
  double acct_equity(const A& a) const {
    double e = a.wallet;
    for (auto i : a.legs) e += upnl(pos_[i]);
    return e;
  }
  double acct_mm(const A& a) const {
    double m = 0;
    for (auto i : a.legs) m += mm(pos_[i], mark_[pos_[i].asset]);
    return m;
  }

  // ---- the book, MODEL.md section 3 ----
  double q1(std::size_t k) const { return w_[k] * sc_.assets[k].book.depth_1pct_usd / f_[k]; }
  double beta(std::size_t k) const { return sc_.assets[k].book.beta; }
  double mid_at(std::size_t k, double i) const {
    if (i == 0) return f_[k];
    const double x = 0.01 * std::pow(std::abs(i) / q1(k), 1.0 / beta(k));
    return f_[k] * (1.0 + (i > 0 ? x : -x));
  }
  double g(std::size_t k, double u) const {
    const double b = beta(k);
    return 0.01 * q1(k) * b / (b + 1.0) * std::pow(std::abs(u) / q1(k), (b + 1.0) / b);
  }
  double limit(std::size_t k) const {
    return q1(k) * std::pow(sc_.assets[k].book.displacement_cap / 0.01, beta(k));
  }
  struct Fill {
    double price, fraction, cap_price, after;
  };
  Fill fill_of(std::size_t k, double q) const {
    const int side = q >= 0 ? 1 : -1;
    const double cap_price = f_[k] * (1.0 + side * sc_.assets[k].book.displacement_cap);
    if (q == 0) return {mid_at(k, imb_[k]), 1.0, cap_price, imb_[k]};
    double room = limit(k) - side * imb_[k];
    if (!(room > 1e-12 * limit(k))) room = 0;
    const bool capped = side * q > room;
    const double filled = capped ? side * room : q;
    const double price = filled != 0
                             ? f_[k] * (1.0 + (g(k, imb_[k] + filled) - g(k, imb_[k])) / filled)
                             : mid_at(k, imb_[k]);
    return {price, filled / q, cap_price, capped ? side * limit(k) : imb_[k] + filled};
  }
  void set_mark(std::size_t k) {
    const double mid = mid_at(k, imb_[k]);
    if (sc_.exchange.mark.kind == MarkKind::Book) {
      mark_[k] = mid;
      return;
    }
    const double c = sc_.exchange.mark.clamp;
    mark_[k] = std::clamp(f_[k] + basis_[k], f_[k] * (1 - c), f_[k] * (1 + c));
  }

  // ---- the canonical order of a round's positions (docs/engine.md) ----
  void canonical(std::vector<std::size_t>& v) const {
    std::sort(v.begin(), v.end(), [this](std::size_t a, std::size_t b) {
      const P &x = pos_[a], &y = pos_[b];
      return std::make_tuple(x.side * x.size, x.entry, x.margin, a) <
             std::make_tuple(y.side * y.size, y.entry, y.margin, b);
    });
  }

  // ---- settlement ----
  static std::size_t bucket(std::size_t k, int side) { return 2 * k + (side > 0 ? 0 : 1); }
  void pay(std::size_t b, double rest, double fee) {
    r_.fees += fee;
    if (rest >= 0)
      r_.fund += trader_keeps_rest() ? fee : rest;
    else
      bucket_[b] -= rest;
  }
  /// What is there to pay deficits: the fund, or the vault's equity (cash + inventory at mark).
  double vault_equity() const {
    double e = r_.fund;
    for (std::size_t k = 0; k < inv_.size(); ++k) e += inv_[k] * mark_[k];
    return e;
  }
  double available() const { return vault_ ? std::max(0.0, vault_equity()) : r_.fund; }
  AfterFund after() const { return sc_.exchange.adl.after_fund; }

  // ---- the pipeline, MODEL.md section 5.2 ----
  /// How much of a crossed isolated position the venue sells now; 0: all of it.
  double partial_of(const P& p, int t) const {
    const auto& ls = sc_.exchange.liquidation;
    if (ls.mode == LiquidationMode::Partial) {
      if (p.size * mark_[p.asset] <= ls.partial_above_usd) return 0;
      if (t * sc_.dt_s - p.last_partial < ls.cooldown_s) return 0;  // in the cooldown: all of it
      return ls.partial_fraction * p.size;
    }
    if (ls.mode == LiquidationMode::Tiered) {
      // Bybit: down to the floor of the tier below, by value at entry; a value at a floor (up to
      // rounding) belongs to the tier below it.
      const auto& rows = sc_.assets[p.asset].tiers.rows();
      const double value = p.size * p.entry;
      std::size_t tier = 0;
      for (std::size_t j = 1; j < rows.size(); ++j)
        if (value > rows[j].floor_usd * (1 + 1e-12)) tier = j;
      if (tier == 0) return 0;
      const double y = p.size - rows[tier].floor_usd / p.entry;
      return y > 1e-9 * p.size ? y : 0;
    }
    return 0;
  }
  /// The vault takes an isolated position over at the mark: it pays s*n*E - m for s*n.
  void take_over(int t, int round, std::size_t i) {
    P& p = pos_[i];
    const double c = p.side * p.size * p.entry - p.margin;
    inv_[p.asset] += p.side * p.size;
    cost_[p.asset] += c;
    r_.fund -= c;
    ++r_.liquidations;
    ++r_.takeovers;
    r_.liquidated += p.size * mark_[p.asset];
    r_.events.push_back({t, round, static_cast<std::int64_t>(i), p.size, mark_[p.asset]});
    p.state = Closed;
  }
  void take_over_account(int t, int round, A& a) {
    a.open = false;
    double notional = 0;
    for (auto i : a.legs)
      if (pos_[i].state == Open) notional += pos_[i].size * mark_[pos_[i].asset];
    r_.fund += a.wallet;
    for (auto i : a.legs) {
      P& p = pos_[i];
      if (p.state != Open) continue;
      const double leg = p.size * mark_[p.asset];
      inv_[p.asset] += p.side * p.size;
      cost_[p.asset] += p.side * p.size * p.entry - (notional > 0 ? a.wallet * leg / notional : 0.0);
      r_.fund -= p.side * p.size * p.entry;
      ++r_.liquidations;
      ++r_.takeovers;
      r_.liquidated += leg;
      r_.events.push_back({t, round, static_cast<std::int64_t>(i), p.size, mark_[p.asset]});
      p.state = Closed;
    }
    a.wallet = 0;
  }
  /// An underwater vault: its deficit split over its losing inventories by their losses, each
  /// closed against winners at the price that covers its share.
  /// Below zero by more than the rounding of its cash and inventory.
  bool underwater() const {
    double scale = std::abs(r_.fund);
    for (std::size_t k = 0; k < inv_.size(); ++k) scale += std::abs(inv_[k] * mark_[k]);
    return vault_equity() < -1e-9 * scale;
  }
  void deleverage_vault(int t, int round) {
    const double e = vault_equity();
    if (!underwater()) return;
    double losses = 0;
    for (std::size_t k = 0; k < inv_.size(); ++k) losses += std::max(0.0, cost_[k] - inv_[k] * mark_[k]);
    if (!(losses > 0)) return;
    for (std::size_t k = 0; k < inv_.size(); ++k) {
      const double loss = cost_[k] - inv_[k] * mark_[k];
      if (!(loss > 0) || inv_[k] == 0) continue;
      const int side = inv_[k] > 0 ? 1 : -1;
      const double size = std::abs(inv_[k]), s = -e * (loss / losses);
      const double price = mark_[k] + side * s / size;
      double got = deleverage(t, round, k, -1, side, size, price);
      if (!(got > 0)) continue;
      if (size - got <= 1e-9 * size) got = size;
      r_.adl_covered += got * s / size;
      cost_[k] -= cost_[k] * (got / size);
      inv_[k] -= side * got;
      r_.fund += side * got * price;
    }
  }
  /// The vault sells a share of its inventory into the book at the start of a step.
  void unwind_vault() {
    const double u = sc_.exchange.backstop.unwind_per_step;
    if (!vault_ || !(u > 0)) return;
    for (std::size_t k = 0; k < inv_.size(); ++k) {
      if (inv_[k] == 0) continue;
      const double q = -u * inv_[k];
      const Fill fl = fill_of(k, q);
      imb_[k] = fl.after;
      set_mark(k);
      const double y = fl.fraction >= 1 ? q : q * fl.fraction;
      if (y == 0) continue;
      cost_[k] *= 1 + y / inv_[k];
      inv_[k] += y;
      r_.fund -= y * fl.price;
    }
  }
  /// BitMEX's socialized loss: the winners of the asset give up the same share of their
  /// unrealised profit at the mark, at most all of it. Returns what was taken.
  double socialize(std::size_t k, int bankrupt_side, double amount) {
    const int w = -bankrupt_side;
    double profit = 0;
    for (const P& p : pos_)
      if (p.state == Open && p.asset == k && p.side == w && upnl(p) > 0) profit += upnl(p);
    if (!(profit > 0)) return 0;
    const double share = std::min(1.0, amount / profit);
    double taken = 0;
    for (P& p : pos_) {
      if (p.state != Open || p.asset != k || p.side != w || !(upnl(p) > 0)) continue;
      const double x = share * upnl(p);
      if (p.cross)
        acct_.at(p.account).wallet -= x;
      else
        p.margin -= x;
      taken += x;
    }
    r_.socialized += taken;
    return taken;
  }
  /// The round's deficits, after its rests are in: the fund (or the vault) pays what it can; the
  /// rest is socialized or bad debt.
  void pay_deficits() {
    double total = 0;
    for (double d : bucket_) total += d;
    if (!(total > 0)) return;
    const double paid = std::min(available(), total);
    r_.fund -= paid;
    const double uncovered = total - paid;
    if (uncovered > 0 && after() == AfterFund::Socialize) {
      for (std::size_t b = 0; b < bucket_.size(); ++b) {
        if (!(bucket_[b] > 0)) continue;
        const double share = uncovered * (bucket_[b] / total);
        r_.bad_debt += share - socialize(b / 2, b % 2 == 0 ? 1 : -1, share);
      }
    } else {
      r_.bad_debt += uncovered;
    }
    std::fill(bucket_.begin(), bucket_.end(), 0.0);
  }

  // ---- ADL, MODEL.md section 5.1 ----
  double score(std::size_t i) const {
    const P& p = pos_[i];
    const double mark = mark_[p.asset], u = upnl(p);
    double wallet = p.margin, eq = p.margin + u, m = mm(p, mark);
    if (p.cross) {
      const A& a = acct_.at(p.account);
      wallet = a.wallet;
      eq = acct_equity(a);
      m = acct_mm(a);
      if (eq <= 1e-9 * (std::abs(wallet) + p.size * mark)) return 0;  // zero up to rounding
    }
    if (!(u > 0) || !(eq > 0)) return 0;
    if (sc_.exchange.profile == "binance") return u / std::max(1.0, wallet) * (m / eq);
    if (sc_.exchange.profile == "bybit") return u / (p.size * p.entry) * (p.size * mark / eq);
    return (1.0 + p.side * (mark - p.entry) / p.entry) * (p.size * mark / eq);  // hyperliquid
  }
  std::vector<std::size_t>& ranked(std::size_t k, int side) {
    auto key = std::make_pair(k, side);
    if (auto it = rank_.find(key); it != rank_.end()) return it->second;
    std::vector<std::pair<double, std::size_t>> s;
    for (std::size_t i = 0; i < pos_.size(); ++i) {
      const P& p = pos_[i];
      if (p.asset != k || p.side != side || p.state != Open || ordered_.count(i)) continue;
      if (const double sc = score(i); sc > 0) s.push_back({-sc, i});
    }
    std::sort(s.begin(), s.end());
    auto& out = rank_[key];
    for (auto& e : s) out.push_back(e.second);
    return out;
  }
  struct Candidate {
    std::size_t j;
    double size, cap, equity;
  };
  /// How much each candidate gives (MODEL.md section 5.2's policies), in closed form.
  std::vector<double> allocate(const std::vector<Candidate>& c, double demand, double mark) const {
    std::vector<double> y(c.size(), 0.0);
    double total = 0;
    for (const auto& x : c) total += x.cap;
    if (!(demand > 0) || c.empty()) return y;
    if (demand >= total) {
      for (std::size_t m = 0; m < c.size(); ++m) y[m] = c[m].cap;
      return y;
    }
    const AdlPolicy policy = sc_.exchange.adl.policy;
    if (policy == AdlPolicy::Queue) {
      double left = demand;
      for (std::size_t m = 0; m < c.size() && left > 0; ++m) left -= y[m] = std::min(left, c[m].cap);
      return y;
    }
    // Active sets: candidates bound by their capacity give it; the others share the rest.
    std::vector<bool> bound(c.size(), false);
    if (policy == AdlPolicy::ProRata) {
      for (;;) {  // the same fraction phi of every free size
        double d = demand, n = 0;
        for (std::size_t m = 0; m < c.size(); ++m) {
          if (bound[m])
            d -= c[m].cap;
          else
            n += c[m].size;
        }
        const double phi = d / n;
        bool more = false;
        for (std::size_t m = 0; m < c.size(); ++m)
          if (!bound[m] && phi * c[m].size > c[m].cap) bound[m] = more = true;
        if (more) continue;
        for (std::size_t m = 0; m < c.size(); ++m) y[m] = bound[m] ? c[m].cap : phi * c[m].size;
        return y;
      }
    }
    // leverage_drain: the free candidates above the level L give y = n - L*e/mark (notional
    // left L times the equity before the fill), so their total N - L*E/mark is the demand left:
    // L = mark*(N - D)/E, over the most levered free candidates whose leverage is above it.
    // Candidates without equity at the mark are infinitely levered: they give first, all of their
    // capacity, or the same share of it when that is more than the demand.
    const auto none = [&](const Candidate& x) { return !(x.equity > 1e-9 * x.size * mark); };  // up to rounding
    double zero_cap = 0;
    for (const auto& x : c)
      if (none(x)) zero_cap += x.cap;
    if (zero_cap > 0) {
      if (zero_cap >= demand) {
        for (std::size_t m = 0; m < c.size(); ++m) y[m] = none(c[m]) ? c[m].cap * (demand / zero_cap) : 0.0;
        return y;
      }
      for (std::size_t m = 0; m < c.size(); ++m) bound[m] = none(c[m]);
    }
    const auto lev = [&](const Candidate& x) { return x.size * mark / x.equity; };
    std::vector<std::size_t> order(c.size());
    for (std::size_t m = 0; m < c.size(); ++m) order[m] = m;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lev(c[a]) > lev(c[b]); });
    for (;;) {
      double d = demand;
      for (std::size_t m = 0; m < c.size(); ++m)
        if (bound[m]) d -= c[m].cap;
      double n = 0, e = 0, level = 0;
      std::vector<std::size_t> active;
      for (std::size_t r = 0; r < order.size(); ++r) {
        const std::size_t m = order[r];
        if (bound[m]) continue;
        n += c[m].size;
        e += c[m].equity;
        active.push_back(m);
        level = std::max(0.0, mark * (n - d) / e);
        std::size_t next = r + 1;
        while (next < order.size() && bound[order[next]]) ++next;
        if (next == order.size() || level >= lev(c[order[next]])) break;
      }
      bool more = false;
      for (std::size_t m : active)
        if (c[m].size - level * c[m].equity / mark > c[m].cap) bound[m] = more = true;
      if (more) continue;
      for (std::size_t m = 0; m < c.size(); ++m) y[m] = bound[m] ? c[m].cap : 0.0;
      for (std::size_t m : active)
        if (!bound[m]) y[m] = std::max(0.0, c[m].size - level * c[m].equity / mark);
      return y;
    }
  }
  double deleverage(int t, int round, std::size_t k, std::int64_t bankrupt, int side, double size,
                    double price) {
    const double mark = mark_[k];
    const double cost = -side * (mark - price);  // per unit, against the mark, for the other side
    // The candidates in ranking order, with what each can give: an isolated position all of it if
    // it can take the price, a cross account what its equity pays (its legs share it, in order).
    std::vector<Candidate> c;
    std::map<int, double> left_of;
    double capacity = 0;
    for (std::size_t j : ranked(k, -side)) {
      if (sc_.exchange.adl.policy == AdlPolicy::Queue && capacity >= size) break;
      const P& q = pos_[j];
      if (q.state != Open) continue;
      Candidate x{j, q.size, q.size, 0};
      if (q.cross) {
        const A& a = acct_.at(q.account);
        x.equity = acct_equity(a);
        auto it = left_of.try_emplace(q.account, x.equity).first;
        if (cost > 0) {
          x.cap = std::min(q.size, std::max(0.0, it->second) / cost);
          it->second -= x.cap * cost;
        }
        if (x.cap <= 1e-9 * q.size || x.cap * price < 0.01) continue;  // nothing, or under a cent
      } else {
        if (q.side * (price - (q.entry - q.side * q.margin / q.size)) < 0) continue;  // beyond its bankruptcy
        x.equity = equity(q, mark);
      }
      capacity += x.cap;
      c.push_back(x);
    }
    std::vector<double> give = allocate(c, size, mark);
    // Within 1e-9 of a candidate's size of nothing is nothing; that sliver goes to those giving.
    double gap = 0;
    for (std::size_t m = 0; m < c.size(); ++m)
      if (give[m] > 0 && give[m] <= 1e-9 * c[m].size) {
        gap += give[m];
        give[m] = 0;
      }
    for (std::size_t m = 0; m < c.size() && gap > 0; ++m)
      if (give[m] > 0) {
        const double more = std::min(c[m].cap - give[m], gap);
        if (more > 0) {
          give[m] += more;
          gap -= more;
        }
      }
    double taken = 0;
    for (std::size_t m = 0; m < c.size(); ++m) {
      P& q = pos_[c[m].j];
      const double n = q.size;
      // No dust left: within 1e-9 of the position, or worth less than a cent, it closes whole.
      const double y = give[m] > 0 && c[m].cap >= n * (1 - 1e-9) &&
                               (give[m] >= n * (1 - 1e-9) || (n - give[m]) * price < 0.01)
                           ? n
                           : give[m];
      if (!(y > 0)) continue;
      const double pnl = q.side * y * (price - q.entry);
      if (q.cross)
        acct_.at(q.account).wallet += pnl;
      else
        q.margin -= y >= n ? q.margin : q.margin * (y / n);
      ++r_.adl_count;
      r_.adl_notional += y * price;
      r_.adl_haircut += y * std::max(0.0, cost);  // a price on the winner's side of the mark: none
      r_.adl.push_back({t, round, static_cast<std::int64_t>(c[m].j), bankrupt, y, price, mark});
      if (y >= n) {
        q.state = Closed;
        q.size = 0;
      } else {
        q.size -= y;
      }
      taken += give[m];  // the extra of a dust close is not the bankrupt position's
    }
    return std::min(taken, size);
  }

  void step(int t) {
    const std::size_t na = sc_.assets.size();
    for (std::size_t k = 0; k < na; ++k) {
      const auto& b = sc_.assets[k].book;
      imb_[k] *= std::exp(-sc_.dt_s / b.tau_refill_s);
      f_[k] = sc_.replay->prices[static_cast<std::size_t>(t)][k];
      const double vol = std::sqrt(ret2_[k] / dt_years());
      w_[k] =
          b.eta == 0 ? 1.0 : std::clamp(std::pow(vol / b.vol_base_annual, -b.eta), b.w_min, 1.0);
      const double lim = limit(k);  // the cap bounds the state
      if (std::abs(imb_[k]) > lim) imb_[k] = imb_[k] > 0 ? lim : -lim;
      set_mark(k);
    }
    unwind_vault();  // the step's flows
    if (vault_ && after() == AfterFund::Adl && underwater()) {
      rank_.clear();
      deleverage_vault(t, 1);
    }
    int depth = 0;
    const double ratio_takeover = sc_.exchange.backstop.takeover_ratio;
    for (int round = 1; round <= sc_.engine.max_rounds; ++round) {
      // Collect: liquidations (new and pending), cross accounts, stops, margin calls.
      std::vector<std::vector<std::size_t>> hits(na), pending(na), stops(na);
      std::vector<std::vector<std::pair<std::size_t, double>>> reduces(na), partials(na);
      std::vector<int> newly;
      std::int64_t taken = 0;
      const std::int64_t liquidations_before = r_.liquidations;
      for (std::size_t i = 0; i < pos_.size(); ++i) {
        P& p = pos_[i];
        if (p.state == Liquidating) pending[p.asset].push_back(i);
        if (p.state != Open || p.cross) continue;
        const double e = equity(p, mark_[p.asset]), m = mm(p, mark_[p.asset]);
        if (!(e <= m)) continue;
        if (vault_ && e < ratio_takeover * m) {
          take_over(t, round, i);
        } else if (const double y = partial_of(p, t); y > 0) {
          partials[p.asset].push_back({i, y});
          ordered_.insert(i);
          ++r_.liquidations;
          ++r_.partials;
        } else {
          hits[p.asset].push_back(i);
        }
      }
      for (auto& [id, a] : acct_) {
        if (!a.open) continue;
        const double e = acct_equity(a);
        if (e < acct_mm(a) && vault_ && e < ratio_takeover * acct_mm(a)) {
          take_over_account(t, round, a);
        } else if (e < acct_mm(a)) {
          a.open = false;
          newly.push_back(id);
          for (auto i : a.legs)
            if (pos_[i].state == Open) {
              pos_[i].bp = mark_[pos_[i].asset] - pos_[i].side * e / pos_[i].size;
              hits[pos_[i].asset].push_back(i);
            }
        }
      }
      for (std::size_t k = 0; k < na; ++k)
        for (auto i : hits[k]) {
          pos_[i].state = Liquidating;
          ++taken;
        }
      r_.liquidations += taken;
      std::vector<std::size_t> calls;
      if (agents_) {
        for (std::size_t i = 0; i < pos_.size(); ++i) {
          P& p = pos_[i];
          if (p.state != Open || p.cross || std::isnan(p.stop) || ordered_.count(i)) continue;
          if ((p.side > 0 && mark_[p.asset] <= p.stop) ||
              (p.side < 0 && mark_[p.asset] >= p.stop)) {
            stops[p.asset].push_back(i);
            p.state = Closed;  // the trader's stop order is in the round
            p.stop = std::numeric_limits<double>::quiet_NaN();
          }
        }
        const double ratio = call_ratio();
        for (std::size_t i = 0; i < pos_.size(); ++i) {
          const P& p = pos_[i];
          if (p.state != Open || !p.calls || p.ignored || p.cross || ordered_.count(i)) continue;
          const double e = equity(p, mark_[p.asset]);
          if (ratio * e <= mm(p, mark_[p.asset])) calls.push_back(i);
        }
      }
      bool any = r_.liquidations != liquidations_before;
      for (std::size_t k = 0; k < na; ++k) any = any || !pending[k].empty() || !stops[k].empty();
      if (!any && calls.empty()) break;
      // Margin calls, in position order.
      for (auto i : calls) {
        const auto& mc = *margin_call_;  // set whenever a position answers calls
        P& p = pos_[i];
        ++r_.calls;
        if (mc.top_up_probability >= 1.0 && p.wallet > 0) {
          const double amount = std::min(mc.top_up_amount * p.margin, p.wallet);
          p.margin += amount;
          p.wallet -= amount;
          ++r_.top_ups;
        } else if (mc.reduce_probability >= 1.0) {
          reduces[p.asset].push_back({i, mc.reduce_fraction * p.size});
          ordered_.insert(i);
          ++r_.reduces;
        } else {
          p.ignored = true;
        }
      }
      for (std::size_t k = 0; k < na; ++k) {
        canonical(hits[k]);
        canonical(pending[k]);
        canonical(stops[k]);
        std::vector<std::size_t> order;
        for (auto* orders : {&reduces[k], &partials[k]}) {
          order.clear();
          for (auto& [i, y] : *orders) order.push_back(i);
          canonical(order);
          std::vector<std::pair<std::size_t, double>> sorted;
          for (auto i : order)
            for (auto& e : *orders)
              if (e.first == i) sorted.push_back(e);
          *orders = sorted;
        }
      }
      auto order_of = [&](std::size_t k) {
        double q = 0;
        for (auto* l : {&hits[k], &pending[k]})
          for (auto i : *l)
            if (pos_[i].state == Liquidating) q -= pos_[i].side * pos_[i].size;
        for (auto i : stops[k]) q -= pos_[i].side * pos_[i].size;
        for (auto& [i, y] : reduces[k]) q -= pos_[i].side * y;
        for (auto& [i, y] : partials[k]) q -= pos_[i].side * y;
        return q;
      };
      auto has = [&](std::size_t k) {
        return !hits[k].empty() || !pending[k].empty() || !stops[k].empty() || !reduces[k].empty() ||
               !partials[k].empty();
      };
      // ADL planning on the tentative fills (sim/engine/adl.cpp's documented procedure).
      rank_.clear();
      const std::int64_t adl_before = r_.adl_count;
      std::vector<Fill> tentative(na);
      for (std::size_t k = 0; k < na; ++k)
        if (has(k)) tentative[k] = fill_of(k, order_of(k));
      const bool adl = after() == AfterFund::Adl;
      if (vault_ && adl) deleverage_vault(t, round);
      double fund_left = available();
      auto share = [&](double d) {
        if (d <= fund_left || 1 - fund_left / d <= 1e-9) {  // covered, up to rounding
          fund_left = std::max(0.0, fund_left - d);
          return 0.0;
        }
        const double a = 1 - fund_left / d;
        fund_left = 0;
        return a;
      };
      for (std::size_t k = 0; k < na; ++k)
        for (auto* l : {&hits[k], &pending[k]})
          for (auto i : *l) {
            P& p = pos_[i];
            if (!adl || p.cross || p.state != Liquidating) continue;
            const double d = -(p.margin + p.side * p.size * (tentative[k].price - p.entry));
            if (!(d > 0)) continue;
            const double a = share(d);
            if (a == 0) continue;
            const double bp = p.entry - p.side * p.margin / p.size;
            double got = deleverage(t, round, k, static_cast<std::int64_t>(i), p.side, a * p.size, bp);
            if (!(got > 0)) continue;
            if (p.size - got <= 1e-9 * p.size) got = p.size;
            r_.adl_covered += got * d / p.size;
            if (got >= p.size) {
              p.state = Closed;
              continue;
            }
            p.margin -= p.margin * (got / p.size);
            p.size -= got;
          }
      std::vector<int> cross_order = newly;
      for (int id : liquidating_) cross_order.push_back(id);
      for (int id : cross_order) {
        A& a = acct_.at(id);
        double rest = a.wallet + a.realized, losses = 0;
        bool fillable = true;
        for (auto i : a.legs) {
          const P& p = pos_[i];
          if (p.state != Liquidating) continue;
          fillable = fillable && tentative[p.asset].fraction >= 1.0;
          const double pnl = p.side * p.size * (tentative[p.asset].price - p.entry);
          rest += pnl;
          losses += std::max(0.0, -pnl);
        }
        if (!adl || !fillable || !(rest < 0) || !(losses > 0)) continue;
        const double d = -rest, frac = share(d);
        if (frac == 0) continue;
        for (auto i : a.legs) {
          P& p = pos_[i];
          if (p.state != Liquidating) continue;
          const double v0 = tentative[p.asset].price, y = p.size;
          const double loss = -p.side * y * (v0 - p.entry);
          if (!(loss > 0)) continue;
          const double s = frac * d * (loss / losses);
          const double price = v0 + p.side * s / y;
          double got = deleverage(t, round, p.asset, static_cast<std::int64_t>(i), p.side, y, price);
          if (!(got > 0)) continue;
          if (y - got <= 1e-9 * y) got = y;
          a.realized += p.side * got * (price - p.entry);
          r_.adl_covered += got * s / y;
          if (got >= y) {
            p.state = Closed;
            p.size = 0;
          } else {
            p.size -= got;
          }
        }
      }
      // Execute, close, settle.
      std::vector<Fill> fills(na);
      const double before = r_.liquidated;
      for (std::size_t k = 0; k < na; ++k) {
        if (!has(k)) continue;
        fills[k] = fill_of(k, order_of(k));
        imb_[k] = fills[k].after;
        set_mark(k);
      }
      for (std::size_t k = 0; k < na; ++k) {
        if (!has(k)) continue;
        const Fill& fl = fills[k];
        for (auto* l : {&hits[k], &pending[k]}) {
          const bool first = l == &hits[k];
          for (auto i : *l) {
            P& p = pos_[i];
            if (p.state != Liquidating) continue;
            const double n = p.size, y = fl.fraction >= 1 - 1e-9 ? n : n * fl.fraction;
            if (first && y < n) r_.unfilled += (n - y) * fl.cap_price;
            if (y > 0) {
              r_.liquidated += y * fl.price;
              r_.events.push_back({t, round, static_cast<std::int64_t>(i), y, fl.price});
              if (p.cross) {
                A& a = acct_.at(p.account);
                a.realized += p.side * y * (fl.price - p.entry);
                a.notional += y * fl.price;
                a.bucket_pnl[bucket(k, p.side)] += p.side * y * (fl.price - p.entry);
              } else {
                const double m = y >= n ? p.margin : p.margin * (y / n);
                const double rest = m + p.side * y * (fl.price - p.entry);
                pay(bucket(k, p.side), rest,
                    std::min(sc_.exchange.liquidation_fee * y * fl.price, std::max(rest, 0.0)));
                p.margin -= m;
              }
              p.size = n - y;
            }
            if (y >= n) p.state = Closed;
          }
        }
      }
      for (std::size_t k = 0; k < na; ++k) {
        const Fill& fl = fills[k];
        for (auto& [i, want] : partials[k]) {
          // The part sold: the rest keeps the margin less the part's loss and fee.
          P& p = pos_[i];
          ordered_.erase(i);
          const double y = fl.fraction >= 1 - 1e-9 ? want : want * fl.fraction;
          if (!(y > 0)) {
            p.state = Liquidating;  // a dry book: the liquidation engine has all of it
            continue;
          }
          const double realized = p.side * y * (fl.price - p.entry);
          const double fee =
              std::min(sc_.exchange.liquidation_fee * y * fl.price, std::max(p.margin + realized, 0.0));
          p.margin += realized - fee;
          p.size -= y;
          r_.fees += fee;
          r_.fund += fee;
          r_.liquidated += y * fl.price;
          r_.events.push_back({t, round, static_cast<std::int64_t>(i), y, fl.price});
          p.last_partial = t * sc_.dt_s;
        }
      }
      for (std::size_t k = 0; k < na; ++k) {
        const Fill& fl = fills[k];
        for (auto i : stops[k]) {
          P& p = pos_[i];
          const double y = fl.fraction >= 1 ? p.size : p.size * fl.fraction;
          if (y > 0) ++r_.stops;
          if (y >= p.size) {
            const double rest = p.margin + p.side * p.size * (fl.price - p.entry);
            if (rest < 0) bucket_[bucket(k, p.side)] -= rest;
            p.state = Closed;
          } else {
            p.margin += p.side * y * (fl.price - p.entry);
            p.size -= y;
            p.state = Open;
          }
        }
        for (auto& [i, want] : reduces[k]) {
          P& p = pos_[i];
          ordered_.erase(i);
          const double y = fl.fraction >= 1 ? want : want * fl.fraction;
          if (!(y > 0)) {
            p.ignored = true;  // an unfilled reduce: no further calls (docs/agents.md)
            continue;
          }
          if (y >= p.size) {
            const double rest = p.margin + p.side * p.size * (fl.price - p.entry);
            if (rest < 0) bucket_[bucket(k, p.side)] -= rest;
            p.state = Closed;
          } else {
            p.margin += p.side * y * (fl.price - p.entry);
            p.size -= y;
          }
        }
      }
      for (int id : newly) liquidating_.push_back(id);
      std::vector<int> still;
      for (int id : liquidating_) {
        A& a = acct_.at(id);
        bool left = false;
        for (auto i : a.legs) left = left || pos_[i].state == Liquidating;
        if (left) {
          still.push_back(id);
          continue;
        }
        const double e = a.wallet + a.realized;
        const double fee = std::min(sc_.exchange.liquidation_fee * a.notional, std::max(e, 0.0));
        double losses = 0;
        for (const auto& [b, pnl] : a.bucket_pnl) losses += std::max(0.0, -pnl);
        if (e < 0 && losses > 0) {  // the deficit belongs to the legs that lost, by their losses
          for (const auto& [b, pnl] : a.bucket_pnl)
            if (pnl < 0) bucket_[b] -= e * (-pnl / losses);
        } else {
          pay(a.bucket_pnl.empty() ? 0 : a.bucket_pnl.begin()->first, e, fee);
        }
        a.wallet = a.realized = a.notional = 0;
        a.bucket_pnl.clear();
      }
      liquidating_ = still;
      pay_deficits();
      r_.fund_min = std::min(r_.fund_min, r_.fund);
      if (r_.liquidations != liquidations_before || r_.liquidated != before ||
          r_.adl_count != adl_before) {
        ++depth;
      } else if (!calls.empty() ||
                 std::any_of(stops.begin(), stops.end(), [](auto& s) { return !s.empty(); }) ||
                 std::any_of(reduces.begin(), reduces.end(), [](auto& s) { return !s.empty(); })) {
        ++r_.agent_rounds;
      } else {
        break;
      }
    }
    r_.max_depth = std::max<std::int64_t>(r_.max_depth, depth);
    if (vault_) r_.vault_min_equity = std::min(r_.vault_min_equity, vault_equity());
    // End of step: realised volatility, basis, premium; funding at its interval.
    for (std::size_t k = 0; k < na; ++k) {
      const double mid = mid_at(k, imb_[k]);
      const double ret = std::log(mid / prev_mid_[k]);
      const auto& b = sc_.assets[k].book;
      ret2_[k] += (1.0 - std::pow(0.5, sc_.dt_s / b.vol_halflife_s)) * (ret * ret - ret2_[k]);
      prev_mid_[k] = mid;
      basis_[k] += (1.0 - std::pow(0.5, sc_.dt_s / sc_.exchange.mark.basis_halflife_s)) *
                   ((mid - f_[k]) - basis_[k]);
      premium_[k] += (mark_[k] - f_[k]) / f_[k];
      r_.marks.push_back(mark_[k]);
    }
    ++premium_steps_;
    const auto& fs = sc_.exchange.funding;
    if (fs.enabled && t * sc_.dt_s >= next_funding_) {
      double intervals = 0;
      while (t * sc_.dt_s >= next_funding_) {
        next_funding_ += fs.interval_s;
        intervals += 1;
      }
      std::vector<double> pay_per_unit(na);
      for (std::size_t k = 0; k < na; ++k) {
        const double p = premium_[k] / premium_steps_;
        const double f8 = p + std::clamp(*fs.interest - p, -*fs.interest_clamp, *fs.interest_clamp);
        const double rate = std::clamp(f8 * fs.interval_s / (8 * 3600.0), -*fs.cap, *fs.cap);
        pay_per_unit[k] = rate * intervals * mark_[k];
        premium_[k] = 0;
      }
      premium_steps_ = 0;
      for (auto& p : pos_)
        if (p.state != Closed && !p.cross) p.margin -= p.side * p.size * pay_per_unit[p.asset];
      for (auto& [id, a] : acct_)  // an account in liquidation pays for its unfilled legs
        for (auto i : a.legs)
          if (pos_[i].state != Closed)
            a.wallet -= pos_[i].side * pos_[i].size * pay_per_unit[pos_[i].asset];
    }
  }

  double call_ratio() const { return margin_call_ ? margin_call_->warning_ratio : 1.0; }

 public:
  /// The agents' settings the engine reads from the first asset with a margin-call block.
  void set_agents(bool any, const MarginCallSpec* calls) {
    agents_ = any;
    margin_call_ = calls;
  }

 private:
  const Scenario& sc_;
  std::vector<Extras> x_;
  std::vector<P> pos_;
  std::map<int, A> acct_;
  std::vector<int> liquidating_;
  std::vector<double> f_, imb_, w_, mark_, basis_, ret2_, prev_mid_, premium_;
  int premium_steps_ = 0;
  double next_funding_ = 0;
  bool vault_ = false;
  std::vector<double> inv_, cost_, bucket_;  ///< the vault's inventory and cost per asset; deficits by (asset, side)
  bool agents_ = false;
  const MarginCallSpec* margin_call_ = nullptr;
  std::map<std::pair<std::size_t, int>, std::vector<std::size_t>> rank_;
  std::set<std::size_t> ordered_;
  Result r_;
};

}  // namespace cascade::reference
