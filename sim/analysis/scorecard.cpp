#include "sim/analysis/scorecard.hpp"

#include <algorithm>
#include <cmath>

namespace cascade {
namespace {

std::vector<double> values_of(const Rows& rows, std::string_view name) {
  const SummaryMetric* m = summary_metric(name);
  if (m == nullptr) return std::vector<double>(rows.size(), std::nan(""));
  return column(rows, *m);
}

/// 1 where `event` holds, 0 where not, NaN where the value is NaN.
template <class Event>
std::vector<double> indicator(const std::vector<double>& v, Event event) {
  std::vector<double> out(v.size());
  std::transform(v.begin(), v.end(), out.begin(),
                 [&](double x) { return std::isnan(x) ? x : (event(x) ? 1.0 : 0.0); });
  return out;
}

void add_probability(Scorecard& card, std::string key, std::string label,
                     std::vector<double> per_path) {
  ScoreEntry e{std::move(key), std::move(label), "probability", {}, std::move(per_path)};
  e.estimate = score_estimate(e, e.per_path);
  card.entries.push_back(std::move(e));
}

void add_tail(Scorecard& card, const std::string& key, const std::string& label,
              const std::vector<double>& losses) {
  for (double level : {0.95, 0.99})
    for (bool es : {false, true}) {
      const int pct = static_cast<int>(std::lround(100 * level));
      ScoreEntry e{key + (es ? "_es" : "_var") + std::to_string(pct),
                   label + (es ? " ES " : " VaR ") + std::to_string(pct) + "%",
                   "USD",
                   {},
                   losses,
                   level,
                   es};
      e.estimate = score_estimate(e, e.per_path);
      card.entries.push_back(std::move(e));
    }
}

bool has_vault(const std::vector<double>& equity, const std::vector<double>& pnl) {
  const auto used = [](double x) { return !std::isnan(x) && x != 0.0; };
  return std::any_of(equity.begin(), equity.end(), used) ||
         std::any_of(pnl.begin(), pnl.end(), used);
}

}  // namespace

Estimate score_estimate(const ScoreEntry& like, const std::vector<double>& per_path) {
  if (like.level == 0.0) return probability(per_path, [](double x) { return x > 0.5; });
  const TailRisk t = tail_risk(per_path, like.level);
  return like.expected_shortfall ? t.es : t.var;
}

Scorecard scorecard(const Rows& rows) {
  Scorecard card;
  const auto fund_min = values_of(rows, "insurance_fund_min");
  const auto fund_start = values_of(rows, "insurance_fund_start");
  std::vector<double> draw(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) draw[i] = fund_start[i] - fund_min[i];
  add_probability(card, "p_fund_exhausted", "P(insurance fund exhausted)",
                  indicator(fund_min, [](double x) { return x <= 0.0; }));
  add_tail(card, "fund_draw", "fund draw", draw);
  const auto bad_debt = values_of(rows, "bad_debt");
  add_probability(card, "p_bad_debt", "P(bad debt)",
                  indicator(bad_debt, [](double x) { return x > 0.0; }));
  add_tail(card, "bad_debt", "bad debt", bad_debt);
  add_probability(card, "p_any_adl", "P(any ADL)",
                  indicator(values_of(rows, "adl_count"), [](double x) { return x > 0.0; }));

  const auto equity = values_of(rows, "vault_min_equity");
  const auto pnl = values_of(rows, "vault_pnl");
  if (has_vault(equity, pnl)) {
    add_probability(card, "p_vault_exhausted", "P(vault exhausted)",
                    indicator(equity, [](double x) { return x <= 0.0; }));
    std::vector<double> loss(pnl.size());
    std::transform(pnl.begin(), pnl.end(), loss.begin(),
                   [](double x) { return std::isnan(x) ? x : std::max(0.0, -x); });
    add_tail(card, "vault_loss", "vault loss", loss);
  }
  return card;
}

}  // namespace cascade
