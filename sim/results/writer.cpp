#include "sim/results/writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <string_view>
#include <stdexcept>
#include <system_error>

#include "sim/results/detail/dimensions.hpp"
#include "sim/results/detail/h5_file.hpp"

namespace cascade {
namespace {

namespace fs = std::filesystem;

constexpr int kRowTableLevel = 1;  ///< deflate level of row tables (write_columns)

std::size_t expected_series_length(const RunInfo& info, bool per_asset) {
  const auto rows = static_cast<std::size_t>(info.steps) + 1;
  return per_asset ? rows * info.assets.size() : rows;
}

/// Everything the layout relies on, checked before a file is created.
/// A value the model could not compute (NaN or an infinity where none is meaningful) must not
/// reach a file marked complete: a run past the computable range of a key fails instead.
void refuse_non_finite(const RunResults& results) {
  auto fail = [](std::int32_t point, std::int64_t path, const std::string& what, double v) {
    throw NonFiniteOutcome(fmt::format(
        "point {} path {}: {} is {} (the model cannot compute this scenario: a value is outside "
        "the range docs/scenario.md gives for its key); no results written",
        point, path, what, v));
  };
  for (const auto& o : results.outcomes) {
    for (const auto& m : kSummaryMetrics) {
      const double v = m.value(o);
      const bool nan_means_none = std::string_view(m.description).find("(NaN if none)") !=
                                  std::string_view::npos;
      if (!std::isfinite(v) && !(nan_means_none && std::isnan(v)))
        fail(o.point, o.path, fmt::format("/summary/{}", m.name), v);
    }
    for (const auto& m : kAssetMetrics)
      for (std::size_t k = 0; k < m.size(o); ++k)
        if (!std::isfinite(m.value(o, k)))
          fail(o.point, o.path, fmt::format("/summary/by_asset/{} of asset {}", m.name, k),
               m.value(o, k));
  }
  for (const auto& ts : results.timeseries)
    for (const auto& m : kSeriesMetrics)
      for (std::size_t i = 0; i < (ts.*m.field).size(); ++i)
        if (!std::isfinite((ts.*m.field)[i]))
          fail(ts.point, ts.path, fmt::format("/timeseries/{} (value {})", m.name, i),
               (ts.*m.field)[i]);
  for (const auto& e : results.events)
    if (!std::isfinite(e.size) || !std::isfinite(e.fill_price))
      fail(e.point, e.path, "/events/liquidations (size or fill_price)",
           std::isfinite(e.size) ? e.fill_price : e.size);
}

void validate(const RunInfo& info, const RunResults& results) {
  if (info.steps < 0) throw std::invalid_argument("write_results: steps is negative");
  refuse_non_finite(results);
  const std::size_t n_assets = info.assets.size();
  for (const auto& o : results.outcomes)
    for (const auto& m : kAssetMetrics)
      if (m.size(o) != n_assets)
        throw std::invalid_argument(
            fmt::format("write_results: {} of point {} path {} has {} values for {} assets", m.name,
                        o.point, o.path, m.size(o), n_assets));
  for (const auto& ts : results.timeseries)
    for (const auto& m : kSeriesMetrics)
      if ((ts.*m.field).size() != expected_series_length(info, m.per_asset))
        throw std::invalid_argument(fmt::format(
            "write_results: time series {} of point {} path {} has {} values, expected {}", m.name,
            ts.point, ts.path, (ts.*m.field).size(), expected_series_length(info, m.per_asset)));
  for (const auto& p : results.initial_positions) {
    if (p.asset < 0 || static_cast<std::size_t>(p.asset) >= n_assets)
      throw std::invalid_argument(
          fmt::format("write_results: position {} has asset index {}", p.position, p.asset));
    if (p.account < 0 || static_cast<std::size_t>(p.account) >= results.account_names.size())
      throw std::invalid_argument(
          fmt::format("write_results: position {} has account index {} of {} accounts", p.position,
                      p.account, results.account_names.size()));
  }
  for (const auto& axis : info.sweep) {
    if (axis.key.empty() || axis.key.find('/') != std::string::npos)
      throw std::invalid_argument(fmt::format("write_results: bad sweep key '{}'", axis.key));
    if (axis.values.size() != info.sweep.front().values.size())
      throw std::invalid_argument(fmt::format(
          "write_results: sweep key {} has {} values, {} has {}", axis.key, axis.values.size(),
          info.sweep.front().key, info.sweep.front().values.size()));
  }
  if (info.shard && static_cast<std::size_t>(info.shard->row_end - info.shard->row_begin) !=
                        results.outcomes.size())
    throw std::invalid_argument(fmt::format("write_results: shard rows [{}, {}) but {} outcomes",
                                            info.shard->row_begin, info.shard->row_end,
                                            results.outcomes.size()));
}

/// One 1-D dataset per column of a row table, along the table's dimension `dimension`: the
/// column of that name when the table has one (its coordinate variable, e.g. `position`), else a
/// dimension of its own in the group (`event`), so every row table gets its scales here.
/// Row tables can have millions of rows (/positions/initial of a 10^6-position book, the events
/// of a long run): they are deflated at level 1, which on such columns gives files 0.5 % larger
/// than level 4's in four fifths of the time (docs/performance.md, "Start-up").
template <class Row, std::size_t N>
void write_columns(h5::Group& group, const std::vector<Row>& rows, const Column<Row> (&columns)[N],
                   h5::Dimensions& dims, const std::function<void()>& poll, const ParallelLoop& parallel,
                   const char* dimension = "event") {
  bool own_column = false;
  for (const auto& column : columns)
    own_column = own_column || std::string(column.name) == dimension;
  if (!own_column) dims.define(group, dimension, rows.size(), "one row of this table");
  std::vector<h5::Dataset> written;
  for (const auto& column : columns) {
    poll();
    std::visit(
        [&](auto field) {
          using T = std::remove_cvref_t<decltype(std::declval<const Row&>().*field)>;
          std::vector<T> data;
          data.reserve(rows.size());
          for (const auto& row : rows) data.push_back(row.*field);
          h5::Dataset ds = group.write_dataset(column.name, data, column.unit, column.description, kRowTableLevel,
                                               parallel ? &parallel : nullptr);
          if (std::string(column.name) == dimension)
            dims.adopt(ds);
          else
            written.push_back(std::move(ds));
        },
        column.field);
  }
  for (auto& ds : written) dims.attach(ds, {dimension});
}

void write_root_attributes(h5::File& file, const RunInfo& info) {
  file.set_attribute("format", kResultsFormat);
  file.set_attribute("format_version", kResultsFormatVersion);
  file.set_attribute("complete", std::int32_t{0});  // set to 1 last
  file.set_attribute("cascade_version", info.cascade_version);
  file.set_attribute("scenario_name", info.scenario_name);
  file.set_attribute("scenario_yaml", info.scenario_yaml);
  file.set_attribute("command_line", info.command_line);
  file.set_attribute("seed", info.seed);
  file.set_attribute("paths", info.paths);
  file.set_attribute("steps", info.steps);
  file.set_attribute("dt", info.dt_s);
  file.set_attribute("assets", info.assets);
  if (info.independent_points >= 0)
    file.set_attribute("independent_points", info.independent_points);
  if (!info.run_fingerprint.empty()) file.set_attribute("run_fingerprint", info.run_fingerprint);
  if (info.shard) {
    file.set_attribute("shard_index", info.shard->index);
    file.set_attribute("shard_count", info.shard->count);
    file.set_attribute("row_begin", info.shard->row_begin);
    file.set_attribute("row_end", info.shard->row_end);
    file.set_attribute("rows_total", info.shard->rows_total);
  }
}

void write_summary(h5::File& file, const RunInfo& info, const RunResults& results,
                   h5::Dimensions& dims, const std::function<void()>& poll) {
  const auto& outcomes = results.outcomes;
  const std::size_t n_assets = info.assets.size();
  dims.define(
      file, "row", outcomes.size(),
      "one Monte Carlo path at one sweep point, row = point * paths + path (/summary/point, "
      "/summary/path)",
      info.shard ? info.shard->row_begin : 0);
  dims.define(file, "asset", n_assets, "index into the root attribute `assets`");
  h5::Group summary = file.create_group("summary");
  // point and path are the coordinates of each row (netCDF/CF `coordinates`: xarray makes them
  // coordinates of every metric).
  const auto along_rows = [&](h5::Dataset ds) {
    dims.attach(ds, {"row"});
    ds.set_attribute("coordinates", "point path");
  };
  {
    std::vector<std::int32_t> point;
    std::vector<std::int64_t> path;
    for (const auto& o : outcomes) {
      point.push_back(o.point);
      path.push_back(o.path);
    }
    poll();
    dims.attach(summary.write_dataset("point", point, "index",
                                      "sweep point (index into /sweep; 0 for a plain run)"),
                {"row"});
    poll();
    dims.attach(summary.write_dataset("path", path, "index", "Monte Carlo path"), {"row"});
  }
  for (const auto& m : kSummaryMetrics) {
    poll();
    std::visit(
        [&](auto field) {
          using T = std::remove_cvref_t<decltype(outcomes.front().*field)>;
          std::vector<T> column(outcomes.size());
          for (std::size_t r = 0; r < outcomes.size(); ++r) column[r] = outcomes[r].*field;
          along_rows(summary.write_dataset(m.name, column, m.unit, m.description));
        },
        m.field);
  }

  h5::Group by_asset = summary.create_group("by_asset");
  const std::array<hsize_t, 2> shape{outcomes.size(), n_assets};
  for (const auto& m : kAssetMetrics) {
    poll();
    std::visit(
        [&](auto field) {
          using T = typename std::remove_cvref_t<decltype(outcomes.front().*field)>::value_type;
          std::vector<T> table(outcomes.size() * n_assets);
          for (std::size_t r = 0; r < outcomes.size(); ++r)
            for (std::size_t a = 0; a < n_assets; ++a) table[r * n_assets + a] = (outcomes[r].*field)[a];
          h5::Dataset ds =
              by_asset.write_dataset<T>(m.name, shape, table.data(), m.unit, m.description);
          dims.attach(ds, {"row", "asset"});
        },
        m.field);
  }
}

void write_sweep(h5::File& file, const RunInfo& info, h5::Dimensions& dims,
                 const std::function<void()>& poll) {
  if (info.sweep.empty()) return;
  h5::Group sweep = file.create_group("sweep");
  dims.define(sweep, "point", info.sweep.front().values.size(),
              "sweep point (the `point` of /summary, /timeseries and /events)");
  for (const auto& axis : info.sweep) {
    poll();
    h5::Dataset values = sweep.write_dataset(
        axis.key, axis.values, axis.unit.empty() ? "as the scenario key" : axis.unit,
        fmt::format("value of scenario key {} at each sweep point", axis.key));
    values.set_attribute("axis", axis.axis);
    dims.attach(values, {"point"});
  }
}

void write_timeseries(h5::File& file, const RunInfo& info, const RunResults& results,
                      h5::Dimensions& dims, const std::function<void()>& poll) {
  const auto& series = results.timeseries;
  if (series.empty()) return;
  h5::Group group = file.create_group("timeseries");
  const auto n_paths = series.size();
  const auto n_steps = static_cast<std::size_t>(info.steps) + 1;
  const auto n_assets = info.assets.size();
  dims.define(group, "recorded_path", n_paths,
              "one recorded path (/timeseries/point, /timeseries/path)");
  dims.define(group, "step", n_steps, "step row s is the state at t = s * dt (/timeseries/time)");
  {
    std::vector<std::int32_t> point;
    std::vector<std::int64_t> path;
    for (const auto& ts : series) {
      point.push_back(ts.point);
      path.push_back(ts.path);
    }
    std::vector<double> time(n_steps);
    for (std::size_t s = 0; s < n_steps; ++s) time[s] = static_cast<double>(s) * info.dt_s;
    poll();
    dims.attach(group.write_dataset("point", point, "index", "sweep point of each recorded path"),
                {"recorded_path"});
    poll();
    dims.attach(
        group.write_dataset("path", path, "index", "Monte Carlo path of each recorded path"),
        {"recorded_path"});
    poll();
    dims.attach(group.write_dataset("time", time, "s",
                                    "time of each step row (row 0 is the state at t = 0)"),
                {"step"});
  }
  std::vector<double> data;
  for (const auto& m : kSeriesMetrics) {
    poll();
    data.clear();
    for (const auto& ts : series)
      data.insert(data.end(), (ts.*m.field).begin(), (ts.*m.field).end());
    h5::Dataset ds;
    if (m.per_asset) {
      const std::array<hsize_t, 3> shape{n_paths, n_steps, n_assets};
      ds = group.write_dataset<double>(m.name, shape, data.data(), m.unit, m.description);
      dims.attach(ds, {"recorded_path", "step", "asset"});
    } else {
      const std::array<hsize_t, 2> shape{n_paths, n_steps};
      ds = group.write_dataset<double>(m.name, shape, data.data(), m.unit, m.description);
      dims.attach(ds, {"recorded_path", "step"});
    }
    ds.set_attribute("coordinates", "time point path");
  }
}

void write_file(const std::string& path, const RunInfo& info, const RunResults& results,
                const std::function<void()>& poll, const ParallelLoop& parallel) {
  h5::File file = h5::File::create(path);
  write_root_attributes(file, info);
  {
    h5::Dimensions dims;  // its scales are closed before the file
    write_summary(file, info, results, dims, poll);
    write_sweep(file, info, dims, poll);
    write_timeseries(file, info, results, dims, poll);
    if (info.events_enabled) {
      h5::Group events = file.create_group("events");
      h5::Group liquidations = events.create_group("liquidations");
      write_columns(liquidations, results.events, kEventColumns, dims, poll, parallel);
      h5::Group adl = events.create_group("adl");
      write_columns(adl, results.adl_events, kAdlColumns, dims, poll, parallel);
    }
    h5::Group positions = file.create_group("positions");
    h5::Group initial = positions.create_group("initial");
    initial.set_attribute("accounts", results.account_names);
    write_columns(initial, results.initial_positions, kPositionColumns, dims, poll, parallel, "position");
  }
  poll();
  file.set_attribute("complete", std::int32_t{1});
  file.close();
}

/// fsync a file or directory so the rename publishes data that is on disk.
void sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (directory) return;  // best effort for the directory
    throw std::system_error(errno, std::generic_category(), "opening " + path + " to sync it");
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && !directory)
    throw std::system_error(err, std::generic_category(), "syncing " + path);
}

bool path_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

}  // namespace

std::string temporary_path(const std::string& output) {
  const fs::path parent = fs::path(output).parent_path();
  const std::string name = fmt::format(".cascade.tmp.{}", ::getpid());
  return parent.empty() ? name : (parent / name).string();
}

void write_results(const std::string& out_path, const RunInfo& info, const RunResults& results,
                   bool force, const std::function<void()>& poll_or_null, const ParallelLoop& parallel) {
  const std::function<void()> poll = poll_or_null ? poll_or_null : [] {};
  if (!force && path_exists(out_path))
    throw std::runtime_error(fmt::format("{} exists (use --force to overwrite)", out_path));
  validate(info, results);
  const std::string tmp = temporary_path(out_path);
  try {
    write_file(tmp, info, results, poll, parallel);
    sync_path(tmp, false);
    if (!force && path_exists(out_path))
      throw std::runtime_error(fmt::format("{} exists (use --force to overwrite)", out_path));
    std::error_code ec;
    fs::rename(tmp, out_path, ec);
    if (ec)
      throw std::runtime_error(
          fmt::format("cannot rename {} to {}: {}", tmp, out_path, ec.message()));
    const fs::path parent = fs::path(out_path).parent_path();
    sync_path(parent.empty() ? std::string(".") : parent.string(), true);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace cascade
