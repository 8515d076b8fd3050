// `cascade compare A.h5 B.h5` / `cascade compare OUT.h5 --point i --point j`: two runs or two
// sweep points side by side (sim/analysis/compare.hpp; docs/analysis.md, "Comparing two runs").
#include "sim/analysis/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "sim/cli/commands.hpp"
#include "sim/results/reader.hpp"

namespace cascade {
namespace {

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The label of point `point` of `file`: "OUT.h5" or "OUT.h5 point 2 (key = 10)".
std::string label(const std::string& path, const ResultsFile& file, std::int64_t point,
                  bool show_point) {
  if (!show_point) return path;
  std::string values;
  for (const auto& axis : file.info.sweep)
    if (point < static_cast<std::int64_t>(axis.values.size()))
      values += fmt::format("{}{} = {}", values.empty() ? "" : ", ", axis.key,
                            axis.values[static_cast<std::size_t>(point)]);
  return fmt::format("{} point {}{}", path, point, values.empty() ? "" : " (" + values + ")");
}

/// The rows of `point` (or, without one, of the file's only point) as a side.
CompareSide side(const std::string& path, const ResultsFile& file,
                 std::optional<std::int64_t> point) {
  const auto by_point = rows_by_point(file.results.outcomes);
  if (by_point.empty()) throw Usage(fmt::format("{} has no paths", path));
  if (!point) {
    if (by_point.size() > 1)
      throw Usage(fmt::format("{} is a sweep of {} points: name the point to compare with --point",
                              path, by_point.size()));
    point = by_point.begin()->first;
  }
  const auto it = by_point.find(static_cast<std::int32_t>(*point));
  if (it == by_point.end())
    throw Usage(fmt::format("--point: error: {} has no rows of sweep point {} (points {} to {})",
                            path, *point, by_point.begin()->first, by_point.rbegin()->first));
  CompareSide s;
  s.label = label(path, file, *point, !file.info.sweep.empty());
  s.seed = file.info.seed;
  s.rows = it->second;
  return s;
}

}  // namespace

int command_compare(const CompareArgs& args, std::ostream& out, std::ostream& err) {
  const std::size_t files = args.inputs.size(), points = args.points.size();
  try {
    if (files < 1 || files > 2)
      throw Usage(
          "cascade compare: error: give two results files, or one with --point i --point j");
    if (files == 1 && points != 2)
      throw Usage(
          "--point: error: comparing within one file needs two --point (e.g. --point 0 --point 3)");
    if (files == 2 && points != 0 && points != 2)
      throw Usage("--point: error: give no --point or one for each file");
  } catch (const Usage& e) {
    err << e.what() << "\n";
    return 2;
  }
  std::vector<ResultsFile> loaded;
  try {
    for (const auto& path : args.inputs) loaded.push_back(read_results(path));
  } catch (const std::exception& e) {
    err << "cascade compare: error: " << e.what() << "\n";
    return 1;
  }
  try {
    const ResultsFile& fa = loaded.front();
    const ResultsFile& fb = loaded.back();
    const std::string& pa = args.inputs.front();
    const std::string& pb = args.inputs.back();
    const auto point = [&](std::size_t i) {
      return points == 2 ? std::optional<std::int64_t>(args.points[i]) : std::nullopt;
    };
    const CompareSide a = side(pa, fa, point(0)), b = side(pb, fb, point(1));
    const Comparison c = compare(a, b);
    out << (args.json ? comparison_json(a, b, c) : comparison_text(a, b, c));
    return 0;
  } catch (const Usage& e) {
    const std::string what = e.what();
    err << (what.rfind("--point", 0) == 0 ? what : "cascade compare: error: " + what) << "\n";
    return 2;
  }
}

}  // namespace cascade
