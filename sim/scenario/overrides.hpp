#pragma once
// Command-line overrides of scenario keys (`--set key.path=value`).
//
// An override edits the located YAML tree before validation, so an overridden value gets
// exactly the checks a value written in the file gets, and its errors point into the argument
// (`--set:N:COL`, N the 1-based index of the --set argument). Keys that are absent are created
// and left to validation to judge, so `--set exchnge.profile=x` fails as an unknown key with a
// did-you-mean, at the column of `exchnge`.
#include <string>

#include "sim/scenario/yaml_tree.hpp"

namespace cascade {

/// Applies `arg` ("a.b[1].c=value" or "a.b.1.c=value"; the value is parsed as YAML, so flow
/// lists and maps work) to `root`. `index` is the 1-based position among the --set arguments.
/// List indices must exist, except that an index equal to the list's length appends. Under
/// `assets`, the asset must exist. Throws InputError with file `--set`.
void apply_override(YamlNode& root, const std::string& arg, int index);

}  // namespace cascade
