#include "sim/scenario/yaml_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

namespace cascade {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

/// Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("prcie").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return std::nullopt;
  }
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

namespace {

std::string show(const YamlNode& n) {
  if (n.is_scalar() && n.quoted) return "the quoted string \"" + echo(n.text) + "\"";
  return n.describe();
}

}  // namespace

std::string did_you_mean(std::string_view name, std::span<const std::string_view> known) {
  if (name.size() > 100) return {};  // no key is that long; the edit distance would be costly
  for (std::string_view k : known)
    if (iequal(k, name)) return fmt::format(" (did you mean '{}'?)", k);
  std::string_view best;
  std::size_t best_d = 3;
  for (std::string_view k : known) {
    const std::size_t d = edit_distance(name, k);
    if (d < best_d && d < name.size()) {
      best = k;
      best_d = d;
    }
  }
  if (best.empty() && name.size() >= 3)  // "depth" for "depth_1pct"
    for (std::string_view k : known)
      if (k.size() > name.size() && iequal(k.substr(0, name.size()), name)) {
        best = k;
        break;
      }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& known) {
  std::vector<std::string_view> views(known.begin(), known.end());
  return did_you_mean(name, std::span<const std::string_view>(views));
}

bool Range::contains(double v) const noexcept {
  const bool lo_ok = lo_open ? v > lo : v >= lo;
  const bool hi_ok = hi_open ? v < hi : v <= hi;
  return lo_ok && hi_ok;
}

std::string Range::describe() const {
  if (std::isinf(hi) && std::isinf(lo)) return "";
  if (std::isinf(hi)) return fmt::format("{} {}", lo_open ? ">" : ">=", lo);
  if (std::isinf(lo)) return fmt::format("{} {}", hi_open ? "<" : "<=", hi);
  return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
}

// ---- YamlValue -------------------------------------------------------------------------------

void YamlValue::fail(const std::string& message) const {
  throw InputError(node_->loc, path_ + ": " + message);
}

double YamlValue::number(Range r) const {
  const std::string want = r.describe().empty() ? "a number" : "a number " + r.describe();
  std::optional<double> v;
  if (node_->is_scalar() && !node_->quoted) v = parse_number(node_->text);
  if (!v) fail(fmt::format("expected {}, got {}", want, show(*node_)));
  if (!r.contains(*v)) fail(fmt::format("expected {}, got {}", want, echo(node_->text)));
  const double mag = std::abs(*v);
  if (mag > kMaxMagnitude || (mag != 0.0 && mag < kMinMagnitude))
    fail(fmt::format("{} is outside the range the model computes in: every number is 0 or "
                     "between {:g} and {:g} in magnitude (docs/scenario.md, \"Computable "
                     "ranges\")",
                     echo(node_->text), kMinMagnitude, kMaxMagnitude));
  return *v;
}

long long YamlValue::integer(long long lo, long long hi) const {
  const std::string want = hi >= std::numeric_limits<int>::max()
                               ? fmt::format("an integer >= {}", lo)
                               : fmt::format("an integer in [{}, {}]", lo, hi);
  std::optional<double> v;
  if (node_->is_scalar() && !node_->quoted) v = parse_number(node_->text);
  if (!v || std::floor(*v) != *v) fail(fmt::format("expected {}, got {}", want, show(*node_)));
  if (*v < static_cast<double>(lo)) fail(fmt::format("expected {}, got {}", want, echo(node_->text)));
  if (*v > static_cast<double>(hi))
    fail(fmt::format("expected an integer in [{}, {}], got {}", lo, hi, echo(node_->text)));
  return static_cast<long long>(*v);
}

std::uint64_t YamlValue::uint64() const {
  const char* want = "expected an integer in [0, 2^64)";
  if (!node_->is_scalar() || node_->quoted) fail(fmt::format("{}, got {}", want, show(*node_)));
  std::string_view s = node_->text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::uint64_t u = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), u);
  if (ec == std::errc() && ptr == s.data() + s.size()) return u;
  // Also accept exactly representable integers written as numbers ("1e6").
  const std::optional<double> v = parse_number(node_->text);
  if (v && *v >= 0 && *v <= 9007199254740992.0 && std::floor(*v) == *v)
    return static_cast<std::uint64_t>(*v);
  fail(fmt::format("{}, got {}", want, show(*node_)));
}

bool YamlValue::boolean() const {
  if (node_->is_scalar() && !node_->quoted) {
    const std::string& t = node_->text;
    if (t == "true" || t == "True" || t == "TRUE") return true;
    if (t == "false" || t == "False" || t == "FALSE") return false;
  }
  fail("expected true or false, got " + show(*node_));
}

std::string YamlValue::string() const {
  if (!node_->is_scalar()) fail("expected a string, got " + node_->describe());
  return node_->text;
}

std::string YamlValue::choice(std::initializer_list<std::string_view> options) const {
  std::string list;
  for (std::string_view o : options) list += (list.empty() ? "" : ", ") + std::string(o);
  if (node_->is_scalar())
    for (std::string_view o : options)
      if (node_->text == o) return node_->text;
  fail(fmt::format("expected one of: {}; got {}", list, node_->describe()));
}

YamlMap YamlValue::map(std::initializer_list<std::string_view> keys) const {
  return YamlMap(*node_, path_, where_, keys);
}

std::vector<YamlValue> YamlValue::list() const {
  std::vector<YamlValue> out;
  if (node_->is_null()) return out;
  if (!node_->is_seq()) fail("expected a list, got " + node_->describe());
  for (std::size_t i = 0; i < node_->items.size(); ++i)
    out.emplace_back(node_->items[i], key_path(path_, i), node_->items[i].loc);
  return out;
}

// ---- YamlMap ---------------------------------------------------------------------------------

YamlMap::YamlMap(const YamlNode& node, std::string path, SourceLoc where,
                 std::initializer_list<std::string_view> keys)
    : node_(&node), path_(std::move(path)), where_(std::move(where)) {
  static const YamlNode kEmpty{};
  if (node.is_null()) {
    node_ = &kEmpty;
    return;
  }
  if (!node.is_map())
    throw InputError(node.loc, (path_.empty() ? "the scenario" : path_) + ": expected a map, got " +
                                   node.describe());
  const std::vector<std::string_view> known(keys);
  for (const YamlEntry& e : node.entries)
    if (std::find(known.begin(), known.end(), e.key) == known.end())
      throw InputError(e.key_loc, fmt::format("{}: unknown key{}", key_path(path_, e.key),
                                              did_you_mean(e.key, std::span(known))));
}

std::optional<YamlValue> YamlMap::get(std::string_view key) const {
  const YamlEntry* e = node_->find(key);
  if (!e) return std::nullopt;
  return YamlValue(e->value, key_path(path_, key), e->key_loc);
}

YamlValue YamlMap::need(std::string_view key) const {
  if (auto v = get(key)) return *v;
  throw InputError(
      where_, fmt::format("{}missing required key '{}'", path_.empty() ? "" : path_ + ": ", key));
}

SourceLoc YamlMap::key_loc(std::string_view key) const {
  const YamlEntry* e = node_->find(key);
  return e ? e->key_loc : where_;
}

double YamlMap::number(std::string_view key, double fallback, Range r) const {
  const auto v = get(key);
  return v ? v->number(r) : fallback;
}

int YamlMap::integer(std::string_view key, int fallback, long long lo, long long hi) const {
  const auto v = get(key);
  return v ? static_cast<int>(v->integer(lo, hi)) : fallback;
}

}  // namespace cascade
