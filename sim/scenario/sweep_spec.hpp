#pragma once
// A sweep, as written: the grid axes of `cascade sweep` (`--param/--values`, or the scenario's
// `sweep:` block), before any point is loaded.
//
// An axis is a list of values taken together by one or more scenario keys (several keys "move
// together": `--param a.x,b.x --values 2,5` sets both keys to 2, then both to 5). Several axes
// form a Cartesian grid, flattened row-major in the order the axes were given: the last axis
// varies fastest. Values are kept as their source text, so a point's override `key=text` is
// read exactly as the same text written in the file would be; every text is a number.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/input_error.hpp"

namespace cascade {

struct SweepAxisSpec {
  std::vector<std::string>
      keys;  ///< dotted scenario keys, e.g. "assets.FET.population.leverage_mean"
  std::vector<SourceLoc> key_locs;    ///< where each key was written (file or `--param:N:COL`)
  std::vector<std::string> values;    ///< value texts as written, one per point of this axis
  std::vector<double> numbers;        ///< the same values as numbers
  std::vector<SourceLoc> value_locs;  ///< where each value was written (file or `--values:N:COL`)
};

struct SweepSpec {
  std::vector<SweepAxisSpec> axes;  ///< empty: a plain run (one point)
  /// Each point draws its own random numbers (`independent_points: true` in the block,
  /// `--independent-points`); by default the points share them (common random numbers).
  bool independent_points = false;

  bool empty() const noexcept { return axes.empty(); }
  /// Number of grid points: the product of the axis lengths (1 for a plain run).
  std::int64_t points() const noexcept {
    std::int64_t n = 1;
    for (const auto& a : axes) n *= static_cast<std::int64_t>(a.values.size());
    return n;
  }
  /// The value index of each axis at `point` (row-major: the last axis varies fastest).
  std::vector<std::size_t> indices(std::int64_t point) const {
    std::vector<std::size_t> idx(axes.size());
    for (std::size_t a = axes.size(); a-- > 0;) {
      const auto n = static_cast<std::int64_t>(axes[a].values.size());
      idx[a] = static_cast<std::size_t>(point % n);
      point /= n;
    }
    return idx;
  }
};

// ---- keys ---------------------------------------------------------------------------------

/// "a.b[1].c" -> "a.b.1.c": one spelling per key, for duplicate checks.
std::string canonical_sweep_key(const std::string& key);
/// Why `key` cannot be swept ("" when it can): characters outside [A-Za-z0-9_.[]], empty
/// segments, or a key under `sweep` itself.
std::string sweep_key_problem(const std::string& key);
/// The documented unit of a scenario key ("USD", "fraction", "x", "s", ...; docs/scenario.md),
/// or "" when the key is not in the table.
std::string sweep_key_unit(const std::string& key);

// ---- the sweep as written ---------------------------------------------------------------------

/// The `sweep:` block of the scenario file after `overrides`; empty when there is none. Throws
/// InputError at the offending value.
SweepSpec load_sweep_block(const std::string& path, const std::vector<std::string>& overrides);

/// `--param KEYS --values V1,V2,...` pairs (the i-th --param with the i-th --values), KEYS one key
/// or several separated by commas (they move together). Errors are located `--param:N:COL` /
/// `--values:N:COL` (N: 1-based among the --param / --values arguments).
SweepSpec parse_sweep_arguments(const std::vector<std::string>& params,
                                const std::vector<std::string>& values);

/// `sweep={params: [...]}`: the override that writes `spec` into a scenario as its block.
std::string sweep_block_override(const SweepSpec& spec);

/// True when `s` is one or more decimal digits (a whole number written plainly).
bool is_digits(std::string_view s) noexcept;

}  // namespace cascade
