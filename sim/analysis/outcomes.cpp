#include "sim/analysis/outcomes.hpp"

namespace cascade {

const SummaryMetric* summary_metric(std::string_view name) {
  for (const auto& m : kSummaryMetrics)
    if (name == m.name) return &m;
  return nullptr;
}

const AssetMetric* asset_metric(std::string_view name) {
  for (const auto& m : kAssetMetrics)
    if (name == m.name) return &m;
  return nullptr;
}

std::vector<double> column(const Rows& rows, const SummaryMetric& metric) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (const auto* o : rows) v.push_back(metric.value(*o));
  return v;
}

std::vector<double> column(const Rows& rows, const AssetMetric& metric, std::size_t asset) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (const auto* o : rows) v.push_back(metric.value(*o, asset));
  return v;
}

std::map<std::int32_t, Rows> rows_by_point(const std::vector<PathOutcome>& outcomes) {
  std::map<std::int32_t, Rows> out;
  for (const auto& o : outcomes) out[o.point].push_back(&o);
  return out;
}

}  // namespace cascade
