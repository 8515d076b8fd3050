// Specification of the results file: what write_results lays out, that read_results gets every
// value back, and that a failed write never leaves a file behind (docs/results.md).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

#include "sim/ensemble/interrupt.hpp"
#include "sim/results/detail/h5_file.hpp"
#include "sim/results/reader.hpp"
#include "sim/results/writer.hpp"
#include "tests/sim/results/all_datasets.hpp"
#include "tests/sim/results/same_outcome.hpp"
#include "tests/sim/results/sample.hpp"

namespace cascade {
namespace {

using test::all_datasets;
using test::same;
using test::ScratchDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// Datasets in the file, by full path, found by H5Ovisit.
void check_round_trip(const RunInfo& info, const RunResults& in, const ResultsFile& file) {
  CHECK(file.complete);
  CHECK(file.format_version == kResultsFormatVersion);
  const RunInfo& got = file.info;
  CHECK(got.cascade_version == info.cascade_version);
  CHECK(got.command_line == info.command_line);
  CHECK(got.scenario_yaml == info.scenario_yaml);
  CHECK(got.scenario_name == info.scenario_name);
  CHECK(got.seed == info.seed);
  CHECK(got.paths == info.paths);
  CHECK(got.steps == info.steps);
  CHECK(got.dt_s == info.dt_s);
  CHECK(got.assets == info.assets);
  CHECK(got.events_enabled == info.events_enabled);
  REQUIRE(got.sweep.size() == info.sweep.size());
  for (std::size_t i = 0; i < info.sweep.size(); ++i) {
    CHECK(got.sweep[i].key == info.sweep[i].key);
    CHECK(got.sweep[i].unit == info.sweep[i].unit);
    CHECK(got.sweep[i].values == info.sweep[i].values);
    CHECK(got.sweep[i].axis == info.sweep[i].axis);
  }
  CHECK(got.run_fingerprint == info.run_fingerprint);
  REQUIRE(got.shard.has_value() == info.shard.has_value());
  if (info.shard) {
    CHECK(got.shard->index == info.shard->index);
    CHECK(got.shard->count == info.shard->count);
    CHECK(got.shard->row_begin == info.shard->row_begin);
    CHECK(got.shard->row_end == info.shard->row_end);
    CHECK(got.shard->rows_total == info.shard->rows_total);
  }

  const RunResults& out = file.results;
  REQUIRE(out.outcomes.size() == in.outcomes.size());
  for (std::size_t r = 0; r < in.outcomes.size(); ++r) {
    const auto& a = in.outcomes[r];
    const auto& b = out.outcomes[r];
    CHECK(a.point == b.point);
    CHECK(a.path == b.path);
    for (const auto& m : kSummaryMetrics) {
      INFO("summary metric ", m.name, " row ", r);
      CHECK(test::same_metric(a, b, m));
    }
    for (const auto& m : kAssetMetrics) {
      INFO("asset metric ", m.name, " row ", r);
      CHECK(test::same_metric(a, b, m));
    }
  }
  REQUIRE(out.timeseries.size() == in.timeseries.size());
  for (std::size_t p = 0; p < in.timeseries.size(); ++p) {
    CHECK(out.timeseries[p].point == in.timeseries[p].point);
    CHECK(out.timeseries[p].path == in.timeseries[p].path);
    for (const auto& m : kSeriesMetrics) {
      INFO("series ", m.name, " recorded path ", p);
      CHECK(out.timeseries[p].*m.field == in.timeseries[p].*m.field);
    }
  }
  if (info.events_enabled) {
    REQUIRE(out.events.size() == in.events.size());
    for (std::size_t e = 0; e < in.events.size(); ++e) {
      const auto& a = in.events[e];
      const auto& b = out.events[e];
      CHECK(a.point == b.point);
      CHECK(a.path == b.path);
      CHECK(a.step == b.step);
      CHECK(a.round == b.round);
      CHECK(a.asset == b.asset);
      CHECK(a.position == b.position);
      CHECK(a.side == b.side);
      CHECK(a.size == b.size);
      CHECK(a.fill_price == b.fill_price);
      CHECK(a.bankruptcy_price == b.bankruptcy_price);
    }
    CHECK(test::same_rows(in.adl_events, out.adl_events, kAdlColumns));
  } else {
    CHECK(out.events.empty());
    CHECK(out.adl_events.empty());
  }
  CHECK(out.account_names == in.account_names);
  REQUIRE(out.initial_positions.size() == in.initial_positions.size());
  for (std::size_t i = 0; i < in.initial_positions.size(); ++i) {
    const auto& a = in.initial_positions[i];
    const auto& b = out.initial_positions[i];
    CHECK(a.position == b.position);
    CHECK(a.account == b.account);
    CHECK(a.asset == b.asset);
    CHECK(a.side == b.side);
    CHECK(a.size == b.size);
    CHECK(a.entry_price == b.entry_price);
    CHECK(a.margin == b.margin);
    CHECK(same(a.liquidation_price, b.liquidation_price));
    CHECK(a.bankruptcy_price == b.bankruptcy_price);
  }
}

}  // namespace

TEST_CASE("Results.Writer.RoundTrip") {
  ScratchDir dir("roundtrip");
  const RunInfo info = test::sample_info();
  const RunResults results = test::sample_results();
  REQUIRE(!results.adl_events.empty());
  const std::string out = dir.file("out.h5");
  write_results(out, info, results, false);
  CHECK(dir.entries() == 1);
  check_round_trip(info, results, read_results(out));

  // Leave a copy for tools/cascade_results.py checks (tests/tools/test_h5py_smoke.py).
  if (const char* keep = std::getenv("CASCADE_RESULTS_SAMPLE"))
    std::filesystem::copy_file(out, keep, std::filesystem::copy_options::overwrite_existing);
}

TEST_CASE("Results.Writer.RootAttributes") {
  ScratchDir dir("attrs");
  const RunInfo info = test::sample_info();
  const std::string out = dir.file("out.h5");
  write_results(out, info, test::sample_results(), false);
  h5::File file = h5::File::open_read_only(out);
  CHECK(file.string_attribute("format") == "cascade-results");
  CHECK(file.attribute<std::int32_t>("format_version") == 2);
  CHECK(file.attribute<std::int32_t>("complete") == 1);
  CHECK(file.string_attribute("cascade_version") == info.cascade_version);
  CHECK(file.string_attribute("scenario_yaml") == info.scenario_yaml);
  CHECK(file.string_attribute("command_line") == info.command_line);
  CHECK(file.attribute<std::uint64_t>("seed") == info.seed);
  CHECK(file.attribute<std::int64_t>("paths") == 3);
  CHECK(file.attribute<std::int32_t>("steps") == test::kSampleSteps);
  CHECK(file.attribute<double>("dt") == 60.0);
  CHECK(file.string_array_attribute("assets") == info.assets);
  CHECK(file.open_group("positions/initial").string_array_attribute("accounts") ==
        std::vector<std::string>{"alice", "bob", "fund-α"});
  // Metrics are listed in table order (creation order is tracked).
  const auto children = file.open_group("summary").children();
  REQUIRE(children.size() == 2 + std::size(kSummaryMetrics) + 1);
  CHECK(children[0] == "point");
  CHECK(children[1] == "path");
  CHECK(children[2] == kSummaryMetrics[0].name);
}

TEST_CASE("Results.Writer.EveryDatasetHasUnitAndDescription") {
  ScratchDir dir("units");
  const std::string out = dir.file("out.h5");
  write_results(out, test::sample_info(), test::sample_results(), false);
  const auto datasets = all_datasets(out);

  std::set<std::string> expected = {"/summary/point", "/summary/path", "/timeseries/point",
                                    "/timeseries/path", "/timeseries/time"};
  // The dimensions' coordinate variables (docs/results.md, "Dimensions").
  for (const char* d : {"/row", "/asset", "/timeseries/recorded_path", "/timeseries/step",
                        "/events/liquidations/event", "/events/adl/event"})
    expected.insert(d);
  for (const auto& m : kSummaryMetrics) expected.insert(std::string("/summary/") + m.name);
  for (const auto& m : kAssetMetrics) expected.insert(std::string("/summary/by_asset/") + m.name);
  for (const auto& m : kSeriesMetrics) expected.insert(std::string("/timeseries/") + m.name);
  for (const auto& c : kEventColumns)
    expected.insert(std::string("/events/liquidations/") + c.name);
  for (const auto& c : kAdlColumns) expected.insert(std::string("/events/adl/") + c.name);
  for (const auto& c : kPositionColumns)
    expected.insert(std::string("/positions/initial/") + c.name);
  CHECK(datasets == expected);

  h5::File file = h5::File::open_read_only(out);
  for (const auto& name : datasets) {
    INFO(name);
    const h5::Dataset ds = file.open_dataset(name.substr(1));
    CHECK(ds.has_attribute("unit"));
    CHECK(!ds.string_attribute("unit").empty());
    CHECK(ds.has_attribute("description"));
  }
  CHECK(file.open_dataset("summary/liquidated_notional").string_attribute("unit") == "USD");
  CHECK(file.open_dataset("events/liquidations/side").string_attribute("unit") ==
        "+1 long / -1 short");
}

TEST_CASE("Results.Writer.ShapesAndTypes") {
  ScratchDir dir("shapes");
  const std::string out = dir.file("out.h5");
  write_results(out, test::sample_info(), test::sample_results(), false);
  h5::File file = h5::File::open_read_only(out);
  using Dims = std::vector<hsize_t>;
  CHECK(file.open_dataset("summary/bad_debt").dims() == Dims{3});
  CHECK(file.open_dataset("summary/by_asset/min_price_ratio").dims() == Dims{3, 2});
  CHECK(file.open_dataset("timeseries/mark_price").dims() == Dims{2, 5, 2});
  CHECK(file.open_dataset("timeseries/insurance_fund").dims() == Dims{2, 5});
  CHECK(file.open_dataset("timeseries/time").read<double>() ==
        std::vector<double>{0, 60, 120, 180, 240});
  CHECK(file.open_dataset("events/liquidations/size").dims() == Dims{5});
  CHECK(file.open_dataset("positions/initial/position").dims() == Dims{4});

  // [path, step, asset] in C order: mark_price of recorded path 1 (path 2), step 3, asset 1.
  const auto mark = file.open_dataset("timeseries/mark_price").read<double>();
  CHECK(mark[1 * 10 + 3 * 2 + 1] == 100.0 + 2000.0 + 31.0);

  auto type_of = [&](const char* name) {
    const h5::Dataset ds = file.open_dataset(name);
    const hid_t type = H5Dget_type(ds.id());
    const H5T_class_t cls = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    const H5T_sign_t sign = cls == H5T_INTEGER ? H5Tget_sign(type) : H5T_SGN_NONE;
    H5Tclose(type);
    return std::tuple{cls, size, sign};
  };
  CHECK(type_of("summary/point") == std::tuple{H5T_INTEGER, std::size_t{4}, H5T_SGN_2});
  CHECK(type_of("summary/path") == std::tuple{H5T_INTEGER, std::size_t{8}, H5T_SGN_2});
  // Counts are int64, quantities float64 (format 2).
  CHECK(type_of("summary/liquidations") == std::tuple{H5T_INTEGER, std::size_t{8}, H5T_SGN_2});
  CHECK(type_of("summary/max_cascade_depth") == std::tuple{H5T_INTEGER, std::size_t{8}, H5T_SGN_2});
  CHECK(type_of("summary/liquidated_notional") == std::tuple{H5T_FLOAT, std::size_t{8}, H5T_SGN_NONE});
  CHECK(type_of("summary/by_asset/liquidations") == std::tuple{H5T_INTEGER, std::size_t{8}, H5T_SGN_2});
  CHECK(type_of("summary/by_asset/min_price_ratio") == std::tuple{H5T_FLOAT, std::size_t{8}, H5T_SGN_NONE});
  CHECK(type_of("events/liquidations/side") == std::tuple{H5T_INTEGER, std::size_t{1}, H5T_SGN_2});
  CHECK(type_of("positions/initial/account") == std::tuple{H5T_INTEGER, std::size_t{4}, H5T_SGN_2});
}

TEST_CASE("Results.Writer.Compression") {
  ScratchDir dir("compression");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  RunResults results = test::sample_results();
  results.events.clear();  // enabled, but none happened: empty datasets
  write_results(out, info, results, false);
  h5::File file = h5::File::open_read_only(out);

  const h5::Dataset summary = file.open_dataset("summary/liquidated_notional");
  CHECK(summary.chunked());
  const auto filters = summary.filters();
  REQUIRE(filters.size() == 2);
  CHECK(filters[0] == H5Z_FILTER_SHUFFLE);
  CHECK(filters[1] == H5Z_FILTER_DEFLATE);
  CHECK(summary.chunk_dims() == std::vector<hsize_t>{3});
  CHECK(file.open_dataset("timeseries/mark_price").chunk_dims() == std::vector<hsize_t>{2, 5, 2});

  const h5::Dataset empty = file.open_dataset("events/liquidations/fill_price");
  CHECK(empty.dims() == std::vector<hsize_t>{0});
  CHECK(!empty.chunked());
  CHECK(empty.filters().empty());
  CHECK(empty.has_attribute("unit"));
  CHECK(read_results(out).results.events.empty());
  CHECK(read_results(out).info.events_enabled);
}

TEST_CASE("Results.Writer.ChunkShape") {
  using Dims = std::vector<hsize_t>;
  CHECK(h5::chunk_shape(Dims{10}) == Dims{10});
  CHECK(h5::chunk_shape(Dims{1'000'000}) == Dims{65536});
  CHECK(h5::chunk_shape(Dims{1'000'000, 4}) == Dims{16384, 4});
  CHECK(h5::chunk_shape(Dims{100, 1441, 6}) == Dims{7, 1441, 6});
  CHECK(h5::chunk_shape(Dims{3, 100'001, 2}) == Dims{1, 32768, 2});
}

TEST_CASE("Results.Writer.OptionalGroups") {
  ScratchDir dir("optional");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  info.events_enabled = false;
  RunResults results = test::sample_results();
  results.timeseries.clear();
  write_results(out, info, results, false);
  {
    h5::File file = h5::File::open_read_only(out);
    CHECK(!file.exists("events"));
    CHECK(!file.exists("timeseries"));
    CHECK(!file.exists("sweep"));
    CHECK(file.exists("positions/initial/position"));
  }
  const ResultsFile back = read_results(out);
  CHECK(!back.info.events_enabled);
  CHECK(back.results.timeseries.empty());
  check_round_trip(info, results, back);
}

TEST_CASE("Results.Writer.EmptyRun") {
  // No rows (an empty shard), no positions, no accounts: every dataset exists with size 0.
  ScratchDir dir("empty");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  RunResults results;
  write_results(out, info, results, false);
  {
    h5::File file = h5::File::open_read_only(out);
    CHECK(file.open_dataset("summary/by_asset/min_price_ratio").dims() ==
          std::vector<hsize_t>{0, 2});
    CHECK(file.open_group("positions/initial").string_array_attribute("accounts").empty());
    CHECK(!file.exists("timeseries"));
  }
  check_round_trip(info, results, read_results(out));
  if (const char* keep = std::getenv("CASCADE_RESULTS_EMPTY_SAMPLE"))
    std::filesystem::copy_file(out, keep, std::filesystem::copy_options::overwrite_existing);
}

TEST_CASE("Results.Writer.Sweep") {
  ScratchDir dir("sweep");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  info.sweep = {{"exchange.liquidation_fee", "fraction", {0.005, 0.01}},
                {"assets.AIX.book.depth_1pct", "USD", {1e5, 2e5}}};
  RunResults results = test::sample_results();
  results.outcomes[2].point = 1;
  write_results(out, info, results, false);
  h5::File file = h5::File::open_read_only(out);
  CHECK(
      file.open_group("sweep").children() ==
      std::vector<std::string>{"point", "exchange.liquidation_fee", "assets.AIX.book.depth_1pct"});
  CHECK(file.open_dataset("sweep/point").is_dimension_scale());
  CHECK(file.open_dataset("sweep/exchange.liquidation_fee").string_attribute("unit") == "fraction");
  check_round_trip(info, results, read_results(out));
}

TEST_CASE("Results.Writer.ShardAndFingerprint") {
  ScratchDir dir("shard");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  info.sweep = {{"a.x", "x", {2, 2, 5, 5}, 0}, {"b.y", "USD", {1, 3, 1, 3}, 1}};
  info.run_fingerprint = "0123456789abcdef";
  info.shard = ShardInfo{1, 4, 9, 12, 40};
  const RunResults results = test::sample_results();
  write_results(out, info, results, false);
  check_round_trip(info, results, read_results(out));
  {
    h5::File file = h5::File::open_read_only(out);
    CHECK(file.attribute<std::int32_t>("shard_count") == 4);
    CHECK(file.attribute<std::int64_t>("row_begin") == 9);
    CHECK(file.open_dataset("sweep/b.y").attribute<std::int32_t>("axis") == 1);
  }
  // The header alone: attributes and /sweep, no rows.
  const ResultsFile header = read_results_header(out);
  CHECK(header.info.run_fingerprint == info.run_fingerprint);
  REQUIRE(header.info.shard);
  CHECK(header.info.shard->row_end == 12);
  CHECK(header.info.sweep.size() == 2);
  CHECK(header.results.outcomes.empty());
  // A shard's rows must be the block it claims.
  info.shard->row_end = 13;
  CHECK_THROWS_AS(write_results(dir.file("bad.h5"), info, results, false), std::invalid_argument);
  // A whole run has no shard attributes.
  info.shard.reset();
  write_results(out, info, results, true);
  h5::File file = h5::File::open_read_only(out);
  CHECK(!file.has_attribute("shard_index"));
  CHECK(file.string_attribute("run_fingerprint") == "0123456789abcdef");
}

TEST_CASE("Results.Writer.NoOverwriteWithoutForce") {
  ScratchDir dir("force");
  const std::string out = dir.file("out.h5");
  const RunInfo info = test::sample_info();
  RunResults first = test::sample_results();
  write_results(out, info, first, false);

  RunResults second = first;
  second.outcomes[0].liquidated_notional = 42.0;
  CHECK(error_of([&] { write_results(out, info, second, false); }) ==
        out + " exists (use --force to overwrite)");
  CHECK(read_results(out).results.outcomes[0].liquidated_notional == 1.0e6);
  CHECK(dir.entries() == 1);

  write_results(out, info, second, true);
  CHECK(read_results(out).results.outcomes[0].liquidated_notional == 42.0);
  CHECK(dir.entries() == 1);
}

TEST_CASE("Results.Writer.InterruptedLeavesNoFile") {
  // The poll hook stands in for SIGINT: request_interrupt() cannot be undone in this process.
  ScratchDir dir("interrupt");
  const std::string out = dir.file("out.h5");
  const RunInfo info = test::sample_info();
  const RunResults results = test::sample_results();
  int total_polls = 0;
  write_results(dir.file("count.h5"), info, results, false, [&] { ++total_polls; });
  std::filesystem::remove(dir.file("count.h5"));
  REQUIRE(total_polls > 10);

  for (int fail_at : {1, 2, total_polls / 2, total_polls}) {
    INFO("interrupted at poll ", fail_at);
    int polls = 0;
    auto poll = [&] {
      if (++polls == fail_at) throw Interrupted();
    };
    CHECK_THROWS_AS(write_results(out, info, results, false, poll), Interrupted);
    CHECK(!std::filesystem::exists(out));
    CHECK(dir.entries() == 0);
  }

  // With --force over an earlier result, an interrupted write keeps the earlier file intact.
  write_results(out, info, results, false);
  RunResults changed = results;
  changed.outcomes[0].bad_debt = 99.0;
  int polls = 0;
  CHECK_THROWS_AS(write_results(out, info, changed, true,
                                [&] {
                                  if (++polls == 3) throw Interrupted();
                                }),
                  Interrupted);
  CHECK(dir.entries() == 1);
  CHECK(read_results(out).results.outcomes[0].bad_debt == 0.0);
}

TEST_CASE("Results.Writer.UnwritableDirectory") {
  ScratchDir dir("unwritable");
  const std::string out = dir.file("missing/dir/out.h5");
  const std::string message =
      error_of([&] { write_results(out, test::sample_info(), test::sample_results(), false); });
  CHECK(message.find("creating HDF5 file") != std::string::npos);
  CHECK(message.find(dir.file("missing/dir/.cascade.tmp.")) != std::string::npos);
  CHECK(dir.entries() == 0);
}

TEST_CASE("Results.Writer.RejectsInconsistentResults") {
  ScratchDir dir("inconsistent");
  const std::string out = dir.file("out.h5");
  RunResults results = test::sample_results();
  results.outcomes[1].asset_min_price_ratio.pop_back();
  CHECK_THROWS_AS(write_results(out, test::sample_info(), results, false), std::invalid_argument);
  results = test::sample_results();
  results.timeseries[0].mark_price.push_back(1.0);
  CHECK_THROWS_AS(write_results(out, test::sample_info(), results, false), std::invalid_argument);
  CHECK(dir.entries() == 0);
}

TEST_CASE("Results.Reader.RefusesForeignAndIncompleteFiles") {
  ScratchDir dir("reader");
  {
    const std::string text = dir.file("notes.h5");
    std::ofstream(text) << "not hdf5\n";
    const std::string message = error_of([&] { read_results(text); });
    CHECK(message.find("is not a readable HDF5 file") != std::string::npos);
    CHECK(message.find(text) != std::string::npos);
  }
  {
    const std::string other = dir.file("other.h5");
    h5::File file = h5::File::create(other);
    file.set_attribute("format", "something-else");
    file.close();
    CHECK(error_of([&] { read_results(other); }) ==
          other +
              " is not a cascade results file (no root attribute format = \"cascade-results\")");
  }
  {
    // What a killed writer leaves (under its temporary name): complete = 0.
    const std::string partial = dir.file("partial.h5");
    h5::File file = h5::File::create(partial);
    file.set_attribute("format", "cascade-results");
    file.set_attribute("format_version", std::int32_t{1});
    file.set_attribute("complete", std::int32_t{0});
    file.close();
    const std::string message = error_of([&] { read_results(partial); });
    CHECK(message ==
          partial + " is incomplete (complete != 1): the run that wrote it did not finish");
  }
  {
    const std::string newer = dir.file("newer.h5");
    h5::File file = h5::File::create(newer);
    file.set_attribute("format", "cascade-results");
    file.set_attribute("format_version", kResultsFormatVersion + 1);
    file.set_attribute("complete", std::int32_t{1});
    file.close();
    CHECK(error_of([&] { read_results(newer); })
              .find(fmt::format("format_version {}", kResultsFormatVersion + 1)) != std::string::npos);
  }
  CHECK(error_of([&] { read_results(dir.file("absent.h5")); }).find("absent.h5") !=
        std::string::npos);
}

}  // namespace cascade

namespace cascade {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <class Row, std::size_t N>
void check_documented(const std::string& doc, const Column<Row> (&columns)[N]) {
  for (const auto& c : columns) {
    const char* dtype = std::visit(
        [](auto field) -> const char* {
          using T = std::remove_cvref_t<decltype(std::declval<const Row&>().*field)>;
          if constexpr (std::is_same_v<T, std::int8_t>) return "int8";
          if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
          if constexpr (std::is_same_v<T, std::int64_t>) return "int64";
          return "float64";
        },
        c.field);
    const std::string row =
        fmt::format("| `{}` | {} | {} | {} |", c.name, dtype, c.unit, c.description);
    INFO(row);
    CHECK(doc.find(row) != std::string::npos);
  }
}

template <class Metric, std::size_t N>
void check_documented(const std::string& doc, const Metric (&metrics)[N]) {
  for (const auto& m : metrics) {
    const char* dtype = "float64";
    if constexpr (requires { m.is_count(); }) dtype = m.is_count() ? "int64" : "float64";
    const std::string row =
        fmt::format("| `{}` | {} | {} | {} |", m.name, dtype, m.unit, m.description);
    INFO(row);
    CHECK(doc.find(row) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("Results.Docs.ListsEveryMetric") {
  // docs/results.md carries one table row per metric and column, exactly as in the tables.
  const std::string doc = read_text(std::string(CASCADE_SOURCE_DIR) + "/docs/results.md");
  REQUIRE(!doc.empty());
  check_documented(doc, kSummaryMetrics);
  check_documented(doc, kAssetMetrics);
  check_documented(doc, kSeriesMetrics);
  check_documented(doc, kEventColumns);
  check_documented(doc, kAdlColumns);
  check_documented(doc, kPositionColumns);
  CHECK(doc.find(fmt::format("- **{}**", kResultsFormatVersion)) != std::string::npos);
}

TEST_CASE("Results.Writer.RefusesNonFiniteOutcomes") {
  // A NaN or an infinity the model produced must not reach a file marked complete (issue 11):
  // the error names the point, the path and the metric, and nothing is written.
  ScratchDir dir("nonfinite");
  const std::string out = dir.file("out.h5");
  RunResults r = test::sample_results();
  r.outcomes[1].bad_debt = std::numeric_limits<double>::quiet_NaN();
  const std::string message = error_of([&] { write_results(out, test::sample_info(), r, false); });
  CHECK(message.find("/summary/bad_debt is nan") != std::string::npos);
  CHECK(message.find("path " + std::to_string(r.outcomes[1].path)) != std::string::npos);
  CHECK(dir.entries() == 0);
  r = test::sample_results();
  r.outcomes[0].asset_min_price_ratio[0] = std::numeric_limits<double>::infinity();
  CHECK(error_of([&] { write_results(out, test::sample_info(), r, false); })
            .find("/summary/by_asset/min_price_ratio of asset 0 is inf") != std::string::npos);
  if (!r.timeseries.empty()) {
    r = test::sample_results();
    r.timeseries[0].mark_price.back() = -std::numeric_limits<double>::infinity();
    CHECK(error_of([&] { write_results(out, test::sample_info(), r, false); })
              .find("/timeseries/mark_price") != std::string::npos);
  }
  // "NaN if none" metrics are NaN by design.
  r = test::sample_results();
  r.outcomes[0].first_adl_time = std::numeric_limits<double>::quiet_NaN();
  CHECK_NOTHROW(write_results(out, test::sample_info(), r, false));
  CHECK(dir.entries() == 1);
}

}  // namespace cascade

namespace cascade {

TEST_CASE("Results.Writer.ParallelChunks") {
  // The row tables' chunks deflated through a loop (in any order) and written with
  // H5Dwrite_chunk read back the same as what HDF5's own filters wrote: 150,001 positions are
  // three chunks, the last one partial; the file is as large, give or take the edge chunks.
  test::ScratchDir dir("parallel_chunks");
  RunInfo info = test::sample_info();
  RunResults results = test::sample_results();
  results.initial_positions.clear();
  for (std::int64_t i = 0; i < 150001; ++i) {
    InitialPosition p;
    p.position = i;
    p.account = static_cast<std::int32_t>(i % 3);
    p.asset = static_cast<std::int32_t>(i % 2);
    p.side = i % 5 == 0 ? -1 : 1;
    p.size = 1.0 + std::sin(static_cast<double>(i));
    p.entry_price = 100.0 + std::cos(0.37 * static_cast<double>(i));
    p.margin = 10.0 + 1e-3 * static_cast<double>(i);
    p.liquidation_price = i % 7 == 0 ? std::nan("") : 90.0 + std::sin(1.3 * static_cast<double>(i));
    p.bankruptcy_price = 85.0 + std::cos(static_cast<double>(i));
    results.initial_positions.push_back(p);
  }
  const ParallelLoop reversed = [](std::size_t n, const std::function<void(std::size_t)>& body) {
    for (std::size_t j = n; j-- > 0;) body(j);
  };
  const std::string serial = dir.file("serial.h5"), parallel = dir.file("parallel.h5");
  write_results(serial, info, results, false);
  write_results(parallel, info, results, false, {}, reversed);
  const RunResults a = read_results(serial).results, b = read_results(parallel).results;
  REQUIRE(b.initial_positions.size() == results.initial_positions.size());
  bool same = true;
  for (std::size_t i = 0; i < results.initial_positions.size(); ++i) {
    const auto &x = results.initial_positions[i], &y = b.initial_positions[i], &z = a.initial_positions[i];
    const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
    same = same && x.position == y.position && x.account == y.account && x.asset == y.asset && x.side == y.side &&
           bits(x.size) == bits(y.size) && bits(x.entry_price) == bits(y.entry_price) &&
           bits(x.margin) == bits(y.margin) && bits(x.liquidation_price) == bits(y.liquidation_price) &&
           bits(x.bankruptcy_price) == bits(y.bankruptcy_price) && bits(z.size) == bits(y.size) &&
           bits(z.liquidation_price) == bits(y.liquidation_price);
  }
  CHECK(same);
  h5::File file = h5::File::open_read_only(parallel);
  const h5::Dataset size = file.open_dataset("positions/initial/size");
  CHECK(size.chunk_dims() == std::vector<hsize_t>{65536});
  REQUIRE(size.filters().size() == 2);
  CHECK(size.filters()[0] == H5Z_FILTER_SHUFFLE);
  CHECK(size.filters()[1] == H5Z_FILTER_DEFLATE);
  const auto a_size = static_cast<double>(std::filesystem::file_size(serial));
  CHECK(std::abs(static_cast<double>(std::filesystem::file_size(parallel)) / a_size - 1.0) < 1e-3);
}

}  // namespace cascade
