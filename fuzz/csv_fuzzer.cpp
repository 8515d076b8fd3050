// libFuzzer harness of the CSV readers: the tokenizer (parse_csv, bind_columns) on any bytes,
// then the same bytes as each table a scenario reads (positions, accounts, price replay, depth
// curve) through the loader. Either it loads or it throws InputError with a location; nothing
// else. Built by the `clang-fuzz` preset (tools/fuzz.sh, docs/robustness.md).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario/csv.hpp"
#include "sim/scenario/input_error.hpp"
#include "sim/scenario/loader.hpp"

namespace {

const std::string& scratch() {
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() /
                   ("cascade_fuzz_csv_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

constexpr const char* kExchange = "dt: 60\nexchange: {profile: binance}\n";
constexpr const char* kAsset =
    "assets:\n  BTC:\n    price: 30000\n"
    "    tiers:\n      - {floor: 0, max_leverage: 125, mmr: 0.004}\n";

void load_with(const std::string& csv, const std::string& name, const std::string& yaml) {
  std::ofstream(scratch() + "/" + name, std::ios::binary | std::ios::trunc) << csv;
  try {
    cascade::load_scenario_text(kExchange + yaml, scratch() + "/s.yaml");
  } catch (const cascade::InputError& e) {
    if (e.where().file.empty()) std::abort();  // every error names its file
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  const std::string csv(reinterpret_cast<const char*>(data), size);
  try {
    const cascade::CsvTable t = cascade::parse_csv(csv, "f.csv");
    for (const auto& row : t.rows)
      if (row.fields.size() != t.header.fields.size()) std::abort();
    (void)cascade::bind_columns(t, {"time", "asset", "price"});
  } catch (const cascade::InputError& e) {
    if (e.where().line < 1) std::abort();  // every tokenizer error has a line
  }
  static const bool ready = [] {
    std::ofstream(scratch() + "/p.csv")
        << "account,asset,side,size,entry_price,margin,mode\nb,BTC,short,2,30000,,cross\n";
    return true;
  }();
  (void)ready;
  const std::string asset = kAsset;
  load_with(csv, "positions.csv", asset + "positions: {file: positions.csv}\n");
  load_with(csv, "accounts.csv", asset + "positions: {file: p.csv, accounts: accounts.csv}\n");
  load_with(csv, "prices.csv", asset + "replay: prices.csv\n");
  load_with(csv, "depth.csv",
            "assets:\n  BTC:\n    price: 30000\n    book: {depth_curve: depth.csv}\n"
            "    tiers:\n      - {floor: 0, max_leverage: 125, mmr: 0.004}\n");
  return 0;
}
