// `cascade report OUT.h5 -o report.html`: the self-contained HTML report of a results file
// (sim/analysis/report/report.hpp), written atomically.
#include "sim/analysis/report/report.hpp"

#include <filesystem>

#include "sim/cli/commands.hpp"
#include "sim/cli/output_path.hpp"
#include "sim/results/reader.hpp"

namespace cascade {

int command_report(const ReportArgs& args, std::ostream& out, std::ostream& err) {
  if (const auto problem = output_path_problem(args.output, args.force, {args.input})) {
    err << "cascade report: error: " << *problem << "\n";
    return 2;
  }
  ResultsFile file;
  try {
    file = read_results(args.input);
  } catch (const std::exception& e) {
    err << "cascade report: error: " << e.what() << "\n";
    return 1;
  }
  try {
    write_file_atomically(args.output, render_report(file, args.input));
  } catch (const std::exception& e) {
    err << "cascade report: error: " << e.what() << "\n";
    return 1;
  }
  if (!args.quiet) out << "report of " << args.input << " -> " << args.output << "\n";
  return 0;
}

}  // namespace cascade
