// Hostile and careless input (issue 11): aliases that loop or explode, huge values echoed in
// messages, overrides that name the wrong place. Each case crashed, hung or misreported before.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/scenario/csv.hpp"
#include "sim/scenario/yaml_tree.hpp"
#include "tests/sim/scenario/support.hpp"

using cascade::InputError;
using cascade::load_scenario;
using cascade::parse_csv;
using cascade::parse_yaml;
using namespace cascade::test;

namespace {

std::string yaml_error(const std::string& text) {
  try {
    parse_yaml(text, "s.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError");
  return "";
}

/// Eight levels of ten aliases: 463 bytes that expand into 10^8 nodes.
std::string alias_bomb() {
  std::string s = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {
    s += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) s += (j ? ", *a" : "*a") + std::to_string(i - 1);
    s += "]\n";
  }
  return s;
}

}  // namespace

TEST_CASE("Scenario.Hostile.RecursiveAlias") {
  // yaml-cpp builds the cycle; converting it recursed until the stack overflowed (SIGSEGV).
  CHECK(yaml_error("steps: &a [*a]\n") ==
        "s.yaml:1:12: error: the alias *a refers to a node that contains it (a recursive alias)");
  CHECK(starts_with(yaml_error("x: &m {y: {z: *m}}\n"), "s.yaml:1:15: error: the alias *m"));
  // Through the loader and through --set too.
  expect_error(kBase + "steps: &a [*a]\n", "9:12", "recursive alias");
  expect_error(kBase, "--set:1:12", "recursive alias", {"shocks=&s [*s]"});
}

TEST_CASE("Scenario.Hostile.AliasBomb") {
  const std::string bomb = alias_bomb();
  CHECK(bomb.size() < 600);
  const std::string msg = yaml_error(bomb);
  INFO(msg);
  // Stopped at the alias that passes the bound (on the line of a deep level), not at bad_alloc.
  CHECK(starts_with(msg, "s.yaml:"));
  CHECK(contains(msg, "aliases expand the document past"));
  // Ordinary reuse of anchors stays accepted, and expands.
  const auto tree = parse_yaml("t: &t [1, 2]\nu: *t\nv: [*t, *t]\n", "s.yaml");
  CHECK(tree.find("v")->value.items[1].items[1].text == "2");
}

TEST_CASE("Scenario.Hostile.DeepNesting") {
  const std::string deep = "x: " + std::string(300, '[') + std::string(300, ']') + "\n";
  CHECK(contains(yaml_error(deep), "nested more than 200 deep"));
  CHECK_NOTHROW(parse_yaml("x: " + std::string(150, '[') + std::string(150, ']') + "\n", "s.yaml"));
}

TEST_CASE("Scenario.Hostile.LongValueEchoed") {
  // A megabyte value must not make a megabyte message.
  const std::string huge(1 << 20, 'z');
  TempDir tmp;
  const std::string msg = error_of(tmp.write("s.yaml", kBase + "steps: " + huge + "\n"));
  CHECK(starts_with(msg, tmp.path("s.yaml") + ":9:8: error: steps: expected an integer"));
  CHECK(msg.size() < 1200);
  CHECK(contains(msg, "(1048576 bytes)"));
  const std::string key_msg = error_of(tmp.write("k.yaml", kBase + huge + ": 1\n"));
  CHECK(key_msg.size() < 1200);
  tmp.write("positions.csv", kPosHeader + "x,BTC," + huge + ",1,1,1,isolated\n");
  const std::string csv_msg = error_of(tmp.write("p.yaml", kBase + "positions: {file: positions.csv}\n"));
  CHECK(contains(csv_msg, "column 'side'"));
  CHECK(csv_msg.size() < 1200);
}

TEST_CASE("Scenario.Hostile.MultiLineSetValue") {
  // The second --set is reported as --set:2 whatever lines its value spans (was --set:4).
  TempDir tmp;
  CHECK(starts_with(error_of(tmp.write("a.yaml", kBase), {"paths=2", "steps=\n\n[1,"}), "--set:2:"));
  const std::string msg = error_of(tmp.write("s.yaml", kBase), {"paths=2", "shocks=[\n{at: 0,\n move: x}]"});
  INFO(msg);
  CHECK(starts_with(msg, "--set:2:"));
}

TEST_CASE("Scenario.Hostile.OptionOverrides") {
  TempDir tmp;
  // --paths on a scenario that is not a map: the file's line, not `--set:1:1: : is a list`.
  const std::string list = tmp.write("list.yaml", "- 1\n- 2\n");
  CHECK(error_of(list, {"--paths=2"}) ==
        list + ":1:1: error: the scenario must be a map of keys (key: value), got a list");
  CHECK(starts_with(error_of(list, {"steps=2"}), list + ":1:1: error: the scenario must be a map"));
  // A bad option value names the option.
  const std::string ok = tmp.write("s.yaml", kBase);
  CHECK(error_of(ok, {"--paths=3000000000"}) ==
        "--paths: error: paths: expected an integer in [1, 2147483647], got 3000000000");
  for (const char* bad : {"-1", "18446744073709551616", "99999999999999999999", "0x10", "1.5"}) {
    const std::string msg = error_of(ok, {std::string("--seed=") + bad});
    INFO(bad << ": " << msg);
    CHECK(starts_with(msg, "--seed: error: seed: expected an integer in [0, 2^64)"));
  }
  CHECK(load_scenario(ok, {"--seed=18446744073709551615"}).seed == 18446744073709551615ull);
  CHECK(load_scenario(ok, {"--seed=16", "--paths=3"}).paths == 3);
}
