#pragma once
// A small CSV reader for the scenario's input tables (positions, accounts, price replay).
//
// RFC 4180 minus what these files never need: comma separated, a required header line,
// optionally double-quoted fields ("" escapes a quote) that may not span lines, blank lines
// ignored, a trailing CR and a UTF-8 byte-order mark tolerated, spaces around unquoted fields
// trimmed. Every field keeps its line and 1-based column so that a bad value is reported where
// it is written.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/input_error.hpp"

namespace cascade {

struct CsvField {
  std::string text;
  int col = 0;  ///< 1-based character column of the field's first character
};

struct CsvRow {
  int line = 0;  ///< 1-based line number in the file
  std::vector<CsvField> fields;
};

struct CsvTable {
  std::string file;
  CsvRow header;
  std::vector<CsvRow> rows;  ///< data rows, each with as many fields as the header

  SourceLoc at(const CsvRow& row) const { return {file, row.line, 0}; }
  SourceLoc at(const CsvRow& row, std::size_t field) const {
    return {file, row.line, row.fields[field].col};
  }
};

/// Parses CSV text; `file` is used in error locations. Throws InputError.
CsvTable parse_csv(std::string_view text, const std::string& file);

/// Reads and parses a file. An unreadable file throws InputError at `named_at` (the scenario key
/// that names it), with `key` in the message.
CsvTable read_csv(const std::string& path, const SourceLoc& named_at, const std::string& key);

/// Index of each of `columns` in the header, in the order given. Every column is required; a
/// header column not in the list, or repeated, is an error at that header field.
std::vector<std::size_t> bind_columns(const CsvTable& table,
                                      std::initializer_list<std::string_view> columns);

/// The same with optional columns after the required ones: an optional column absent from the
/// header gets the index table.header.fields.size() (no such field).
std::vector<std::size_t> bind_columns(const CsvTable& table,
                                      std::initializer_list<std::string_view> required,
                                      std::initializer_list<std::string_view> optional);

}  // namespace cascade
