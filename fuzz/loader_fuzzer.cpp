// libFuzzer harness of the scenario loader: any text, loaded as a scenario file, either loads
// or throws InputError; nothing else (no other exception, no crash, no hang, no sanitizer
// report). And the round trip holds: the resolved scenario, saved, loads to the same resolved
// scenario. Built by the `clang-fuzz` preset (tools/fuzz.sh, docs/robustness.md).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario/input_error.hpp"
#include "sim/scenario/loader.hpp"

namespace {

/// A scratch directory with the CSV files a scenario may name (positions, accounts, replay,
/// depth curve), so that inputs reaching those keys exercise the CSV sections too.
const std::string& scratch() {
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() /
                   ("cascade_fuzz_loader_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::ofstream(d / "positions.csv")
        << "account,asset,side,size,entry_price,margin,mode\na,BTC,long,1,30000,3000,isolated\n"
           "b,BTC,short,2,30000,,cross\n";
    std::ofstream(d / "accounts.csv") << "account,wallet\nb,10000\n";
    std::ofstream(d / "prices.csv") << "time,asset,price\n0,BTC,30000\n60,BTC,29000\n";
    std::ofstream(d / "depth.csv") << "distance,bid_depth,ask_depth\n0.01,1000,1000\n0.02,3000,3000\n";
    return d.string();
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // the bounds that matter scale with the input; keep it fast
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = scratch() + "/s.yaml";
  cascade::Scenario first;
  try {
    first = cascade::load_scenario_text(text, path);
  } catch (const cascade::InputError&) {
    return 0;  // refused with a location: the expected outcome for almost every input
  }
  cascade::Scenario again;
  try {
    again = cascade::load_scenario_text(first.resolved_yaml, path);
  } catch (const cascade::InputError& e) {
    std::fprintf(stderr, "round trip: the resolved scenario does not load: %s\n--- resolved:\n%s\n",
                 e.what(), first.resolved_yaml.c_str());
    std::abort();
  }
  if (again.resolved_yaml != first.resolved_yaml) {
    std::fprintf(stderr, "round trip: resolved text changed\n--- first:\n%s\n--- again:\n%s\n",
                 first.resolved_yaml.c_str(), again.resolved_yaml.c_str());
    std::abort();
  }
  return 0;
}
