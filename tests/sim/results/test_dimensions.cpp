// The results file's dimension scales (docs/results.md, "Dimensions"): every dataset of every
// group has a named dimension scale on every axis, of the axis' length, and each dimension is a
// coordinate variable holding its index (the run's row numbers in a shard).
#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "sim/results/detail/h5_file.hpp"
#include "sim/results/reader.hpp"
#include "sim/results/writer.hpp"
#include "tests/sim/results/all_datasets.hpp"
#include "tests/sim/results/sample.hpp"

using namespace cascade;

namespace {

/// The dimensions each dataset must carry, by its group (or its own path for the exceptions).
std::vector<std::string> expected_dimensions(const std::string& path, std::size_t rank) {
  const std::string group = path.substr(0, path.rfind('/'));
  const std::string name = path.substr(path.rfind('/') + 1);
  if (group.empty()) return {name};  // /row, /asset
  if (group == "/summary") return {"row"};
  if (group == "/summary/by_asset") return {"row", "asset"};
  if (group == "/sweep") return {"point"};
  if (group == "/events/liquidations" || group == "/events/adl") return {"event"};
  if (group == "/positions/initial") return {"position"};
  if (group == "/timeseries") {
    if (name == "point" || name == "path" || name == "recorded_path") return {"recorded_path"};
    if (name == "time" || name == "step") return {"step"};
    if (rank == 3) return {"recorded_path", "step", "asset"};
    return {"recorded_path", "step"};
  }
  FAIL("unexpected dataset ", path);
  return {};
}

void check_every_dataset(const std::string& file_path) {
  const auto datasets = test::all_datasets(file_path);  // before the file is opened here
  h5::File file = h5::File::open_read_only(file_path);
  for (const std::string& path : datasets) {
    INFO(path);
    const h5::Dataset ds = file.open_dataset(path.substr(1));
    const auto dims = ds.dims();
    const auto names = ds.dimension_names();
    if (ds.is_dimension_scale()) {
      // A coordinate variable: 1-D, its own dimension (no scale attached to itself).
      CHECK(dims.size() == 1);
      CHECK(expected_dimensions(path, 1) ==
            std::vector<std::string>{path.substr(path.rfind('/') + 1)});
      continue;
    }
    CHECK(names == expected_dimensions(path, dims.size()));
    // The attached scale has the axis' length.
    const std::string group = path.substr(0, path.rfind('/'));
    for (std::size_t axis = 0; axis < names.size(); ++axis) {
      const std::string scale_path = (names[axis] == "row" || names[axis] == "asset")
                                         ? names[axis]
                                         : group.substr(1) + "/" + names[axis];
      CHECK(file.open_dataset(scale_path).dims() == std::vector<hsize_t>{dims[axis]});
    }
  }
}

}  // namespace

TEST_CASE("Results.Dimensions.EveryDatasetHasNamedScales") {
  test::ScratchDir dir("dims");
  const std::string out = dir.file("out.h5");
  RunInfo info = test::sample_info();
  info.sweep = {{"exchange.liquidation_fee", "fraction", {0.005, 0.01}, 0}};
  RunResults results = test::sample_results();
  results.outcomes[2].point = 1;
  write_results(out, info, results, false);
  check_every_dataset(out);

  h5::File file = h5::File::open_read_only(out);
  CHECK(file.open_dataset("row").read<std::int64_t>() == std::vector<std::int64_t>{0, 1, 2});
  CHECK(file.open_dataset("asset").read<std::int64_t>() == std::vector<std::int64_t>{0, 1});
  CHECK(file.open_dataset("sweep/point").read<std::int64_t>() == std::vector<std::int64_t>{0, 1});
  CHECK(file.open_dataset("summary/by_asset/liquidated_notional").string_attribute("description") ==
        kAssetMetrics[0].description);
  // CF `coordinates`: xarray makes point and path coordinates of every metric.
  CHECK(file.open_dataset("summary/bad_debt").string_attribute("coordinates") == "point path");
  // The reader sees the swept key, not the point coordinate.
  CHECK(read_results(out).info.sweep.size() == 1);
}

TEST_CASE("Results.Dimensions.ShardRowsKeepTheirRunIndex") {
  test::ScratchDir dir("dims_shard");
  const std::string out = dir.file("shard.h5");
  RunInfo info = test::sample_info();
  info.shard = ShardInfo{1, 2, 4, 7, 7};
  write_results(out, info, test::sample_results(), false);
  check_every_dataset(out);
  h5::File file = h5::File::open_read_only(out);
  CHECK(file.open_dataset("row").read<std::int64_t>() == std::vector<std::int64_t>{4, 5, 6});
}
