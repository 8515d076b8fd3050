#include "sim/analysis/format.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace cascade {

std::string human_number(double value) {
  const double a = std::fabs(value);
  if (a == 0.0) return "0";
  if (a < 1e-2) return fmt::format("{:.2e}", value);
  if (a < 999.5) return fmt::format("{:.3g}", value);
  constexpr std::array<const char*, 4> kSuffix = {"k", "M", "B", "T"};
  double scaled = value;
  for (const char* suffix : kSuffix) {
    scaled /= 1000.0;
    const double s = std::fabs(scaled);
    if (s < 999.5) {
      const int decimals = s < 9.995 ? 2 : (s < 99.95 ? 1 : 0);
      return fmt::format("{:.{}f}{}", scaled, decimals, suffix);
    }
  }
  return fmt::format("{:.2e}", value);
}

std::string format_quantity(double value, std::string_view unit) {
  if (std::isnan(value)) return "-";
  if (unit == "fraction") {
    const double pct = 100.0 * value;
    if (pct != 0.0 && std::fabs(pct) < 0.1) return fmt::format("{:.2e}%", pct);
    return fmt::format("{:.1f}%", pct);
  }
  if (unit == "USD" || unit == "bps") return fmt::format("{} {}", human_number(value), unit);
  return human_number(value);
}

}  // namespace cascade
