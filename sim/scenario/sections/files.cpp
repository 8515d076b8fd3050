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

  const std::string& text(std::size_t c) const { return row_.fields[cols_[c]].text; }
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
    enum { kAccount, kAsset, kSide, kSize, kEntry, kMargin, kMode };
    const std::vector<std::size_t> cols =
        bind_columns(t, {"account", "asset", "side", "size", "entry_price", "margin", "mode"});
    for (const CsvRow& r : t.rows) {
      const Row row(t, r, cols,
                    {"account", "asset", "side", "size", "entry_price", "margin", "mode"});
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
      if (p.cross) {
        if (!row.text(kMargin).empty())
          row.fail(kMargin, fmt::format("must be empty for a cross position (cross positions draw "
                                        "on the account's wallet), got '{}'",
                                        row.text(kMargin)));
      } else {
        if (row.text(kMargin).empty()) row.fail(kMargin, "an isolated position needs a margin > 0");
        p.margin_usd = row.number(kMargin, Range::positive());
        const AssetSpec& a = s.assets[static_cast<std::size_t>(p.asset)];
        const double notional = p.size * p.entry_usd;
        const std::size_t b = a.tiers.bracket_index(notional);
        const double lev = notional / p.margin_usd;
        const double max_lev = a.tiers.rows()[b].max_leverage;
        if (lev > max_lev * (1.0 + 1e-9))
          row.fail(kMargin, fmt::format("leverage {:.6g}x (size*entry_price/margin) exceeds the "
                                        "limit {}x of the tier for notional {} USD "
                                        "(assets.{}.tiers[{}])",
                                        lev, max_lev, notional, a.name, b));
      }
      p.account = account_of(row.text(kAccount));
      if (p.cross) cross.push_back({row.at(kAccount), p.account});
      s.positions.push_back(p);
    }
  }

  if (accounts) {
    s.input_files.push_back(accounts->path);
    const CsvTable t = read_csv(accounts->path, accounts->named_at, accounts->key);
    enum { kAccount, kWallet };
    const std::vector<std::size_t> cols = bind_columns(t, {"account", "wallet"});
    std::map<std::string, int> seen;
    for (const CsvRow& r : t.rows) {
      const Row row(t, r, cols, {"account", "wallet"});
      const std::string& name = row.text(kAccount);
      if (name.empty()) row.fail(kAccount, "empty account name");
      if (auto [it, fresh] = seen.emplace(name, r.line); !fresh)
        row.fail(kAccount,
                 fmt::format("account '{}' is listed twice (first at line {})", name, it->second));
      const double wallet = row.number(kWallet, Range::non_negative());
      s.accounts[static_cast<std::size_t>(account_of(name))].wallet_usd = wallet;
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

}  // namespace cascade
