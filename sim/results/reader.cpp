#include "sim/results/reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <limits>
#include <stdexcept>
#include <variant>

#include "sim/results/detail/h5_file.hpp"
#include "sim/results/schema.hpp"

namespace cascade {
namespace {

std::string shape_string(const std::vector<hsize_t>& dims) {
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

/// Opens `group/name` and checks its shape against `expected`.
h5::Dataset open_checked(const h5::Group& group, const std::string& name,
                         const std::vector<hsize_t>& expected) {
  if (!group.exists(name))
    throw std::runtime_error(fmt::format("missing dataset {}/{}", group.path(), name));
  h5::Dataset dataset = group.open_dataset(name);
  const auto dims = dataset.dims();
  if (dims != expected)
    throw std::runtime_error(fmt::format("dataset {} has shape {}, expected {}", dataset.path(),
                                         shape_string(dims), shape_string(expected)));
  return dataset;
}

template <class T>
std::vector<T> read_checked(const h5::Group& group, const std::string& name,
                            const std::vector<hsize_t>& expected) {
  return open_checked(group, name, expected).read<T>();
}

/// Row count of a column table: the length of its first column.
template <class Row, std::size_t N>
std::vector<Row> read_columns(const h5::Group& group, const Column<Row> (&columns)[N]) {
  const std::string first = columns[0].name;
  if (!group.exists(first))
    throw std::runtime_error(fmt::format("missing dataset {}/{}", group.path(), first));
  const auto dims = group.open_dataset(first).dims();
  if (dims.size() != 1)
    throw std::runtime_error(fmt::format("dataset {}/{} is not 1-D", group.path(), first));
  std::vector<Row> rows(static_cast<std::size_t>(dims[0]));
  for (const auto& column : columns) {
    std::visit(
        [&](auto field) {
          using T = std::remove_cvref_t<decltype(std::declval<Row&>().*field)>;
          const auto values = read_checked<T>(group, column.name, dims);
          for (std::size_t r = 0; r < rows.size(); ++r) rows[r].*field = values[r];
        },
        column.field);
  }
  return rows;
}

RunInfo read_info(const h5::File& file) {
  RunInfo info;
  info.cascade_version = file.string_attribute("cascade_version");
  if (file.has_attribute("scenario_name"))
    info.scenario_name = file.string_attribute("scenario_name");
  info.scenario_yaml = file.string_attribute("scenario_yaml");
  info.command_line = file.string_attribute("command_line");
  info.seed = file.attribute<std::uint64_t>("seed");
  info.paths = file.attribute<std::int64_t>("paths");
  info.steps = file.attribute<std::int32_t>("steps");
  info.dt_s = file.attribute<double>("dt");
  info.assets = file.string_array_attribute("assets");
  info.events_enabled = file.exists("events/liquidations");
  if (file.exists("sweep")) {
    const h5::Group sweep = file.open_group("sweep");
    for (const auto& key : sweep.children()) {
      const h5::Dataset values = sweep.open_dataset(key);
      if (values.is_dimension_scale()) continue;  // /sweep/point
      const auto axis = values.has_attribute("axis") ? values.attribute<std::int32_t>("axis")
                                                     : static_cast<std::int32_t>(info.sweep.size());
      info.sweep.push_back({key, values.string_attribute("unit"), values.read<double>(), axis});
    }
  }
  info.independent_points = file.has_attribute("independent_points")
                                ? file.attribute<std::int32_t>("independent_points")
                                : -1;
  if (file.has_attribute("run_fingerprint"))
    info.run_fingerprint = file.string_attribute("run_fingerprint");
  if (file.has_attribute("shard_index")) {
    ShardInfo shard;
    shard.index = file.attribute<std::int32_t>("shard_index");
    shard.count = file.attribute<std::int32_t>("shard_count");
    shard.row_begin = file.attribute<std::int64_t>("row_begin");
    shard.row_end = file.attribute<std::int64_t>("row_end");
    shard.rows_total = file.attribute<std::int64_t>("rows_total");
    info.shard = shard;
  }
  return info;
}

void read_summary(const h5::File& file, std::size_t n_assets, RunResults& results) {
  const h5::Group summary = file.open_group("summary");
  if (!summary.exists("point")) throw std::runtime_error("missing dataset /summary/point");
  const auto dims = summary.open_dataset("point").dims();
  if (dims.size() != 1) throw std::runtime_error("dataset /summary/point is not 1-D");
  const auto n = static_cast<std::size_t>(dims[0]);
  auto& outcomes = results.outcomes;
  outcomes.assign(n, PathOutcome{});
  for (auto& o : outcomes) o.resize_assets(n_assets);

  const auto point = read_checked<std::int32_t>(summary, "point", dims);
  const auto path = read_checked<std::int64_t>(summary, "path", dims);
  for (std::size_t r = 0; r < n; ++r) {
    outcomes[r].point = point[r];
    outcomes[r].path = path[r];
  }
  // Counts are read as int64 (format 1 stored them as float64; HDF5 converts). A metric added
  // to the table after the file was written is absent: NaN (a count: 0), like "not recorded".
  for (const auto& m : kSummaryMetrics)
    std::visit(
        [&](auto field) {
          using T = std::remove_cvref_t<decltype(outcomes.front().*field)>;
          if (!summary.exists(m.name)) {
            for (auto& o : outcomes)
              o.*field = std::is_floating_point_v<T> ? std::numeric_limits<T>::quiet_NaN() : T{};
            return;
          }
          const auto values = read_checked<T>(summary, m.name, dims);
          for (std::size_t r = 0; r < n; ++r) outcomes[r].*field = values[r];
        },
        m.field);
  const h5::Group by_asset = summary.open_group("by_asset");
  const std::vector<hsize_t> table_dims{n, n_assets};
  for (const auto& m : kAssetMetrics)
    std::visit(
        [&](auto field) {
          using T = typename std::remove_cvref_t<decltype(outcomes.front().*field)>::value_type;
          const auto values = read_checked<T>(by_asset, m.name, table_dims);
          for (std::size_t r = 0; r < n; ++r)
            for (std::size_t a = 0; a < n_assets; ++a) (outcomes[r].*field)[a] = values[r * n_assets + a];
        },
        m.field);
}

void read_timeseries(const h5::File& file, const RunInfo& info, RunResults& results) {
  if (!file.exists("timeseries")) return;
  const h5::Group group = file.open_group("timeseries");
  const auto path_dims = group.open_dataset("path").dims();
  if (path_dims.size() != 1) throw std::runtime_error("dataset /timeseries/path is not 1-D");
  const auto n_paths = static_cast<std::size_t>(path_dims[0]);
  const auto n_steps = static_cast<std::size_t>(info.steps) + 1;
  const auto n_assets = info.assets.size();
  auto& series = results.timeseries;
  series.assign(n_paths, PathTimeseries{});
  const auto point = read_checked<std::int32_t>(group, "point", path_dims);
  const auto path = read_checked<std::int64_t>(group, "path", path_dims);
  for (std::size_t p = 0; p < n_paths; ++p) {
    series[p].point = point[p];
    series[p].path = path[p];
  }
  for (const auto& m : kSeriesMetrics) {
    const std::vector<hsize_t> dims = m.per_asset ? std::vector<hsize_t>{n_paths, n_steps, n_assets}
                                                  : std::vector<hsize_t>{n_paths, n_steps};
    const auto values = read_checked<double>(group, m.name, dims);
    const std::size_t per_path = m.per_asset ? n_steps * n_assets : n_steps;
    for (std::size_t p = 0; p < n_paths; ++p) {
      const auto first = values.begin() + static_cast<std::ptrdiff_t>(p * per_path);
      (series[p].*m.field).assign(first, first + static_cast<std::ptrdiff_t>(per_path));
    }
  }
}

/// Opens `path` and checks that it is a complete cascade-results file this version reads.
h5::File open_checked_file(const std::string& path, ResultsFile& out) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw std::runtime_error(fmt::format("{}: no such file", path));
  auto file = [&] {
    try {
      return h5::File::open_read_only(path);
    } catch (const h5::Error& e) {
      throw std::runtime_error(fmt::format("{} is not a readable HDF5 file ({})", path, e.what()));
    }
  }();
  const std::string not_ours = fmt::format(
      "{} is not a cascade results file (no root attribute format = \"{}\")", path, kResultsFormat);
  if (!file.has_attribute("format")) throw std::runtime_error(not_ours);
  try {
    if (file.string_attribute("format") != kResultsFormat) throw std::runtime_error(not_ours);
  } catch (const h5::Error&) {
    throw std::runtime_error(not_ours);
  }
  out.format_version = file.attribute<std::int32_t>("format_version");
  if (out.format_version < 1 || out.format_version > kResultsFormatVersion)
    throw std::runtime_error(fmt::format(
        "{} has format_version {}; this cascade reads format_version 1 to {} (upgrade cascade)",
        path, out.format_version, kResultsFormatVersion));
  out.complete = file.has_attribute("complete") && file.attribute<std::int32_t>("complete") == 1;
  if (!out.complete)
    throw std::runtime_error(fmt::format(
        "{} is incomplete (complete != 1): the run that wrote it did not finish", path));
  out.info = read_info(file);
  return file;
}

ResultsFile read_file(const std::string& path) {
  ResultsFile out;
  const h5::File file = open_checked_file(path, out);
  read_summary(file, out.info.assets.size(), out.results);
  read_timeseries(file, out.info, out.results);
  if (out.info.events_enabled) {
    out.results.events = read_columns(file.open_group("events/liquidations"), kEventColumns);
    if (file.exists("events/adl"))  // absent in files before /events/adl existed
      out.results.adl_events = read_columns(file.open_group("events/adl"), kAdlColumns);
  }
  const h5::Group initial = file.open_group("positions/initial");
  out.results.account_names = initial.string_array_attribute("accounts");
  out.results.initial_positions = read_columns(initial, kPositionColumns);
  return out;
}

template <class F>
ResultsFile naming_path(const std::string& path, F&& read) {
  try {
    return read();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.find(path) != std::string::npos) throw std::runtime_error(what);
    throw std::runtime_error(fmt::format("{}: {}", path, what));
  }
}

}  // namespace

ResultsFile read_results(const std::string& path) {
  return naming_path(path, [&] { return read_file(path); });
}

ResultsFile read_results_header(const std::string& path) {
  return naming_path(path, [&] {
    ResultsFile out;
    open_checked_file(path, out);
    return out;
  });
}

}  // namespace cascade
