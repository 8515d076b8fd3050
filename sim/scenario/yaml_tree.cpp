#include "sim/scenario/yaml_tree.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <sstream>
#include <unordered_map>

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
  return "'" + echo(text) + "'";
}

std::string key_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string key_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

namespace {

/// Walks the parser's events before the document is built, because aliases make a YAML text a
/// graph: `&a [*a]` is a cycle (yaml-cpp builds it, and any recursive walk never returns) and
/// eight levels of ten aliases expand 463 bytes into 10^8 nodes. Counts the nodes the tree
/// will hold with every alias expanded and stops, at the alias, at a cycle or when the count
/// passes the bound; also bounds the nesting depth of the converter's recursion.
class AliasScan : public YAML::EventHandler {
 public:
  AliasScan(std::uint64_t max_nodes, const std::function<SourceLoc(const YAML::Mark&)>& at)
      : max_nodes_(max_nodes), at_(at) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { leaf(m, a); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    leaf(m, a);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    for (const Open& o : open_)
      if (o.anchor == a)
        throw InputError(at_(m), fmt::format("the alias *{} refers to a node that contains it "
                                             "(a recursive alias)",
                                             name_of(a)));
    const auto it = size_.find(a);
    add(m, it == size_.end() ? 1 : it->second);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    begin(m, a);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    begin(m, a);
  }
  void OnMapEnd() override { end(); }

  static constexpr std::size_t kMaxDepth = 200;

 private:
  struct Open {
    YAML::anchor_t anchor;
    std::uint64_t nodes;  ///< nodes inside so far, itself included
  };

  std::string name_of(YAML::anchor_t a) const {
    const auto it = names_.find(a);
    return it == names_.end() ? std::to_string(a) : it->second;
  }
  void name(YAML::anchor_t a) {
    if (a != 0 && !pending_name_.empty()) names_[a] = pending_name_;
    pending_name_.clear();
  }
  void add(const YAML::Mark& m, std::uint64_t n) {
    total_ += n;
    if (total_ > max_nodes_)
      throw InputError(at_(m), fmt::format("aliases expand the document past {} nodes (an alias "
                                           "bomb?); write the values out or use fewer aliases",
                                           max_nodes_));
    if (!open_.empty()) open_.back().nodes += n;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t a) {
    name(a);
    add(m, 1);
    if (a != 0) size_[a] = 1;
  }
  void begin(const YAML::Mark& m, YAML::anchor_t a) {
    name(a);
    if (open_.size() >= kMaxDepth)
      throw InputError(at_(m), fmt::format("lists and maps nested more than {} deep", kMaxDepth));
    add(m, 1);
    open_.push_back({a, 1});
  }
  void end() {
    const Open done = open_.back();
    open_.pop_back();
    if (done.anchor != 0) size_[done.anchor] = done.nodes;
    if (!open_.empty()) open_.back().nodes += done.nodes - 1;  // the 1 was added at begin
  }

  std::uint64_t max_nodes_;
  std::function<SourceLoc(const YAML::Mark&)> at_;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, std::uint64_t> size_;
  std::unordered_map<YAML::anchor_t, std::string> names_;
  std::string pending_name_;
  std::uint64_t total_ = 0;
};

struct Converter {
  std::string file;
  int line_offset;
  int col_offset;
  bool one_line;

  SourceLoc at(const YAML::Mark& m, const SourceLoc& fallback) const {
    if (m.is_null() || m.line < 0 || m.column < 0) return fallback;
    // One argument: past its first line, the column counts characters from its start.
    if (one_line) return {file, line_offset + 1, col_offset + (m.line == 0 ? m.column : m.pos) + 1};
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
                    int col_offset, const std::string& base_path, bool one_line) {
  const Converter conv{file, line_offset, col_offset, one_line};
  const SourceLoc start{file, line_offset + 1, col_offset + 1};
  YAML::Node doc;
  try {
    // Nodes without aliases are at most one per byte; aliases may repeat them, within reason.
    const std::uint64_t max_nodes = 100000 + 16 * static_cast<std::uint64_t>(text.size());
    std::istringstream in(text);
    YAML::Parser parser(in);
    AliasScan scan(max_nodes, [&](const YAML::Mark& m) { return conv.at(m, start); });
    parser.HandleNextDocument(scan);
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(conv.at(e.mark, start),
                     (base_path.empty() ? "" : base_path + ": ") + "YAML syntax error: " + e.msg);
  }
  return conv.convert(doc, base_path, start);
}

std::string emit_yaml(const YamlNode& root) {
  YAML::Emitter out;
  emit(out, root);
  std::string s = out.c_str();
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace cascade
