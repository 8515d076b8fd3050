#pragma once
// Shared by the subcommands: load a scenario, reporting input errors the INTERFACE.md way.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/scenario/input_error.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/loader.hpp"

namespace cascade {

/// The scenario, or nullopt after printing `FILE:LINE:COL: error: ...` on err (exit 2).
inline std::optional<Scenario> load_or_report(const std::string& path,
                                              const std::vector<std::string>& overrides,
                                              std::ostream& err) {
  try {
    return load_scenario(path, overrides);
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return std::nullopt;
  }
}

}  // namespace cascade
