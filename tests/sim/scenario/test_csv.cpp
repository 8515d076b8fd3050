// The CSV reader behind the positions, accounts and replay files.
#include <doctest/doctest.h>

#include <string>

#include "sim/scenario/csv.hpp"

using cascade::bind_columns;
using cascade::InputError;
using cascade::parse_csv;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_csv(text, "f.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError");
  return "";
}

}  // namespace

TEST_CASE("Csv.Parse.FieldsAndColumns") {
  const auto t = parse_csv("a,b, c\n1,  two ,3\n", "f.csv");
  REQUIRE(t.header.fields.size() == 3);
  CHECK(t.header.fields[2].text == "c");
  CHECK(t.header.fields[2].col == 6);  // leading spaces skipped
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].line == 2);
  CHECK(t.rows[0].fields[1].text == "two");
  CHECK(t.rows[0].fields[1].col == 5);
  CHECK(t.rows[0].fields[2].col == 10);
}

TEST_CASE("Csv.Parse.Quotes") {
  const auto t = parse_csv("a,b\n\"x, \"\"y\"\"\",\"\"\n", "f.csv");
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0].fields[0].text == "x, \"y\"");
  CHECK(t.rows[0].fields[1].text.empty());
  CHECK(t.rows[0].fields[1].col == 12);
}

TEST_CASE("Csv.Parse.CrlfBlankLinesBom") {
  const auto t = parse_csv(
      "\xEF\xBB\xBF"
      "a,b\r\n\r\n1,2\r\n   \n3,\r\n",
      "f.csv");
  CHECK(t.header.fields[0].text == "a");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 3);
  CHECK(t.rows[0].fields[1].text == "2");
  CHECK(t.rows[1].line == 5);
  CHECK(t.rows[1].fields[1].text.empty());
  CHECK(parse_csv("a,b", "f.csv").rows.empty());
}

TEST_CASE("Csv.Error.Rows") {
  CHECK(error_of("a,b\n1,2\n1,2,3\n") ==
        "f.csv:3: error: expected 2 fields as in the header (line 1), got 3");
  CHECK(error_of("a,b\n\"1,2\n") ==
        "f.csv:2:1: error: unterminated quoted field (a field may not span lines)");
  CHECK(error_of("a,b\n\"1\"x,2\n") ==
        "f.csv:2:4: error: unexpected character after a closing quote");
  CHECK(error_of("a,b\n1\"2,3\n") ==
        "f.csv:2:2: error: quote inside an unquoted field (quote the whole field)");
  // An empty file is reported at its first line, where the header belongs.
  CHECK(error_of("\n\n") == "f.csv:1:1: error: empty CSV file (a header line is required)");
  CHECK(error_of("") == "f.csv:1:1: error: empty CSV file (a header line is required)");
}

TEST_CASE("Csv.BindColumns") {
  const auto t = parse_csv("price,time,asset\n", "f.csv");
  const auto idx = bind_columns(t, {"time", "asset", "price"});
  CHECK(idx == std::vector<std::size_t>{1, 2, 0});

  auto bind_error = [](const std::string& text) {
    try {
      bind_columns(parse_csv(text, "f.csv"), {"time", "asset", "price"});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    FAIL_CHECK("expected an InputError");
    return std::string();
  };
  CHECK(bind_error("time,asset,price,extra\n") ==
        "f.csv:1:18: error: unknown column 'extra' (expected columns: time,asset,price)");
  CHECK(bind_error("time,aset,price\n") ==
        "f.csv:1:6: error: unknown column 'aset' (did you mean 'asset'?) (expected columns: "
        "time,asset,price)");
  CHECK(bind_error("time,asset\n") ==
        "f.csv:1: error: missing column 'price' (expected columns: time,asset,price)");
  CHECK(bind_error("time,asset,time,price\n") == "f.csv:1:12: error: column 'time' appears twice");
}
