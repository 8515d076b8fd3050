#pragma once
// `cascade report OUT.h5 -o report.html`: one self-contained HTML page a risk committee can open
// offline and print (docs/analysis.md, "The report"): provenance (scenario, its YAML, seed,
// version, command line), the risk scorecard, outcome tables with percentiles per asset, and the
// plots — loss CCDF, sweep curves with bands, price fan, liquidation map, cascade depth, fund
// (and vault) paths, ADL outcomes — drawn as inline SVG here (sim/analysis/report/svg.hpp).
// No script, no external resource (a Content-Security-Policy of default-src 'none' says so to
// the browser), print CSS for paper. Works from the read-back results only: the results writer
// knows nothing of it.
#include <string>
#include <vector>

#include "sim/analysis/report/svg.hpp"
#include "sim/results/reader.hpp"

namespace cascade {

struct Figure {
  std::string id;       ///< the figure's element id, e.g. "loss-ccdf", "price-fan-AIX"
  std::string caption;  ///< what it shows, under the plot
  svg::Plot plot;
};

/// The report's figures, in page order; those that do not apply (a sweep curve of a plain run,
/// a price fan without recorded paths) are left out.
std::vector<Figure> report_figures(const ResultsFile& file);

/// The whole page. `source` is the results file's path as given (shown in the provenance).
std::string render_report(const ResultsFile& file, const std::string& source);

}  // namespace cascade
