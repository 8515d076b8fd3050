#pragma once
// Plots as inline SVG for the report (sim/analysis/report/report.hpp): a small, dependency-free
// renderer of line, band and bar charts with linear or log axes, so `cascade report` needs no
// Python or browser-side script, and the page makes no request.
#include <string>
#include <vector>

namespace cascade::svg {

struct Line {
  std::vector<double> x, y;
  std::string color;
  std::string label;  ///< in the legend ("" = not listed)
  double width = 1.6;
};

/// A filled band between lo and hi.
struct Band {
  std::vector<double> x, lo, hi;
  std::string color;
  double opacity = 0.25;
  std::string label;
};

/// Bars centred at x, of the given width (in x units).
struct Bars {
  std::vector<double> x, height;
  double width = 1.0;
  std::string color;
  std::string label;
};

struct Plot {
  std::string title, x_label, y_label;
  std::string x_unit, y_unit;  ///< for tick labels (format_quantity units: "USD", "fraction", ...)
  bool log_x = false, log_y = false;
  std::vector<Band> bands;
  std::vector<Bars> bars;
  std::vector<Line> lines;
  std::vector<double> x_markers;  ///< vertical reference lines (e.g. 0)
  int width = 560, height = 320;
};

/// The plot as an <svg> element (no XML prolog, no namespace: inline in HTML). Non-finite
/// values, and non-positive ones on log axes, are left out. A plot with nothing to draw says so.
std::string render(const Plot& plot);

/// The colour of series i (matplotlib's tab10).
const char* palette(std::size_t i);

/// Text escaped for HTML and SVG.
std::string escape(const std::string& text);

}  // namespace cascade::svg
