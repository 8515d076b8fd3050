#pragma once
// Typed, located reading of a YamlNode tree.
//
// Every accessor knows the key path of the value it reads ("assets.BTC.tiers[1].mmr"), so
// every error says where (the value's line:column) and what (the path and what was expected)
// without the schema code repeating it. A map is opened with the full list of keys it may
// hold, so an unknown key is reported (with a did-you-mean) before any missing-key or range
// error it may have caused.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/yaml_tree.hpp"

namespace cascade {

/// " (did you mean 'x'?)" for the closest of `known` (a case-insensitive match, else the
/// nearest within edit distance 2 and shorter than `name`, else a key that `name` (3+
/// characters) begins), or "" when none is close.
std::string did_you_mean(std::string_view name, std::span<const std::string_view> known);
std::string did_you_mean(std::string_view name, const std::vector<std::string>& known);

/// The whole of `text` as a finite double ("1.0e8", "-3", "+2", ".5"), else nullopt.
std::optional<double> parse_number(std::string_view text);

/// An interval of accepted numbers, described in messages as "> 0", "in (0, 1)", ...
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  static Range any() { return {}; }
  static Range positive() { return {0.0, kInf, true, false}; }
  static Range non_negative() { return {0.0, kInf, false, false}; }
  static Range at_least(double v) { return {v, kInf, false, false}; }
  static Range above(double v) { return {v, kInf, true, false}; }
  /// [lo, hi] with each end open or closed.
  static Range between(double l, bool l_open, double h, bool h_open) {
    return {l, h, l_open, h_open};
  }

  bool contains(double v) const noexcept;
  std::string describe() const;

  static constexpr double kInf = std::numeric_limits<double>::infinity();
};

/// Every number a scenario gives is 0 or within these magnitudes, whatever its key's own range:
/// beyond them products, exponentials and reciprocals in the model overflow or lose every digit
/// (docs/scenario.md, "Computable ranges"). Keys whose model is more fragile (volatilities,
/// dispersions, prices, dt) have tighter ranges of their own.
inline constexpr double kMaxMagnitude = 1e15;
inline constexpr double kMinMagnitude = 1e-12;

/// The tighter ranges (docs/scenario.md, "Computable ranges").
inline const Range kVolatilityRange{0.0, 10.0, false, false};   ///< per sqrt(year): 1000 %
inline const Range kDispersionRange{0.0, 5.0, false, false};    ///< sd of a log (exp(5 z))

class YamlMap;

/// A value at a key path. Conversions throw InputError at the value's location.
class YamlValue {
 public:
  /// `where` is the location of the key that names the value (the value itself for list
  /// elements): missing keys inside it are reported there.
  YamlValue(const YamlNode& node, std::string path, SourceLoc where)
      : node_(&node), path_(std::move(path)), where_(std::move(where)) {}

  const YamlNode& node() const noexcept { return *node_; }
  const std::string& path() const noexcept { return path_; }
  const SourceLoc& loc() const noexcept { return node_->loc; }
  const SourceLoc& where() const noexcept { return where_; }

  /// Throws "PATH: message" at the value.
  [[noreturn]] void fail(const std::string& message) const;

  double number(Range r = Range::any()) const;
  long long integer(long long lo, long long hi) const;
  std::uint64_t uint64() const;
  bool boolean() const;
  std::string string() const;
  /// One of `options`, else "expected one of: a, b".
  std::string choice(std::initializer_list<std::string_view> options) const;

  /// The value as a map that may hold only `keys` (null reads as an empty map).
  YamlMap map(std::initializer_list<std::string_view> keys) const;
  /// The elements of a list (null reads as an empty list).
  std::vector<YamlValue> list() const;

 private:
  const YamlNode* node_;
  std::string path_;
  SourceLoc where_;
};

class YamlMap {
 public:
  /// `where` is reported for missing required keys: the line of the map's own key.
  YamlMap(const YamlNode& node, std::string path, SourceLoc where,
          std::initializer_list<std::string_view> keys);

  const std::string& path() const noexcept { return path_; }
  const SourceLoc& where() const noexcept { return where_; }
  bool has(std::string_view key) const noexcept { return node_->find(key) != nullptr; }
  std::optional<YamlValue> get(std::string_view key) const;
  YamlValue need(std::string_view key) const;
  /// The location of `key` itself (for errors about the key, not its value).
  SourceLoc key_loc(std::string_view key) const;

  double number(std::string_view key, double fallback, Range r = Range::any()) const;
  int integer(std::string_view key, int fallback, long long lo, long long hi) const;

  /// The map's entries (for maps with user-chosen keys such as `assets`).
  const std::vector<YamlEntry>& entries() const noexcept { return node_->entries; }

 private:
  const YamlNode* node_;
  std::string path_;
  SourceLoc where_;
};

}  // namespace cascade
