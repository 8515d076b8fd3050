#include "sim/analysis/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/analysis/format.hpp"

namespace cascade {
namespace {

/// The rows of each side in path order, when both hold the same paths; else empty.
bool align_by_path(const CompareSide& a, const CompareSide& b, Rows& ra, Rows& rb) {
  if (a.seed != b.seed || a.rows.size() != b.rows.size()) return false;
  std::map<std::int64_t, const PathOutcome*> by_path;
  for (const auto* o : b.rows) by_path[o->path] = o;
  if (by_path.size() != b.rows.size()) return false;
  ra.clear();
  rb.clear();
  for (const auto* o : a.rows) {
    const auto it = by_path.find(o->path);
    if (it == by_path.end()) return false;
    ra.push_back(o);
    rb.push_back(it->second);
  }
  return true;
}

std::string pad(const std::string& s, std::size_t width, bool left = true) {
  if (s.size() >= width) return left ? " " + s : s + " ";
  const std::string fill(width - s.size(), ' ');
  return left ? fill + s : s + fill;
}

std::string with_error(double value, double se, std::string_view unit) {
  if (std::isnan(value)) return "-";
  if (std::isnan(se)) return format_quantity(value, unit);
  return fmt::format("{} ± {}", format_quantity(value, unit), format_quantity(se, unit));
}

std::string_view reading_unit(const std::string& unit) {
  return unit == "probability" ? std::string_view("fraction") : std::string_view(unit);
}

}  // namespace

Percentiles percentiles(const std::vector<double>& v) {
  return {percentile(v, 0.05), percentile(v, 0.5), percentile(v, 0.95), mean_estimate(v).value};
}

Comparison compare(const CompareSide& a, const CompareSide& b) {
  Comparison c;
  Rows ra = a.rows, rb = b.rows;
  c.paired = align_by_path(a, b, ra, rb);
  if (!c.paired) {
    ra = a.rows;
    rb = b.rows;
  }
  c.pairing = c.paired ? fmt::format("paired path by path (same seed {}, the same {} paths)",
                                     a.seed, ra.size())
              : a.seed != b.seed
                  ? fmt::format("unpaired (Welch): the seeds differ ({} vs {})", a.seed, b.seed)
                  : "unpaired (Welch): the two sides hold different paths";
  for (auto name : kMainOutcomes) {
    const SummaryMetric* m = summary_metric(name);
    if (m == nullptr) continue;
    const auto va = column(ra, *m), vb = column(rb, *m);
    c.metrics.push_back({m, percentiles(va), percentiles(vb),
                         c.paired ? paired_difference(va, vb) : welch_difference(va, vb)});
  }
  const Scorecard sa = scorecard(ra), sb = scorecard(rb);
  for (std::size_t i = 0; i < std::min(sa.entries.size(), sb.entries.size()); ++i) {
    ScoreComparison s{sa.entries[i], sb.entries[i], {}, false};
    if (s.a.key != s.b.key) continue;  // a vault on one side only
    if (s.a.level == 0.0) {
      const Difference d = c.paired ? paired_difference(s.a.per_path, s.b.per_path)
                                    : welch_difference(s.a.per_path, s.b.per_path);
      s.difference = d.difference;
      s.significant = d.significant;
    } else {
      s.difference.value = s.b.estimate.value - s.a.estimate.value;
      s.difference.stderr_ = std::hypot(s.a.estimate.stderr_, s.b.estimate.stderr_);
      s.significant = s.difference.value != 0.0 &&
                      (s.difference.stderr_ == 0.0 ||
                       std::fabs(s.difference.value) > 1.959963984540054 * s.difference.stderr_);
    }
    c.scores.push_back(std::move(s));
  }
  return c;
}

std::string comparison_text(const CompareSide& a, const CompareSide& b, const Comparison& c) {
  std::string out = fmt::format("compare\n  A  {} ({} paths)\n  B  {} ({} paths)\n  {}\n\n",
                                a.label, a.rows.size(), b.label, b.rows.size(), c.pairing);
  constexpr std::size_t kName = 24, kCol = 13, kDiff = 28;
  out += pad("  outcome", kName + 2, false);
  for (const char* h : {"A p50", "A p95", "B p50", "B p95"}) out += pad(h, kCol);
  out += pad("B - A (mean) ± stderr", kDiff) + "  significant\n";
  for (const auto& m : c.metrics) {
    out += "  " + pad(m.metric->name, kName, false);
    for (double x : {m.a.p50, m.a.p95, m.b.p50, m.b.p95})
      out += pad(format_quantity(x, m.metric->unit), kCol);
    out += pad(
        with_error(m.difference.difference.value, m.difference.difference.stderr_, m.metric->unit),
        kDiff);
    out += m.difference.significant ? "  yes\n" : "  no\n";
  }
  out += "\n" + pad("  risk scorecard", kName + 2, false) + pad("A", kDiff) + pad("B", kDiff) +
         pad("B - A", kDiff) + "  significant\n";
  for (const auto& s : c.scores) {
    const auto unit = reading_unit(s.a.unit);
    out += "  " + pad(s.a.label, kName, false) +
           pad(with_error(s.a.estimate.value, s.a.estimate.stderr_, unit), kDiff) +
           pad(with_error(s.b.estimate.value, s.b.estimate.stderr_, unit), kDiff) +
           pad(with_error(s.difference.value, s.difference.stderr_, unit), kDiff) +
           (s.significant ? "  yes\n" : "  no\n");
  }
  out += "\n  ± is one Monte Carlo standard error; significant: |B - A| > t(97.5%) x stderr\n";
  return out;
}

std::string json_number(double x) {
  if (!std::isfinite(x)) return "null";
  return fmt::format("{}", x);  // the shortest text that reads back to x
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<int>(ch));
        else
          out += ch;
    }
  }
  return out + "\"";
}

std::string comparison_json(const CompareSide& a, const CompareSide& b, const Comparison& c) {
  const auto side = [](const Percentiles& p) {
    return fmt::format(R"({{"p5": {}, "p50": {}, "p95": {}, "mean": {}}})", json_number(p.p5),
                       json_number(p.p50), json_number(p.p95), json_number(p.mean));
  };
  std::string out = fmt::format(R"({{"a": {}, "b": {}, "paired": {}, "pairing": {}, "metrics": {{)",
                                json_string(a.label), json_string(b.label),
                                c.paired ? "true" : "false", json_string(c.pairing));
  for (std::size_t i = 0; i < c.metrics.size(); ++i) {
    const auto& m = c.metrics[i];
    out += fmt::format(
        R"({}{}: {{"unit": {}, "a": {}, "b": {}, "difference": {}, "stderr": {}, "significant": {}}})",
        i ? ", " : "", json_string(m.metric->name), json_string(m.metric->unit), side(m.a),
        side(m.b), json_number(m.difference.difference.value),
        json_number(m.difference.difference.stderr_), m.difference.significant ? "true" : "false");
  }
  out += R"(}, "scorecard": {)";
  for (std::size_t i = 0; i < c.scores.size(); ++i) {
    const auto& s = c.scores[i];
    out += fmt::format(
        R"({}{}: {{"unit": {}, "a": {}, "a_stderr": {}, "b": {}, "b_stderr": {}, "difference": {}, "stderr": {}, "significant": {}}})",
        i ? ", " : "", json_string(s.a.key), json_string(s.a.unit), json_number(s.a.estimate.value),
        json_number(s.a.estimate.stderr_), json_number(s.b.estimate.value),
        json_number(s.b.estimate.stderr_), json_number(s.difference.value),
        json_number(s.difference.stderr_), s.significant ? "true" : "false");
  }
  return out + "}}\n";
}

}  // namespace cascade
