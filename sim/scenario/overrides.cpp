#include "sim/scenario/overrides.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sim/scenario/yaml_check.hpp"

namespace cascade {

namespace {

constexpr const char* kFile = "--set";
constexpr std::size_t kMaxKeyPath = 1000;

/// Every location of `n` becomes `loc`: a value given by a command-line option (`--paths 2`) is
/// reported as the option, without a line or column.
void relocate(YamlNode& n, const SourceLoc& loc) {
  n.loc = loc;
  for (YamlNode& item : n.items) relocate(item, loc);
  for (YamlEntry& e : n.entries) {
    e.key_loc = loc;
    relocate(e.value, loc);
  }
}

struct Segment {
  std::string text;
  bool bracket = false;  ///< written as [n]: must be a list index
  int col = 0;           ///< 1-based column in the argument
};

std::vector<Segment> split_path(std::string_view path, int index) {
  std::vector<Segment> segs;
  std::size_t i = 0;
  auto fail = [&](std::size_t at, const std::string& msg) {
    throw InputError({kFile, index, static_cast<int>(at) + 1}, msg);
  };
  if (path.size() > kMaxKeyPath) fail(0, fmt::format("the key path is longer than {} characters", kMaxKeyPath));
  while (true) {
    Segment s;
    s.col = static_cast<int>(i) + 1;
    if (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos) fail(i, "unclosed '[' in the key path");
      s.text = std::string(path.substr(i + 1, close - i - 1));
      s.bracket = true;
      if (s.text.empty() || !std::all_of(s.text.begin(), s.text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          }))
        fail(i + 1, "expected a list index inside [ ], got '" + echo(s.text) + "'");
      i = close + 1;
    } else {
      const std::size_t end = std::min(path.find_first_of(".[]", i), path.size());
      s.text = std::string(path.substr(i, end - i));
      if (s.text.empty()) fail(i, "empty key in the key path");
      i = end;
    }
    segs.push_back(std::move(s));
    if (i >= path.size()) break;
    if (path[i] == '.') {
      ++i;
      if (i >= path.size()) fail(i, "the key path ends with '.'");
    } else if (path[i] != '[') {
      fail(i, fmt::format("unexpected '{}' in the key path", path[i]));
    }
  }
  return segs;
}

std::optional<std::size_t> as_index(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    return std::nullopt;
  return static_cast<std::size_t>(std::stoul(s));
}

}  // namespace

void apply_override(YamlNode& root, const std::string& arg, int index) {
  if (!root.is_map() && !root.is_null())
    throw InputError(root.loc, fmt::format("the scenario must be a map of keys (key: value), got {}",
                                           root.describe()));
  if (arg.rfind("--", 0) == 0) {
    // `--paths=N`, `--seed=S`: a run option setting a top-level key, reported as the option.
    const std::size_t eq = arg.find('=');
    const std::string option = arg.substr(0, eq);
    const SourceLoc at{option, 0, 0};
    YamlNode value = parse_yaml(eq == std::string::npos ? "" : arg.substr(eq + 1), option, 0, 0,
                                option.substr(2), true);
    relocate(value, at);
    if (YamlEntry* e = root.find(option.substr(2))) {
      e->value = std::move(value);
    } else {
      if (root.is_null()) root.kind = YamlNode::Kind::Map;
      root.entries.push_back({option.substr(2), at, std::move(value)});
    }
    return;
  }
  const std::size_t eq = arg.find('=');
  if (eq == std::string::npos)
    throw InputError({kFile, index, 1},
                     fmt::format("malformed override '{}' (expected key.path=value)", echo(arg)));
  if (eq == 0) throw InputError({kFile, index, 1}, "missing key path before '='");
  const std::vector<Segment> segs = split_path(std::string_view(arg).substr(0, eq), index);

  std::string path;
  for (const Segment& s : segs) {
    if (s.bracket)
      path += "[" + s.text + "]";
    else
      path = key_path(path, s.text);
  }
  YamlNode value =
      parse_yaml(arg.substr(eq + 1), kFile, index - 1, static_cast<int>(eq) + 1, path, true);

  // Walk to the slot the value goes into, creating absent map keys on the way.
  YamlNode* node = &root;
  path.clear();
  for (std::size_t k = 0; k < segs.size(); ++k) {
    const Segment& s = segs[k];
    const bool last = k + 1 == segs.size();
    const SourceLoc at{kFile, index, s.col};
    if (node->is_null()) node->kind = s.bracket ? YamlNode::Kind::Seq : YamlNode::Kind::Map;

    if (node->is_map() && !s.bracket) {
      YamlEntry* e = node->find(s.text);
      if (!e && path == "assets") {
        std::vector<std::string> names;
        for (const YamlEntry& a : node->entries) names.push_back(a.key);
        throw InputError(at, fmt::format("assets.{}: no such asset in the scenario{}", s.text,
                                         did_you_mean(s.text, names)));
      }
      if (!e) {
        node->entries.push_back({s.text, at, YamlNode{}});
        e = &node->entries.back();
        e->value.loc = at;
      }
      path = key_path(path, s.text);
      node = &e->value;
      continue;
    }
    if (node->is_seq()) {
      const std::optional<std::size_t> i = as_index(s.text);
      if (!i)
        throw InputError(
            at, fmt::format("{}: is a list; expected an element index, got '{}'", path, echo(s.text)));
      const std::size_t n = node->items.size();
      if (*i > n || (*i == n && !last))
        throw InputError(at, fmt::format("{}: index {} is out of range (the list has {} element{})",
                                         key_path(path, *i), *i, n, n == 1 ? "" : "s"));
      path = key_path(path, *i);
      if (*i == n) node->items.emplace_back();
      node = &node->items[*i];
      continue;
    }
    const std::string what =
        node->is_map() ? "a map; use .key, not [n]" : "a single value (" + node->describe() + ")";
    throw InputError(at,
                     fmt::format("{}: is {}, so it has no element '{}'",
                                 path.empty() ? std::string("the scenario") : path, what, s.text));
  }
  *node = std::move(value);
}

}  // namespace cascade
