#include "sim/scenario/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/scenario/yaml_check.hpp"

namespace cascade {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

CsvRow parse_line(std::string_view line, int line_no, const std::string& file) {
  CsvRow row{line_no, {}};
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && blank(line[i])) ++i;
    CsvField f;
    f.col = static_cast<int>(i) + 1;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        f.text += line[i++];
      }
      if (!closed)
        throw InputError({file, line_no, f.col},
                         "unterminated quoted field (a field may not span lines)");
      while (i < line.size() && blank(line[i])) ++i;
      if (i < line.size() && line[i] != ',')
        throw InputError({file, line_no, static_cast<int>(i) + 1},
                         "unexpected character after a closing quote");
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"')
          throw InputError({file, line_no, static_cast<int>(i) + 1},
                           "quote inside an unquoted field (quote the whole field)");
        ++i;
      }
      std::size_t end = i;
      while (end > start && blank(line[end - 1])) --end;
      f.text.assign(line.substr(start, end - start));
    }
    row.fields.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return row;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& file) {
  CsvTable t;
  t.file = file;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  bool have_header = false;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (std::all_of(line.begin(), line.end(), blank)) continue;
    CsvRow row = parse_line(line, line_no, file);
    if (!have_header) {
      t.header = std::move(row);
      have_header = true;
      continue;
    }
    if (row.fields.size() != t.header.fields.size())
      throw InputError(t.at(row),
                       fmt::format("expected {} fields as in the header (line {}), got {}",
                                   t.header.fields.size(), t.header.line, row.fields.size()));
    t.rows.push_back(std::move(row));
  }
  if (!have_header) throw InputError({file, 1, 1}, "empty CSV file (a header line is required)");
  return t;
}

CsvTable read_csv(const std::string& path, const SourceLoc& named_at, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(named_at,
                     fmt::format("{}: cannot open '{}': {}", key, path, std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_csv(ss.str(), path);
}

std::vector<std::size_t> bind_columns(const CsvTable& table,
                                      std::initializer_list<std::string_view> columns) {
  return bind_columns(table, columns, {});
}

std::vector<std::size_t> bind_columns(const CsvTable& table,
                                      std::initializer_list<std::string_view> required,
                                      std::initializer_list<std::string_view> optional) {
  std::vector<std::string_view> names(required);
  names.insert(names.end(), optional.begin(), optional.end());
  std::string expected;
  for (std::string_view c : required) expected += (expected.empty() ? "" : ",") + std::string(c);
  if (optional.size() > 0) {
    expected += "; optional: ";
    bool first = true;
    for (std::string_view c : optional) {
      expected += (first ? "" : ",") + std::string(c);
      first = false;
    }
  }
  std::vector<std::size_t> index(names.size(), table.header.fields.size());
  for (std::size_t i = 0; i < table.header.fields.size(); ++i) {
    const std::string& h = table.header.fields[i].text;
    const auto it = std::find(names.begin(), names.end(), h);
    if (it == names.end())
      throw InputError(table.at(table.header, i),
                       fmt::format("unknown column '{}'{} (expected columns: {})", echo(h),
                                   did_you_mean(h, std::span(names)), expected));
    std::size_t& slot = index[static_cast<std::size_t>(it - names.begin())];
    if (slot != table.header.fields.size())
      throw InputError(table.at(table.header, i), fmt::format("column '{}' appears twice", echo(h)));
    slot = i;
  }
  for (std::size_t k = 0; k < required.size(); ++k)
    if (index[k] == table.header.fields.size())
      throw InputError(
          table.at(table.header),
          fmt::format("missing column '{}' (expected columns: {})", names[k], expected));
  return index;
}

}  // namespace cascade
