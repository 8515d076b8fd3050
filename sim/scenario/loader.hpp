#pragma once
// Scenario YAML (+ the CSV files it names) -> validated, frozen Scenario.
//
// This is the only place that reads scenario input. Everything it returns has been checked
// (types, ranges, cross references, file contents); everything it rejects is an InputError
// `FILE:LINE:COL: error: KEY.PATH: what was expected`. The key reference is docs/scenario.md.
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace cascade {

/// Loads, validates and freezes a scenario. `overrides` are `key.path=value` strings from
/// `--set` (applied to the YAML tree before validation, so they get the same checks).
/// Throws InputError on any problem.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Throws InputError when the scenario asks for something `cascade levels` and `check` compute
/// but the engine does not simulate yet: inverse contracts (`assets.X.contract: inverse`).
void require_simulated(const Scenario& s);
/// The same from the file's text (`path` names it in errors and resolves its CSV files): what
/// the fuzzers and the round-trip checks call.
Scenario load_scenario_text(const std::string& text, const std::string& path,
                            const std::vector<std::string>& overrides = {});

}  // namespace cascade
