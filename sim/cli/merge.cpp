// `cascade merge SHARD.h5... -o OUT.h5`: the shard files of one run or sweep (`--shard i/n`)
// into one results file whose datasets and attributes are those of the same run done in one go,
// except `command_line` (the merge's) and the shard attributes (absent, as in a whole run).
//
// Refused, with exit status 2 and the files named: a file that is not a complete results file or
// not a shard; shards of different runs (run_fingerprint) or splits (shard_count); a shard index
// given twice; missing shards; a shard whose rows are not the block its index names.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "sim/cli/output_path.hpp"
#include <map>

#include "sim/cli/commands.hpp"
#include "sim/ensemble/interrupt.hpp"
#include "sim/ensemble/mpi_rows.hpp"
#include "sim/results/reader.hpp"
#include "sim/results/writer.hpp"
#include "sim/ensemble/sweep.hpp"

namespace cascade {

namespace {

struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The shard headers ordered by shard index, after every check that needs no data.
std::vector<std::pair<std::string, ResultsFile>> check_headers(
    const std::vector<std::string>& inputs) {
  std::vector<std::pair<std::string, ResultsFile>> shards;
  for (const auto& path : inputs) {
    ResultsFile h;
    try {
      h = read_results_header(path);
    } catch (const std::exception& e) {
      throw Refused(e.what());
    }
    if (!h.info.shard)
      throw Refused(
          fmt::format("{} is not a shard file (no shard_index attribute: it was not "
                      "written with --shard)",
                      path));
    shards.emplace_back(path, std::move(h));
  }
  const auto& [first_path, first] = shards.front();
  for (const auto& [path, h] : shards) {
    if (h.info.run_fingerprint != first.info.run_fingerprint)
      throw Refused(fmt::format(
          "{} and {} are shards of different runs (run_fingerprint {} vs {}: the scenario, its "
          "CSV data, the sweep, seed, paths or cascade version differ)",
          first_path, path, first.info.run_fingerprint, h.info.run_fingerprint));
    if (h.info.shard->count != first.info.shard->count ||
        h.info.shard->rows_total != first.info.shard->rows_total)
      throw Refused(
          fmt::format("{} is shard {}/{} but {} is shard {}/{}: the run was split in "
                      "different ways",
                      first_path, first.info.shard->index, first.info.shard->count, path,
                      h.info.shard->index, h.info.shard->count));
  }
  const std::int32_t count = first.info.shard->count;
  std::map<std::int32_t, std::vector<std::string>> by_index;
  for (const auto& [path, h] : shards) by_index[h.info.shard->index].push_back(path);
  for (const auto& [index, files] : by_index)
    if (files.size() > 1)
      throw Refused(fmt::format("shard {}/{} is given more than once: {}", index, count,
                                fmt::join(files, ", ")));
  std::vector<std::int32_t> missing;
  for (std::int32_t k = 0; k < count; ++k)
    if (!by_index.contains(k)) missing.push_back(k);
  if (!missing.empty()) {
    std::vector<std::string> given;
    for (const auto& [index, files] : by_index)
      given.push_back(fmt::format("{} ({})", index, files[0]));
    throw Refused(
        fmt::format("missing shard{} {} of {} (shard indices run from 0 to {}; given: {})",
                    missing.size() == 1 ? "" : "s", fmt::join(missing, ", "), count, count - 1,
                    fmt::join(given, ", ")));
  }
  for (const auto& [path, h] : shards) {
    const ShardInfo& s = *h.info.shard;
    const RowRange expect = block_rows(s.rows_total, s.index, s.count);
    if (s.row_begin != expect.begin || s.row_end != expect.end)
      throw Refused(fmt::format("{} holds rows [{}, {}) but shard {}/{} of {} rows is [{}, {})",
                                path, s.row_begin, s.row_end, s.index, s.count, s.rows_total,
                                expect.begin, expect.end));
  }
  std::sort(shards.begin(), shards.end(), [](const auto& a, const auto& b) {
    return a.second.info.shard->index < b.second.info.shard->index;
  });
  return shards;
}

bool same_positions(const RunResults& a, const RunResults& b) {
  if (a.account_names != b.account_names ||
      a.initial_positions.size() != b.initial_positions.size())
    return false;
  for (std::size_t i = 0; i < a.initial_positions.size(); ++i)
    for (const auto& c : kPositionColumns) {
      const bool equal = std::visit(
          [&](auto field) {
            const auto x = a.initial_positions[i].*field, y = b.initial_positions[i].*field;
            // Bitwise on purpose: NaN equals NaN, and shards of one run hold identical bits.
            // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
            return std::memcmp(&x, &y, sizeof x) == 0;
          },
          c.field);
      if (!equal) return false;
    }
  return true;
}

}  // namespace

int command_merge(const MergeArgs& args, std::ostream& out, std::ostream& err) {
  if (args.inputs.empty()) {
    err << "cascade merge: error: no shard files given\n";
    return 2;
  }
  if (const auto problem = output_path_problem(args.output, args.force, args.inputs)) {
    err << "cascade merge: error: " << *problem << "\n";
    return 2;
  }
  ResultsFile merged;
  std::size_t n_shards = 0;
  try {
    const auto shards = check_headers(args.inputs);
    n_shards = shards.size();
    for (const auto& [path, header] : shards) {
      throw_if_interrupted();
      ResultsFile part;
      try {
        part = read_results(path);
      } catch (const std::exception& e) {
        throw Refused(e.what());
      }
      const ShardInfo& s = *part.info.shard;
      if (part.results.outcomes.size() != static_cast<std::size_t>(s.row_end - s.row_begin))
        throw Refused(fmt::format("{} has {} rows in /summary but claims rows [{}, {})", path,
                                  part.results.outcomes.size(), s.row_begin, s.row_end));
      for (std::size_t i = 0; i < part.results.outcomes.size(); ++i) {
        const auto& o = part.results.outcomes[i];
        if (o.point * part.info.paths + o.path != s.row_begin + static_cast<std::int64_t>(i))
          throw Refused(fmt::format("{}: row {} is (point {}, path {}), not row {} of the grid",
                                    path, i, o.point, o.path,
                                    s.row_begin + static_cast<std::int64_t>(i)));
      }
      if (s.index == 0) {
        merged = std::move(part);
        continue;
      }
      if (part.info.scenario_yaml != merged.info.scenario_yaml ||
          !same_positions(part.results, merged.results))
        throw Refused(
            fmt::format("{} and {} differ in their scenario or initial book although "
                        "their run_fingerprint agrees",
                        shards.front().first, path));
      append_rows(merged.results, std::move(part.results));
    }
  } catch (const Refused& e) {
    err << "cascade merge: error: " << e.what() << "\n";
    return 2;
  } catch (const Interrupted&) {
    err << "\ncascade merge: interrupted; nothing written to " << args.output << "\n";
    return 1;
  }

  RunInfo info = merged.info;
  info.shard.reset();
  info.command_line = args.command_line;
  try {
    write_results(args.output, info, merged.results, args.force, throw_if_interrupted);
  } catch (const Interrupted&) {
    err << "\ncascade merge: interrupted; nothing written to " << args.output << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "cascade merge: error: " << e.what() << "\n";
    return 1;
  }
  if (!args.quiet)
    fmt::print(out, "{}: merged {} shards, {} rows ({} point{} x {} paths) -> {}\n",
               info.scenario_name.empty() ? "(unnamed)" : info.scenario_name, n_shards,
               merged.results.outcomes.size(),
               info.sweep.empty() ? 1 : info.sweep.front().values.size(),
               info.sweep.empty() || info.sweep.front().values.size() == 1 ? "" : "s", info.paths,
               args.output);
  return 0;
}

}  // namespace cascade
