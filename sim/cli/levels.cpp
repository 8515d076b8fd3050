// `cascade levels`: the liquidation map of the initial book.
//
// For each asset and side, the notional that would be liquidated (at the liquidation price) in
// each price bucket around the start price, nearest buckets first, with the running total: how
// far the mark must move before how much is forced out. `--csv` lists every position. Cross
// positions are placed at their account's liquidation price in that asset with the other
// assets at their start prices (sim/book/cross_levels.hpp).
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "sim/cli/load.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/output_path.hpp"
#include "sim/book/cross_levels.hpp"
#include "sim/book/initial_book.hpp"
#include "sim/cli/inspect.hpp"
#include "models/inverse_margin.hpp"
#include "sim/plan/random_streams.hpp"

namespace cascade {
namespace {

std::string csv_number(double v) { return std::isnan(v) ? std::string() : fmt::format("{:.17g}", v); }

std::string positions_csv(const Scenario& sc, const std::vector<InitialPosition>& rows,
                          const std::vector<std::string>& accounts) {
  std::ostringstream s;
  s << "position,account,asset,side,size,entry_price,margin,liquidation_price,bankruptcy_price\n";
  for (const auto& r : rows)
    s << r.position << ',' << accounts[static_cast<std::size_t>(r.account)] << ','
      << sc.assets[static_cast<std::size_t>(r.asset)].name << ',' << (r.side > 0 ? "long" : "short")
      << ',' << csv_number(r.size) << ',' << csv_number(r.entry_price) << ',' << csv_number(r.margin)
      << ',' << csv_number(r.liquidation_price) << ',' << csv_number(r.bankruptcy_price) << '\n';
  return s.str();
}

/// Inverse (coin-margined) positions: size is the USD face value, margin in coin; their
/// liquidation and bankruptcy prices by the profile's COIN-M rule (models/inverse_margin.hpp).
void fill_inverse_levels(const Scenario& sc, std::vector<InitialPosition>& rows) {
  for (auto& r : rows) {
    const AssetSpec& a = sc.assets[static_cast<std::size_t>(r.asset)];
    if (a.contract != ContractKind::Inverse) continue;
    const InversePosition p{r.side, r.size, 1.0, r.entry_price, r.margin};
    if (sc.exchange.profile == "bybit") {
      // Bybit: maintenance on the entry value at the rate of its risk limit; the fee to close is
      // the scenario's liquidation fee.
      const BybitInverse rule(a.tiers.bracket(p.value_coin(r.entry_price)).mmr, sc.exchange.liquidation_fee);
      r.liquidation_price = rule.liquidation_price(p);
      r.bankruptcy_price = rule.bankruptcy_price(p);
    } else {
      const BinanceCoinM rule(a.tiers);
      r.liquidation_price = rule.liquidation_price(p);
      r.bankruptcy_price = BinanceCoinM::bankruptcy_price(p);
    }
  }
}

}  // namespace

int command_levels(const LevelsArgs& args, std::ostream& out, std::ostream& err) {
  const auto sc = load_or_report(args.scenario, args.overrides, err);
  if (!sc) return 2;
  if (!args.csv.empty()) {
    // --csv replaces a regular file as it always has, but never a FIFO, a device or an input.
    std::vector<std::string> inputs = sc->input_files;
    inputs.push_back(args.scenario);
    if (const auto problem = output_path_problem(args.csv, true, inputs)) {
      err << "cascade levels: error: " << *problem << "\n";
      return 2;
    }
  }
  // The book of path 0 (or the run-wide book), as `cascade run` would start from.
  const std::uint64_t seed = stream_seed(sc->seed, 0, sc->sample == SampleMode::PerRun ? -1 : 0,
                                         Stream::Population);
  const PositionBook book = build_initial_book(*sc, seed);
  auto rows = describe_positions(book);
  std::vector<double> start_prices;
  for (std::size_t k = 0; k < sc->assets.size(); ++k)
    start_prices.push_back(sc->replay ? sc->replay->prices[0][k] : sc->assets[k].price_usd);
  fill_cross_levels(RunPlan(*sc), book, start_prices, rows);
  fill_inverse_levels(*sc, rows);

  for (std::size_t k = 0; k < sc->assets.size(); ++k) {
    const auto& a = sc->assets[k];
    const double p0 = sc->replay ? sc->replay->prices[0][k] : a.price_usd;
    const double width = p0 * args.bucket_percent / 100.0;
    const bool inverse = a.contract == ContractKind::Inverse;  // size is already USD
    double oi = 0;
    std::map<long, std::pair<double, int>> longs, shorts;  // bucket -> (notional, count)
    double never = 0, beyond_long = 0, beyond_short = 0;
    for (const auto& r : rows) {
      if (r.asset != static_cast<std::int32_t>(k)) continue;
      oi += inverse ? r.size : r.size * p0;
      if (std::isnan(r.liquidation_price)) {
        never += inverse ? r.size : r.size * p0;
        continue;
      }
      const double lp = r.liquidation_price;
      const double notional = inverse ? r.size : r.size * lp;
      if (std::abs(lp / p0 - 1.0) * 100.0 > args.range_percent) {
        (r.side > 0 ? beyond_long : beyond_short) += notional;
        continue;
      }
      // Longs fall below the start price: bucket b covers [p0 - (b+1)w, p0 - b w).
      const long b = r.side > 0 ? static_cast<long>(std::floor((p0 - lp) / width))
                                : static_cast<long>(std::floor((lp - p0) / width));
      auto& cell = (r.side > 0 ? longs : shorts)[b];
      cell.first += notional;
      ++cell.second;
    }
    fmt::print(out, "{}{}  start {:.6g} USD, open interest {}, {} % buckets\n", a.name,
               inverse ? " (inverse: size USD, margin coin)" : "", p0, format_quantity(oi, "USD"),
               args.bucket_percent);
    auto table = [&](const char* label, const std::map<long, std::pair<double, int>>& m, int sign,
                     double beyond) {
      fmt::print(out, "  {} liquidations (mark {} through):\n", label, sign > 0 ? "falling" : "rising");
      fmt::print(out, "    {:>25}  {:>12}  {:>7}  {:>12}\n", "price range (USD)", "notional", "count", "cumulative");
      double cum = 0;
      for (const auto& [b, cell] : m) {
        cum += cell.first;
        const double edge1 = p0 - sign * static_cast<double>(b) * width;
        const double edge2 = p0 - sign * static_cast<double>(b + 1) * width;
        fmt::print(out, "    {:>11.6g} .. {:<11.6g}  {:>12}  {:>7}  {:>12}\n", std::min(edge1, edge2),
                   std::max(edge1, edge2), format_quantity(cell.first, "USD"), cell.second,
                   format_quantity(cum, "USD"));
      }
      if (m.empty()) fmt::print(out, "    (none within {} %)\n", args.range_percent);
      if (beyond > 0) fmt::print(out, "    beyond {} %: {}\n", args.range_percent, format_quantity(beyond, "USD"));
    };
    table("long", longs, 1, beyond_long);
    table("short", shorts, -1, beyond_short);
    if (never > 0) fmt::print(out, "  never liquidated (fully collateralised): {}\n", format_quantity(never, "USD"));
  }
  if (!args.csv.empty()) {
    try {
      write_file_atomically(args.csv, positions_csv(*sc, rows, account_names(*sc)));
    } catch (const std::exception& e) {
      err << "cascade levels: error: " << e.what() << "\n";
      return 1;
    }
    fmt::print(out, "wrote {} positions to {}\n", rows.size(), args.csv);
  }
  return 0;
}

}  // namespace cascade
