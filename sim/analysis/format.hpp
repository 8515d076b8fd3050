#pragma once
// Numbers for reading (`cascade inspect`, `compare`, `solve`, the report): 3 significant digits
// with a k/M/B/T suffix and the unit. Scripts read the HDF5 file or `--json` instead.
#include <string>
#include <string_view>

namespace cascade {

/// Plain number with 3 significant digits and a k/M/B/T suffix from a thousand up.
std::string human_number(double value);

/// A value for reading: "1.23M USD", "-45.6k USD", "12.3 bps", "85.0%" (unit "fraction"),
/// "1.23k" (counts and other units), "-" for NaN.
std::string format_quantity(double value, std::string_view unit);

}  // namespace cascade
