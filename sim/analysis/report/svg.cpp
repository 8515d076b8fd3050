#include "sim/analysis/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "sim/analysis/format.hpp"

namespace cascade::svg {
namespace {

constexpr double kLeft = 74, kRight = 16, kTop = 30, kBottom = 46;

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double to_unit(double v) const {
    const double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
    const double x = log ? std::log10(v) : v;
    return b > a ? (x - a) / (b - a) : 0.5;
  }
};

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

/// The data range on one axis, padded; [lo, hi] with lo < hi.
Axis axis_of(std::vector<double> values, bool log, bool include_zero) {
  Axis a;
  a.log = log;
  std::erase_if(values, [&](double v) { return !usable(v, log); });
  if (include_zero && !log) values.push_back(0.0);
  if (values.empty()) return a;
  a.lo = *std::min_element(values.begin(), values.end());
  a.hi = *std::max_element(values.begin(), values.end());
  if (log) {
    a.lo = std::pow(10.0, std::floor(std::log10(a.lo)));
    a.hi = std::pow(10.0, std::ceil(std::log10(a.hi)));
    if (a.hi <= a.lo) a.hi = a.lo * 10.0;
  } else if (a.hi <= a.lo) {
    const double pad = a.lo == 0.0 ? 1.0 : std::fabs(a.lo) * 0.1;
    a.lo -= pad;
    a.hi += pad;
  } else {
    const double pad = 0.04 * (a.hi - a.lo);
    if (!(include_zero && a.lo == 0.0)) a.lo -= pad;
    a.hi += pad;
  }
  return a;
}

/// "Nice" ticks: 1, 2, 5 x 10^k steps on a linear axis, powers of ten on a log one.
std::vector<double> ticks(const Axis& a) {
  std::vector<double> out;
  if (a.log) {
    for (double v = a.lo; v <= a.hi * 1.0001; v *= 10.0) out.push_back(v);
    return out;
  }
  const double raw = (a.hi - a.lo) / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(a.lo / step) * step; v <= a.hi + 1e-9 * step; v += step)
    out.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
  return out;
}

std::string tick_label(double v, const std::string& unit) {
  if (unit == "fraction") return format_quantity(v, unit);
  return human_number(v);
}

}  // namespace

const char* palette(std::size_t i) {
  static constexpr std::array<const char*, 10> kTab10 = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                         "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                         "#bcbd22", "#17becf"};
  return kTab10[i % kTab10.size()];
}

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render(const Plot& p) {
  std::vector<double> xs, ys;
  for (const auto& b : p.bands) {
    xs.insert(xs.end(), b.x.begin(), b.x.end());
    ys.insert(ys.end(), b.lo.begin(), b.lo.end());
    ys.insert(ys.end(), b.hi.begin(), b.hi.end());
  }
  for (const auto& b : p.bars) {
    for (double x : b.x) {
      xs.push_back(x - 0.5 * b.width);
      xs.push_back(x + 0.5 * b.width);
    }
    ys.insert(ys.end(), b.height.begin(), b.height.end());
  }
  for (const auto& l : p.lines) {
    xs.insert(xs.end(), l.x.begin(), l.x.end());
    ys.insert(ys.end(), l.y.begin(), l.y.end());
  }
  const bool empty =
      std::none_of(ys.begin(), ys.end(), [&](double v) { return usable(v, p.log_y); });
  const Axis ax = axis_of(xs, p.log_x, false), ay = axis_of(ys, p.log_y, !p.bars.empty());
  const double w = p.width, h = p.height, pw = w - kLeft - kRight, ph = h - kTop - kBottom;
  const auto X = [&](double v) { return kLeft + pw * ax.to_unit(v); };
  const auto Y = [&](double v) { return kTop + ph * (1.0 - ay.to_unit(v)); };

  std::string s = fmt::format(
      R"(<svg class="plot" viewBox="0 0 {0} {1}" width="{0}" height="{1}" role="img" aria-label="{2}">)",
      p.width, p.height, escape(p.title));
  s += fmt::format(R"(<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>)", p.width,
                   p.height);
  s += fmt::format(R"(<text x="{}" y="18" class="title">{}</text>)", w / 2, escape(p.title));
  if (empty) {
    s += fmt::format(R"(<text x="{}" y="{}" class="note">nothing to show</text></svg>)", w / 2,
                     h / 2);
    return s;
  }
  // Grid and ticks.
  for (double t : ticks(ax)) {
    const double x = X(t);
    s += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" class="grid"/>)",
                     x, kTop, kTop + ph);
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="middle">{}</text>)",
                     x, kTop + ph + 14, escape(tick_label(t, p.x_unit)));
  }
  for (double t : ticks(ay)) {
    const double y = Y(t);
    s += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{2:.1f}" y2="{1:.1f}" class="grid"/>)",
                     kLeft, y, kLeft + pw);
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="end">{}</text>)",
                     kLeft - 5, y + 3.5, escape(tick_label(t, p.y_unit)));
  }
  s += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="frame"/>)", kLeft, kTop, pw,
                   ph);
  s += fmt::format(R"(<text x="{}" y="{}" class="label" text-anchor="middle">{}</text>)",
                   kLeft + pw / 2, h - 8, escape(p.x_label));
  s += fmt::format(
      R"svg(<text x="14" y="{0}" class="label" text-anchor="middle" transform="rotate(-90 14 {0})">{1}</text>)svg",
      kTop + ph / 2, escape(p.y_label));

  for (const auto& b : p.bands) {
    std::string pts;
    for (std::size_t i = 0; i < b.x.size(); ++i)
      if (usable(b.x[i], p.log_x) && usable(b.hi[i], p.log_y))
        pts += fmt::format("{:.1f},{:.1f} ", X(b.x[i]), Y(b.hi[i]));
    for (std::size_t i = b.x.size(); i-- > 0;)
      if (usable(b.x[i], p.log_x) && usable(b.lo[i], p.log_y))
        pts += fmt::format("{:.1f},{:.1f} ", X(b.x[i]), Y(b.lo[i]));
    s += fmt::format(R"(<polygon points="{}" fill="{}" fill-opacity="{}" stroke="none"/>)", pts,
                     b.color, b.opacity);
  }
  for (const auto& b : p.bars)
    for (std::size_t i = 0; i < b.x.size(); ++i) {
      if (!(b.height[i] > 0) || !usable(b.x[i], p.log_x)) continue;
      const double x0 = X(b.x[i] - 0.5 * b.width), x1 = X(b.x[i] + 0.5 * b.width);
      const double y0 = Y(std::max(ay.lo, 0.0)), y1 = Y(b.height[i]);
      s += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"/>)",
                       x0, y1, std::max(x1 - x0, 0.8), std::max(y0 - y1, 0.0), b.color);
    }
  for (double m : p.x_markers)
    if (usable(m, p.log_x) && m >= ax.lo && m <= ax.hi)
      s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" class="marker"/>)",
                       X(m), kTop, kTop + ph);
  for (const auto& l : p.lines) {
    std::string pts;
    for (std::size_t i = 0; i < l.x.size(); ++i)
      if (usable(l.x[i], p.log_x) && usable(l.y[i], p.log_y))
        pts += fmt::format("{:.1f},{:.1f} ", X(l.x[i]), Y(l.y[i]));
    s += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"/>)", pts,
                     l.color, l.width);
  }
  // Legend, top right inside the frame.
  std::vector<std::pair<std::string, std::string>> legend;
  for (const auto& b : p.bands)
    if (!b.label.empty()) legend.emplace_back(b.label, b.color);
  for (const auto& b : p.bars)
    if (!b.label.empty()) legend.emplace_back(b.label, b.color);
  for (const auto& l : p.lines)
    if (!l.label.empty()) legend.emplace_back(l.label, l.color);
  double y = kTop + 12;
  for (const auto& [label, color] : legend) {
    s += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="10" height="10" fill="{}"/>)",
                     kLeft + pw - 150, y - 9, color);
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" class="legend">{}</text>)", kLeft + pw - 136, y,
                     escape(label));
    y += 14;
  }
  return s + "</svg>";
}

}  // namespace cascade::svg
