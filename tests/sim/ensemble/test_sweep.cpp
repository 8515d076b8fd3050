// Sweeps and shards (sim/ensemble/sweep.hpp): the grid, where errors point, what may be swept, how rows
// are split into shards, and what makes two runs "the same run".
#include <doctest/doctest.h>

#include <functional>
#include <set>

#include "sim/scenario/loader.hpp"
#include "sim/ensemble/sweep.hpp"
#include "tests/sim/scenario/support.hpp"

using namespace cascade;
using namespace cascade::test;

namespace {

const std::string kScenario = R"(steps: 10
dt: 60
paths: 3
assets:
  AIX:
    price: 2.0
    tiers:
      - {floor: 0, max_leverage: 20, mmr: 0.02}
    population: {count: 20, leverage_mean: 10}
  BIX:
    price: 10.0
    tiers:
      - {floor: 0, max_leverage: 20, mmr: 0.02}
    population: {count: 20, leverage_mean: 10}
)";

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError");
  return "";
}

}  // namespace

TEST_CASE("Sweep.Grid.RowMajorLastAxisFastest") {
  const SweepSpec spec = parse_sweep_arguments({"a.x", "b.y,c.z"}, {"1,2,3", "10,20"});
  CHECK(spec.points() == 6);
  CHECK(spec.indices(0) == std::vector<std::size_t>{0, 0});
  CHECK(spec.indices(1) == std::vector<std::size_t>{0, 1});
  CHECK(spec.indices(2) == std::vector<std::size_t>{1, 0});
  CHECK(spec.indices(5) == std::vector<std::size_t>{2, 1});
  // Keys of one axis move together.
  CHECK(point_overrides(spec, 3) == std::vector<std::string>{"a.x=2", "b.y=20", "c.z=20"});
  const auto datasets = sweep_datasets(spec);
  REQUIRE(datasets.size() == 3);
  CHECK(datasets[0].values == std::vector<double>{1, 1, 2, 2, 3, 3});
  CHECK(datasets[1].values == std::vector<double>{10, 20, 10, 20, 10, 20});
  CHECK(datasets[2].values == datasets[1].values);
  CHECK(datasets[1].axis == 1);
  CHECK(datasets[2].axis == 1);
  CHECK(SweepSpec{}.points() == 1);
}

TEST_CASE("Sweep.Arguments.ErrorsPointIntoTheArgument") {
  auto msg = error_message([] { parse_sweep_arguments({"a.x"}, {"1, 2,abc"}); });
  CHECK(starts_with(msg, "--values:1:6: error: a.x: expected a number, got 'abc'"));
  msg = error_message([] { parse_sweep_arguments({"a.x", "b.y"}, {"1"}); });
  CHECK(contains(msg, "each --param needs one --values (got 2 --param and 1 --values)"));
  msg = error_message([] { parse_sweep_arguments({"a.x,a..y"}, {"1"}); });
  CHECK(starts_with(msg, "--param:1:5: error: 'a..y' is not a scenario key"));
  msg = error_message([] { parse_sweep_arguments({"a.x", "b.y,a.x"}, {"1", "2"}); });
  CHECK(starts_with(msg, "--param:2:5: error: a.x: key is swept twice"));
  msg = error_message([] { parse_sweep_arguments({"t[1].m", "t.1.m"}, {"1", "2"}); });
  CHECK(contains(msg, "swept twice"));
  msg = error_message([] { parse_sweep_arguments({"sweep.params"}, {"1"}); });
  CHECK(contains(msg, "the sweep itself cannot be swept"));
  msg = error_message([] { parse_sweep_arguments({"a.x"}, {"1,,2"}); });
  CHECK(starts_with(msg, "--values:1:3: error: a.x: expected a number, got an empty value"));
}

TEST_CASE("Sweep.Points.ValuesCheckedLikeFileValues") {
  TempDir tmp;
  const std::string file = tmp.write("s.yaml", kScenario);
  const SweepSpec cli = parse_sweep_arguments({"assets.AIX.population.leverage_mean"}, {"2, 0.5"});
  const SweepJob job = prepare_sweep_job(file, {}, &cli, true);
  CHECK(job.points() == 2);
  CHECK(job.rows() == 6);
  CHECK(load_point(job, 0, nullptr).assets[0].population->leverage_mean == 2.0);
  const auto msg = error_message([&] { load_point(job, 1, nullptr); });
  CHECK(starts_with(msg,
                    "--values:1:4: error: assets.AIX.population.leverage_mean: expected a "
                    "number in [1, 1000], got 0.5"));
  CHECK(contains(msg, "(sweep point 1: assets.AIX.population.leverage_mean=0.5)"));

  const SweepSpec typo = parse_sweep_arguments({"assets.AIX.population.levrage_mean"}, {"2"});
  const SweepJob bad_key = prepare_sweep_job(file, {"paths=2"}, &typo, true);
  CHECK(starts_with(error_message([&] { load_point(bad_key, 0, nullptr); }),
                    "--param:1:23: error: assets.AIX.population.levrage_mean: unknown key "
                    "(did you mean 'leverage_mean'?)"));
}

TEST_CASE("Sweep.Points.LayoutMustAgree") {
  TempDir tmp;
  const std::string file = tmp.write("s.yaml", kScenario);
  const SweepSpec cli = parse_sweep_arguments({"steps"}, {"10,20"});
  const SweepJob job = prepare_sweep_job(file, {}, &cli, true);
  const Scenario p0 = load_point(job, 0, nullptr);
  CHECK(contains(error_message([&] { load_point(job, 1, &p0); }), "changes steps (20 vs 10"));
}

TEST_CASE("Sweep.Block.ReadFromTheScenarioAndWrittenIntoIt") {
  TempDir tmp;
  const std::string file =
      tmp.write("s.yaml", kScenario +
                              "sweep:\n  params:\n    - {key: assets.AIX.population.leverage_mean, "
                              "values: [2, 5]}\n    - keys: [assets.AIX.price, assets.BIX.price]\n"
                              "      values: [1.5, 2.5, 3.5]\n");
  const SweepJob job = prepare_sweep_job(file, {}, nullptr, true);
  REQUIRE(job.spec.axes.size() == 2);
  CHECK(job.points() == 6);
  CHECK(job.spec.axes[1].keys == std::vector<std::string>{"assets.AIX.price", "assets.BIX.price"});
  CHECK(job.spec.axes[1].value_locs[2].line == 19);
  // A plain run of the same file ignores the block.
  CHECK(prepare_sweep_job(file, {}, nullptr, false).spec.empty());
  // Points never apply the block: point 5 is the file with exactly its two axis values.
  const Scenario p5 = load_point(job, 5, nullptr);
  CHECK(p5.assets[0].population->leverage_mean == 5.0);
  CHECK(p5.assets[0].price_usd == 3.5);
  CHECK(p5.assets[1].price_usd == 3.5);

  // The command-line form replaces the block and is recorded in the resolved YAML, so that the
  // results file's scenario_yaml reproduces the sweep.
  const SweepSpec cli = parse_sweep_arguments({"exchange.liquidation_fee"}, {"0.001,0.01"});
  const SweepJob from_cli = prepare_sweep_job(file, {}, &cli, true);
  CHECK(contains(from_cli.base.resolved_yaml, "exchange.liquidation_fee"));
  const std::string saved = tmp.write("saved.yaml", from_cli.base.resolved_yaml);
  const SweepJob again = prepare_sweep_job(saved, {}, nullptr, true);
  CHECK(again.points() == 2);
  CHECK(again.spec.axes[0].numbers == std::vector<double>{0.001, 0.01});
}

TEST_CASE("Sweep.Block.ErrorsAreLocated") {
  expect_error(kBase + "sweep:\n  params:\n    - {key: a.b, values: [1, x]}\n", "11:30",
               "sweep.params[0].values[1]: expected a number");
  expect_error(kBase + "sweep:\n  params:\n    - {key: a.b, keys: [c.d], values: [1]}\n", "11:18",
               "give exactly one of 'key'");
  expect_error(kBase + "sweep:\n  params: []\n", "10:11", "non-empty list");
  expect_error(kBase + "sweep:\n  params:\n    - {kee: a.b, values: [1]}\n", "11:8",
               "unknown key (did you mean 'key'?)");
  expect_error(
      kBase + "sweep:\n  params:\n    - {key: a.b, values: [1]}\n    - {key: a.b, values: [2]}\n",
      "12:13", "swept twice");
}

TEST_CASE("Sweep.Shards.ContiguousBlocksCoverEveryRowOnce") {
  for (std::int64_t rows : {0, 1, 7, 100, 1001})
    for (std::int64_t n : {1, 2, 3, 7, 16}) {
      std::int64_t next = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        const RowRange r = block_rows(rows, i, n);
        CHECK(r.begin == next);
        CHECK(r.size() >= rows / n);
        CHECK(r.size() <= rows / n + 1);
        next = r.end;
      }
      CHECK(next == rows);
    }
  CHECK(block_rows(4'000'000'000'000LL, 1'999'999'999, 2'000'000'000).end == 4'000'000'000'000LL);
  const ShardSelector s = parse_shard("3/10");
  CHECK(s.index == 3);
  CHECK(s.count == 10);
  for (const char* bad : {"10/10", "1-3", "a/3", "0/0", "/3", "1/", "-1/3"})
    CHECK(starts_with(error_message([&] { parse_shard(bad); }), "--shard:1:"));
}

TEST_CASE("Sweep.Units.FromTheScenarioReference") {
  CHECK(sweep_key_unit("assets.FET.population.leverage_mean") == "x");
  CHECK(sweep_key_unit("assets.BTC.tiers[1].mmr") == "fraction");
  CHECK(sweep_key_unit("assets.BTC.tiers.1.floor") == "USD");
  CHECK(sweep_key_unit("exchange.insurance_fund") == "USD");
  CHECK(sweep_key_unit("shocks[0].move") == "fraction");
  CHECK(sweep_key_unit("assets.BTC.book.tau_refill") == "s");
  CHECK(sweep_key_unit("no.such.key").empty());
}

TEST_CASE("Sweep.Fingerprint.SameRunSameFingerprint") {
  TempDir tmp;
  const std::string file = tmp.write("s.yaml", kScenario);
  const SweepSpec cli = parse_sweep_arguments({"assets.AIX.price"}, {"1,2"});
  const auto fp = [&](std::vector<std::string> overrides, const SweepSpec* spec) {
    return run_fingerprint(prepare_sweep_job(file, std::move(overrides), spec, true), "1.0");
  };
  const std::string base = fp({}, &cli);
  CHECK(base.size() == 16);
  CHECK(fp({}, &cli) == base);
  std::set<std::string> others{fp({"seed=1"}, &cli), fp({"paths=4"}, &cli), fp({}, nullptr),
                               fp({"assets.BIX.price=11"}, &cli)};
  CHECK(others.size() == 4);
  CHECK(!others.contains(base));
  CHECK(run_fingerprint(prepare_sweep_job(file, {}, &cli, true), "1.1") != base);
}
