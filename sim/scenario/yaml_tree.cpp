#include "sim/scenario/yaml_tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace cascade {

const YamlEntry* YamlNode::find(std::string_view key) const noexcept {
  for (const YamlEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

YamlEntry* YamlNode::find(std::string_view key) noexcept {
  for (YamlEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::string YamlNode::describe() const {
  switch (kind) {
    case Kind::Null:
      return "nothing (null)";
    case Kind::Seq:
      return "a list";
    case Kind::Map:
      return "a map";
    case Kind::Scalar:
      break;
  }
  return "'" + text + "'";
}

std::string key_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string key_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

namespace {

struct Converter {
  std::string file;
  int line_offset;
  int col_offset;

  SourceLoc at(const YAML::Mark& m, const SourceLoc& fallback) const {
    if (m.is_null() || m.line < 0 || m.column < 0) return fallback;
    return {file, line_offset + m.line + 1, (m.line == 0 ? col_offset : 0) + m.column + 1};
  }

  // `fallback` is used for null values, whose yaml-cpp mark points at the next token.
  YamlNode convert(const YAML::Node& n, const std::string& path, const SourceLoc& fallback) const {
    YamlNode out;
    out.loc = n.IsNull() ? fallback : at(n.Mark(), fallback);
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = YamlNode::Kind::Null;
        break;
      case YAML::NodeType::Scalar:
        out.kind = YamlNode::Kind::Scalar;
        out.text = n.Scalar();
        out.quoted = n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str";
        break;
      case YAML::NodeType::Sequence: {
        out.kind = YamlNode::Kind::Seq;
        out.flow = n.Style() == YAML::EmitterStyle::Flow;
        std::size_t i = 0;
        for (const YAML::Node& item : n) {
          out.items.push_back(convert(item, key_path(path, i), out.loc));
          ++i;
        }
        break;
      }
      case YAML::NodeType::Map: {
        out.kind = YamlNode::Kind::Map;
        out.flow = n.Style() == YAML::EmitterStyle::Flow;
        for (auto it = n.begin(); it != n.end(); ++it) {
          const SourceLoc key_loc = at(it->first.Mark(), out.loc);
          if (!it->first.IsScalar())
            throw InputError(key_loc,
                             (path.empty() ? "" : path + ": ") + "map keys must be plain names");
          std::string key = it->first.Scalar();
          const std::string child = key_path(path, key);
          if (const YamlEntry* first = out.find(key))
            throw InputError(key_loc, fmt::format("{}: duplicate key (first defined at line {})",
                                                  child, first->key_loc.line));
          YamlNode value = convert(it->second, child, key_loc);
          out.entries.push_back({std::move(key), key_loc, std::move(value)});
        }
        break;
      }
    }
    return out;
  }
};

void emit(YAML::Emitter& out, const YamlNode& n) {
  switch (n.kind) {
    case YamlNode::Kind::Null:
      out << YAML::Null;
      break;
    case YamlNode::Kind::Scalar:
      if (n.quoted) out << YAML::DoubleQuoted;
      out << n.text;
      break;
    case YamlNode::Kind::Seq:
      if (n.flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const YamlNode& item : n.items) emit(out, item);
      out << YAML::EndSeq;
      break;
    case YamlNode::Kind::Map:
      if (n.flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const YamlEntry& e : n.entries) {
        out << YAML::Key << e.key << YAML::Value;
        emit(out, e.value);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

YamlNode parse_yaml(const std::string& text, const std::string& file, int line_offset,
                    int col_offset, const std::string& base_path) {
  const Converter conv{file, line_offset, col_offset};
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(conv.at(e.mark, {file, line_offset + 1, col_offset + 1}),
                     (base_path.empty() ? "" : base_path + ": ") + "YAML syntax error: " + e.msg);
  }
  return conv.convert(doc, base_path, {file, line_offset + 1, col_offset + 1});
}

std::string emit_yaml(const YamlNode& root) {
  YAML::Emitter out;
  emit(out, root);
  std::string s = out.c_str();
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace cascade
