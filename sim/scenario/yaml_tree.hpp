#pragma once
// The scenario YAML as a located tree.
//
// yaml-cpp's nodes lose what the loader needs most: duplicate keys are kept silently, null
// values carry the mark of the next token, and nodes created by `--set` have no file at all.
// So the document is copied once into this small tree in which every value and every map key
// carries its own SourceLoc (a file line:column, or `--set`:argument:column). Overrides edit
// the tree, validation reads it, and the resolved scenario is emitted from it. Scalars keep
// their source text verbatim, so re-emitting never rounds a number.
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/input_error.hpp"

namespace cascade {

struct YamlEntry;

struct YamlNode {
  enum class Kind { Null, Scalar, Seq, Map };
  Kind kind = Kind::Null;
  std::string text;                ///< scalar text as written (unescaped)
  bool quoted = false;             ///< quoted or tagged scalar: a string, never a number
  bool flow = false;               ///< written in flow style ([...] or {...})
  SourceLoc loc;                   ///< where the value starts
  std::vector<YamlNode> items;     ///< Seq elements
  std::vector<YamlEntry> entries;  ///< Map entries, in document order

  bool is_null() const noexcept { return kind == Kind::Null; }
  bool is_scalar() const noexcept { return kind == Kind::Scalar; }
  bool is_seq() const noexcept { return kind == Kind::Seq; }
  bool is_map() const noexcept { return kind == Kind::Map; }

  /// The entry with this key, or nullptr (keys are unique after parsing).
  const YamlEntry* find(std::string_view key) const noexcept;
  YamlEntry* find(std::string_view key) noexcept;

  /// "a map", "a list", "null" or "'text'": what a type error says was found.
  std::string describe() const;
};

struct YamlEntry {
  std::string key;
  SourceLoc key_loc;
  YamlNode value;
};

/// Parses YAML text (the first document). Syntax errors and duplicate keys throw InputError at
/// their location; `file` names the source, `line_offset`/`col_offset` shift every location
/// (used for `--set` values, which live inside a command-line argument) and `base_path` is the
/// key path of the parsed node within the scenario. With `one_line`, the text is one
/// command-line argument: every location stays on line `line_offset + 1` and a column counts
/// characters from the argument's start, newlines included (a multi-line `--set` value).
/// Aliases are expanded with a bound (relative to the text's size) and recursive aliases are
/// refused, both at the alias; nesting deeper than 200 lists or maps is refused.
YamlNode parse_yaml(const std::string& text, const std::string& file, int line_offset = 0,
                    int col_offset = 0, const std::string& base_path = "", bool one_line = false);

/// Block-style YAML of the tree (flow collections stay flow), through YAML::Emitter.
std::string emit_yaml(const YamlNode& root);

/// Key path helpers: "a" + "b" -> "a.b"; "a" + 3 -> "a[3]".
std::string key_path(const std::string& parent, std::string_view key);
std::string key_path(const std::string& parent, std::size_t index);

}  // namespace cascade
