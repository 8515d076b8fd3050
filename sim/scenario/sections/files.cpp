// The scenario's CSV inputs: positions, accounts and the price replay (INTERFACE.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "sim/scenario/csv.hpp"
#include "sim/scenario/sections/sections.hpp"

namespace cascade {

namespace {

/// One data row with its columns bound by name; errors name the column and point at the field.
class Row {
 public:
  Row(const CsvTable& t, const CsvRow& row, const std::vector<std::size_t>& cols,
      std::initializer_list<std::string_view> names)
      : t_(t), row_(row), cols_(cols), names_(names) {}

  /// Whether column c is in the file (optional columns may be absent).
  bool has(std::size_t c) const { return cols_[c] < row_.fields.size(); }
  /// The field's text; empty for an absent optional column.
  const std::string& text(std::size_t c) const {
    static const std::string none;
    return has(c) ? row_.fields[cols_[c]].text : none;
  }
  SourceLoc at(std::size_t c) const { return t_.at(row_, cols_[c]); }
  int line() const { return row_.line; }

  [[noreturn]] void fail(std::size_t c, const std::string& message) const {
    throw InputError(at(c), fmt::format("column '{}': {}", names_[c], message));
  }

  double number(std::size_t c, Range r) const {
    const std::optional<double> v = parse_number(text(c));
    const std::string want = "a number " + r.describe();
    if (!v) fail(c, fmt::format("expected {}, got '{}'", want, echo(text(c))));
    if (!r.contains(*v)) fail(c, fmt::format("expected {}, got {}", want, echo(text(c))));
    const double mag = std::abs(*v);
    if (mag > kMaxMagnitude || (mag != 0.0 && mag < kMinMagnitude))
      fail(c, fmt::format("{} is outside the range the model computes in (0, or {:g} to {:g} in "
                          "magnitude; docs/scenario.md, \"Computable ranges\")",
                          echo(text(c)), kMinMagnitude, kMaxMagnitude));
    return *v;
  }

  int asset(std::size_t c, const Scenario& s) const {
    const int k = s.asset_index(text(c));
    if (k >= 0) return k;
    std::vector<std::string> names;
    for (const AssetSpec& a : s.assets) names.push_back(a.name);
    fail(c, fmt::format("unknown asset '{}'{} (the scenario's assets: {})", echo(text(c)),
                        did_you_mean(text(c), names), fmt::join(names, ", ")));
  }

 private:
  const CsvTable& t_;
  const CsvRow& row_;
  const std::vector<std::size_t>& cols_;
  std::vector<std::string_view> names_;
};

/// The optional margin-call columns of a positions or accounts row (docs/scenario.md, "CSV
/// files"): `margin_call` (ignore | top_up | reduce; empty: the account answers no calls),
/// `warning_ratio`, `call_amount` and `top_up_wallet`, which need `margin_call`. The answer is
/// deterministic: a known book's own behaviour, not a population's probabilities.
/// `mmr_max`: the largest maintenance rate the call must come before; `default_wallet`: USD.
struct CallColumns {
  std::size_t kind, ratio, amount, wallet;
};
std::optional<MarginCallSpec> read_call_columns(const Row& row, const CallColumns& c, double mmr_max,
                                                double default_wallet, double& top_up_wallet) {
  const std::string& kind = row.text(c.kind);
  if (kind.empty()) {
    for (std::size_t col : {c.ratio, c.amount, c.wallet})
      if (!row.text(col).empty()) row.fail(col, "needs column 'margin_call' (ignore, top_up or reduce)");
    return std::nullopt;
  }
  MarginCallSpec spec;
  spec.loc = row.at(c.kind);
  spec.warning_loc = row.has(c.ratio) && !row.text(c.ratio).empty() ? row.at(c.ratio) : spec.loc;
  if (kind == "top_up")
    spec.top_up_probability = 1.0;
  else if (kind == "reduce")
    spec.reduce_probability = 1.0;
  else if (kind != "ignore")
    row.fail(c.kind, fmt::format("expected ignore, top_up or reduce, got '{}'", kind));
  if (!row.text(c.ratio).empty()) {
    spec.warning_ratio = row.number(c.ratio, Range::between(0.0, true, 1.0, true));
    if (!(spec.warning_ratio > mmr_max))
      row.fail(c.ratio, fmt::format("warning ratio {} must be above the maintenance rate {} "
                                    "(the margin call must come before the liquidation)",
                                    row.text(c.ratio), mmr_max));
  } else if (!(spec.warning_ratio > mmr_max)) {
    row.fail(c.kind, fmt::format("the default warning ratio {} is not above the maintenance rate "
                                 "{}: give column 'warning_ratio'",
                                 spec.warning_ratio, mmr_max));
  }
  if (!row.text(c.amount).empty()) {
    if (kind == "reduce")
      spec.reduce_fraction = row.number(c.amount, Range::between(0.0, true, 1.0, false));
    else if (kind == "top_up")
      spec.top_up_amount = row.number(c.amount, Range::positive());
    else
      row.fail(c.amount, "only with margin_call top_up or reduce");
  }
  top_up_wallet = default_wallet;
  if (!row.text(c.wallet).empty()) {
    if (kind != "top_up") row.fail(c.wallet, "only with margin_call top_up");
    top_up_wallet = row.number(c.wallet, Range::non_negative());
  }
  return spec;
}

}  // namespace

void read_positions(Scenario& s, const std::optional<FileRef>& positions,
                    const std::optional<FileRef>& accounts) {
  std::map<std::string, int> index;
  auto account_of = [&](const std::string& name) {
    auto [it, fresh] = index.emplace(name, static_cast<int>(s.accounts.size()));
    if (fresh) s.accounts.push_back({name, std::nullopt});
    return it->second;
  };
  struct CrossUse {
    SourceLoc at;
    int account;
  };
  std::vector<CrossUse> cross;

  if (positions) {
    s.input_files.push_back(positions->path);
    const CsvTable t = read_csv(positions->path, positions->named_at, positions->key);
    enum { kAccount, kAsset, kSide, kSize, kEntry, kMargin, kMode, kStop, kCall, kRatio, kAmount, kTopUpWallet };
    const std::vector<std::size_t> cols =
        bind_columns(t, {"account", "asset", "side", "size", "entry_price", "margin", "mode"},
                     {"stop_price", "margin_call", "warning_ratio", "call_amount", "top_up_wallet"});
    for (const CsvRow& r : t.rows) {
      const Row row(t, r, cols,
                    {"account", "asset", "side", "size", "entry_price", "margin", "mode", "stop_price",
                     "margin_call", "warning_ratio", "call_amount", "top_up_wallet"});
      PositionSpec p;
      p.line = r.line;
      if (row.text(kAccount).empty()) row.fail(kAccount, "empty account name");
      p.asset = row.asset(kAsset, s);
      if (row.text(kSide) == "long")
        p.side = 1;
      else if (row.text(kSide) == "short")
        p.side = -1;
      else
        row.fail(kSide, fmt::format("expected long or short, got '{}'", echo(row.text(kSide))));
      p.size = row.number(kSize, Range::positive());
      p.entry_usd = row.number(kEntry, Range::positive());
      if (row.text(kMode) == "cross")
        p.cross = true;
      else if (row.text(kMode) != "isolated")
        row.fail(kMode, fmt::format("expected isolated or cross, got '{}'", echo(row.text(kMode))));
      if (p.cross && s.assets[static_cast<std::size_t>(p.asset)].contract == ContractKind::Inverse)
        row.fail(kMode, fmt::format("asset {} is an inverse contract: its positions are isolated "
                                    "(margin in coin); cross inverse accounts are not modelled",
                                    s.assets[static_cast<std::size_t>(p.asset)].name));
      if (p.cross) {
        if (!row.text(kMargin).empty())
          row.fail(kMargin, fmt::format("must be empty for a cross position (cross positions draw "
                                        "on the account's wallet), got '{}'",
                                        row.text(kMargin)));
      } else {
        if (row.text(kMargin).empty()) row.fail(kMargin, "an isolated position needs a margin > 0");
        p.margin_usd = row.number(kMargin, Range::positive());
        const AssetSpec& a = s.assets[static_cast<std::size_t>(p.asset)];
        // Inverse: size is the USD face value, margin in coin; tiers are keyed by coin value.
        const bool inverse = a.contract == ContractKind::Inverse;
        const double notional = inverse ? p.size / p.entry_usd : p.size * p.entry_usd;
        const std::size_t b = a.tiers.bracket_index(notional);
        const double lev = notional / p.margin_usd;
        const double max_lev = a.tiers.rows()[b].max_leverage;
        if (lev > max_lev * (1.0 + 1e-9))
          row.fail(kMargin, fmt::format("leverage {:.6g}x ({}) exceeds the limit {}x of the tier "
                                        "for notional {} {} (assets.{}.tiers[{}])",
                                        lev, inverse ? "size/entry_price/margin" : "size*entry_price/margin",
                                        max_lev, notional, inverse ? "coin" : "USD", a.name, b));
      }
      AgentSpec agent;
      if (!row.text(kStop).empty()) agent.stop_usd = row.number(kStop, Range::positive());
      if (p.cross) {
        if (!row.text(kCall).empty())
          row.fail(kCall, "a cross position's margin calls are its account's (columns of the "
                          "accounts file)");
        for (std::size_t c : {kRatio, kAmount, kTopUpWallet})
          if (!row.text(c).empty()) row.fail(c, "needs column 'margin_call' (an isolated position)");
      } else {
        double mmr_max = 0.0;
        for (const Tier& tier : s.assets[static_cast<std::size_t>(p.asset)].tiers.rows())
          mmr_max = std::max(mmr_max, tier.mmr);
        agent.margin_call = read_call_columns(row, {kCall, kRatio, kAmount, kTopUpWallet}, mmr_max,
                                              p.margin_usd, agent.top_up_wallet_usd);
      }
      p.account = account_of(row.text(kAccount));
      if (p.cross) cross.push_back({row.at(kAccount), p.account});
      s.positions.push_back(p);
      s.position_agents.push_back(agent);
    }
  }

  if (accounts) {
    s.input_files.push_back(accounts->path);
    const CsvTable t = read_csv(accounts->path, accounts->named_at, accounts->key);
    enum { kAccount, kWallet, kCall, kRatio, kAmount, kTopUpWallet };
    const std::vector<std::size_t> cols =
        bind_columns(t, {"account", "wallet"}, {"margin_call", "warning_ratio", "call_amount", "top_up_wallet"});
    double mmr_max = 0.0;  // an account may hold any asset: its call comes before every tier's rate
    for (const AssetSpec& a : s.assets)
      for (const Tier& tier : a.tiers.rows()) mmr_max = std::max(mmr_max, tier.mmr);
    std::map<std::string, int> seen;
    for (const CsvRow& r : t.rows) {
      const Row row(t, r, cols,
                    {"account", "wallet", "margin_call", "warning_ratio", "call_amount", "top_up_wallet"});
      const std::string& name = row.text(kAccount);
      if (name.empty()) row.fail(kAccount, "empty account name");
      if (auto [it, fresh] = seen.emplace(name, r.line); !fresh)
        row.fail(kAccount,
                 fmt::format("account '{}' is listed twice (first at line {})", name, it->second));
      const double wallet = row.number(kWallet, Range::non_negative());
      const auto a = static_cast<std::size_t>(account_of(name));
      s.accounts[a].wallet_usd = wallet;
      if (s.account_agents.size() < s.accounts.size()) s.account_agents.resize(s.accounts.size());
      AgentSpec& agent = s.account_agents[a];
      agent.margin_call = read_call_columns(row, {kCall, kRatio, kAmount, kTopUpWallet}, mmr_max, wallet,
                                            agent.top_up_wallet_usd);
    }
  }

  for (const CrossUse& c : cross)
    if (!s.accounts[static_cast<std::size_t>(c.account)].wallet_usd)
      throw InputError(
          c.at, fmt::format("column 'account': account '{}' has a cross position but "
                            "no wallet (list it in the accounts file{})",
                            s.accounts[static_cast<std::size_t>(c.account)].name,
                            accounts ? " '" + accounts->path + "'" : ", positions.accounts"));
}

void read_replay(Scenario& s, const FileRef& file, bool steps_given) {
  s.input_files.push_back(file.path);
  const CsvTable t = read_csv(file.path, file.named_at, file.key);
  enum { kTime, kAsset, kPrice };
  const std::vector<std::size_t> cols = bind_columns(t, {"time", "asset", "price"});
  const double dt = s.dt_s;
  const double horizon = static_cast<double>(s.steps) * dt;

  struct Point {
    std::size_t step;
    std::size_t asset;
    double price;
    int line;
  };
  std::vector<Point> points;
  std::size_t last_step = 0;
  int last_line = 1;  // the header
  for (const CsvRow& r : t.rows) {
    last_line = std::max(last_line, r.line);
    const Row row(t, r, cols, {"time", "asset", "price"});
    const double time = row.number(kTime, Range::non_negative());
    const double k = std::round(time / dt);
    if (std::abs(time - k * dt) > 1e-9 * dt)
      row.fail(kTime, fmt::format("time {} s is not on the step grid (a multiple of dt = {} s)",
                                  row.text(kTime), dt));
    if (steps_given && k > static_cast<double>(s.steps))
      row.fail(kTime, fmt::format("time {} s is beyond the horizon steps*dt = {} s (steps: {})",
                                  row.text(kTime), horizon, s.steps));
    if (k > static_cast<double>(std::numeric_limits<int>::max() - 1))
      row.fail(kTime, fmt::format("time {} s is too many steps from the start", row.text(kTime)));
    const Point p{static_cast<std::size_t>(k), static_cast<std::size_t>(row.asset(kAsset, s)),
                  row.number(kPrice, Range::positive()), r.line};
    last_step = std::max(last_step, p.step);
    points.push_back(p);
  }
  if (!steps_given) s.steps = static_cast<int>(last_step);

  // Sorted by (time, asset, line), the rows must be exactly the grid: a repeat is a duplicate,
  // a gap a missing row. Nothing is allocated per grid point before the file covers the grid.
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    return std::tie(a.step, a.asset, a.line) < std::tie(b.step, b.asset, b.line);
  });
  const Point* dup = nullptr;
  int dup_first = 0;
  for (std::size_t i = 1; i < points.size(); ++i)
    if (points[i].step == points[i - 1].step && points[i].asset == points[i - 1].asset &&
        (!dup || points[i].line < dup->line)) {
      dup = &points[i];
      dup_first = points[i - 1].line;
    }
  if (dup)
    throw InputError(
        {t.file, dup->line, 0},
        fmt::format("duplicate row for time {} s, asset {} (first at line {})",
                    static_cast<double>(dup->step) * dt, s.assets[dup->asset].name, dup_first));
  const std::size_t n_assets = s.assets.size();
  const std::size_t n_times = static_cast<std::size_t>(s.steps) + 1;
  for (std::size_t i = 0; i < n_times * n_assets; ++i) {
    const std::size_t step = i / n_assets, k = i % n_assets;
    if (i >= points.size() || points[i].step != step || points[i].asset != k)
      // Where the missing row belongs: at the line of the row that is there instead (the first
      // one past the gap), or after the last row.
      throw InputError({t.file, i < points.size() ? points[i].line : last_line + 1, 0},
                       fmt::format("no row for time {} s, asset {} (the replay needs one row per "
                                   "asset at each time 0, dt, ..., steps*dt = {} s)",
                                   static_cast<double>(step) * dt, s.assets[k].name,
                                   static_cast<double>(s.steps) * dt));
  }
  ReplaySpec replay{file.path,
                    std::vector<std::vector<double>>(n_times, std::vector<double>(n_assets))};
  for (const Point& p : points) replay.prices[p.step][p.asset] = p.price;
  for (std::size_t k = 0; k < n_assets; ++k) s.assets[k].price_usd = replay.prices[0][k];
  s.replay = std::move(replay);
}

void read_funding_tape(Scenario& s, const FileRef& file) {
  const CsvTable t = read_csv(file.path, file.named_at, file.key);
  enum { kTime, kAsset, kRate };
  const std::vector<std::size_t> cols = bind_columns(t, {"time", "asset", "rate"});
  const double horizon = static_cast<double>(s.steps) * s.dt_s;
  struct Row_ {
    FundingTapeRow row;
    int line;
    SourceLoc at;  ///< its time field
  };
  std::vector<Row_> rows;
  for (const CsvRow& r : t.rows) {
    const Row row(t, r, cols, {"time", "asset", "rate"});
    const double time = row.number(kTime, Range::positive());
    if (time > horizon * (1.0 + 1e-12))
      row.fail(kTime, fmt::format("time {} s is beyond the horizon steps*dt = {} s", row.text(kTime),
                                  horizon));
    // A rate beyond +-100 % of notional per payment is a unit error (percent for fraction).
    rows.push_back({{time, row.asset(kAsset, s), row.number(kRate, Range::between(-1.0, true, 1.0, true))},
                    r.line, row.at(kTime)});
  }
  if (rows.empty())
    throw InputError({t.file, 1, 0}, "a funding tape needs at least one row after the header");
  std::stable_sort(rows.begin(), rows.end(), [](const Row_& a, const Row_& b) {
    return std::tie(a.row.time_s, a.row.asset) < std::tie(b.row.time_s, b.row.asset);
  });
  FundingTape tape{file.path, {}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && rows[i].row.time_s == rows[i - 1].row.time_s && rows[i].row.asset == rows[i - 1].row.asset)
      throw InputError(rows[i].line > rows[i - 1].line ? rows[i].at : rows[i - 1].at,
                       fmt::format("duplicate row for time {} s, asset {} (first at line {})",
                                   rows[i].row.time_s, s.assets[static_cast<std::size_t>(rows[i].row.asset)].name,
                                   std::min(rows[i].line, rows[i - 1].line)));
    tape.rows.push_back(rows[i].row);
  }
  s.exchange.funding.replay = std::move(tape);
}

}  // namespace cascade
