// A sweep as written: which keys can be swept, their units, and the `--param/--values`
// arguments (sim/scenario/sweep_spec.hpp). The `sweep:` block is read in sections/sweep.cpp; the
// job that loads and runs the points is sim/ensemble/sweep.cpp.
#include "sim/scenario/sweep_spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

#include "sim/scenario/yaml_check.hpp"

namespace cascade {

namespace {

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> segs;
  std::string cur;
  for (char c : canonical_sweep_key(key)) {
    if (c == '.') {
      segs.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  segs.push_back(cur);
  return segs;
}

/// One comma-separated piece of a command-line argument, trimmed, with its 1-based column.
struct Piece {
  std::string text;
  int col = 1;
};

std::vector<Piece> split_commas(const std::string& arg) {
  std::vector<Piece> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(arg.find(',', start), arg.size());
    std::size_t b = start, e = end;
    while (b < e && std::isspace(static_cast<unsigned char>(arg[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(arg[e - 1]))) --e;
    out.push_back({arg.substr(b, e - b), static_cast<int>(b) + 1});
    if (end == arg.size()) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

bool is_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// ---- keys ---------------------------------------------------------------------------------

std::string canonical_sweep_key(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '[') {
      const std::size_t close = key.find(']', i);
      if (close == std::string::npos) return key;
      if (!out.empty()) out += '.';
      out += key.substr(i + 1, close - i - 1);
      i = close;
    } else {
      out += key[i];
    }
  }
  return out;
}

std::string sweep_key_problem(const std::string& key) {
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '[' &&
        c != ']')
      return fmt::format(
          "'{}' is not a scenario key (unexpected '{}'; keys are written "
          "like assets.BTC.tiers[1].mmr)",
          key, c);
  const auto segs = split_key(key);
  if (std::any_of(segs.begin(), segs.end(), [](const std::string& s) { return s.empty(); }))
    return fmt::format("'{}' is not a scenario key (empty key between dots)", key);
  if (segs.front() == "sweep") return fmt::format("'{}': the sweep itself cannot be swept", key);
  return "";
}

std::string sweep_key_unit(const std::string& key) {
  // docs/scenario.md; keys under assets.NAME and list indices are generalised.
  static const std::map<std::string, std::string, std::less<>> kUnits = {
      {"steps", "count"},
      {"dt", "s"},
      {"paths", "count"},
      {"seed", "index"},
      {"exchange.liquidation_fee", "fraction"},
      {"exchange.insurance_fund", "USD"},
      {"engine.max_rounds", "rounds"},
      {"assets.*.price", "USD"},
      {"assets.*.drift", "per year"},
      {"assets.*.volatility", "per sqrt(year)"},
      {"assets.*.tiers.#.floor", "USD"},
      {"assets.*.tiers.#.max_leverage", "x"},
      {"assets.*.tiers.#.mmr", "fraction"},
      {"assets.*.tiers.#.cum", "USD"},
      {"assets.*.book.depth_1pct", "USD"},
      {"assets.*.book.beta", "dimensionless"},
      {"assets.*.book.tau_refill", "s"},
      {"assets.*.book.eta", "dimensionless"},
      {"assets.*.book.vol_base", "per sqrt(year)"},
      {"assets.*.book.vol_halflife", "s"},
      {"assets.*.book.w_min", "fraction"},
      {"assets.*.book.displacement_cap", "fraction"},
      {"assets.*.population.count", "count"},
      {"assets.*.population.long_share", "fraction"},
      {"assets.*.population.leverage_mean", "x"},
      {"assets.*.population.leverage_dispersion", "dimensionless"},
      {"assets.*.population.notional_median", "USD"},
      {"assets.*.population.notional_dispersion", "dimensionless"},
      {"assets.*.population.entry_spread", "dimensionless"},
      {"shocks.#.at", "s"},
      {"shocks.#.over", "s"},
      {"shocks.#.move", "fraction"},
      {"shocks.#.to", "fraction"},
      {"market.volatility_regimes.#.from", "s"},
  };
  auto segs = split_key(key);
  if (segs.size() >= 2 && segs[0] == "assets") segs[1] = "*";
  for (auto& s : segs)
    if (is_digits(s)) s = "#";
  const auto it = kUnits.find(fmt::format("{}", fmt::join(segs, ".")));
  return it == kUnits.end() ? std::string() : it->second;
}

// ---- the sweep as written ---------------------------------------------------------------------

SweepSpec parse_sweep_arguments(const std::vector<std::string>& params,
                                const std::vector<std::string>& values) {
  if (params.size() != values.size())
    throw InputError({params.size() > values.size() ? "--param" : "--values", 0, 0},
                     fmt::format("each --param needs one --values (got {} --param and {} --values)",
                                 params.size(), values.size()));
  SweepSpec spec;
  std::vector<std::pair<std::string, int>> seen;  // canonical key, --param argument
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    SweepAxisSpec axis;
    for (const Piece& k : split_commas(params[i])) {
      const SourceLoc at{"--param", n, k.col};
      if (k.text.empty()) throw InputError(at, "expected a scenario key (e.g. assets.BTC.price)");
      if (const std::string problem = sweep_key_problem(k.text); !problem.empty())
        throw InputError(at, problem);
      const std::string canon = canonical_sweep_key(k.text);
      const auto it =
          std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == canon; });
      if (it != seen.end())
        throw InputError(
            at, fmt::format("{}: key is swept twice (also in --param {})", k.text, it->second));
      seen.emplace_back(canon, n);
      axis.keys.push_back(k.text);
      axis.key_locs.push_back(at);
    }
    const std::string keys = fmt::format("{}", fmt::join(axis.keys, ","));
    for (const Piece& v : split_commas(values[i])) {
      const SourceLoc at{"--values", n, v.col};
      if (v.text.empty())
        throw InputError(at, fmt::format("{}: expected a number, got an empty value", keys));
      const std::optional<double> x = parse_number(v.text);
      if (!x) throw InputError(at, fmt::format("{}: expected a number, got '{}'", keys, echo(v.text)));
      axis.values.push_back(v.text);
      axis.numbers.push_back(*x);
      axis.value_locs.push_back(at);
    }
    spec.axes.push_back(std::move(axis));
  }
  return spec;
}

std::string sweep_block_override(const SweepSpec& spec) {
  std::vector<std::string> params;
  for (const auto& axis : spec.axes) {
    std::vector<std::string> keys;
    for (const auto& k : axis.keys) keys.push_back('"' + k + '"');
    params.push_back(fmt::format("{{keys: [{}], values: [{}]}}", fmt::join(keys, ", "),
                                 fmt::join(axis.values, ", ")));
  }
  return fmt::format("sweep={{params: [{}]{}}}", fmt::join(params, ", "),
                     spec.independent_points ? ", independent_points: true" : "");
}
}  // namespace cascade
