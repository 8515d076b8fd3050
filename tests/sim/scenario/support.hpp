#pragma once
// Shared by the scenario loader tests: scratch directories, a valid base scenario to edit, and
// checks of an InputError's location and message.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/scenario/loader.hpp"

namespace cascade::test {

inline const std::string kData = std::string(CASCADE_TEST_DATA) + "/loader";

/// A scratch directory for one test, removed at the end.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("cascade_loader_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `text` to `name` in the directory; returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

/// The message of the InputError that loading throws ("" and a failed check if none).
inline std::string error_of(const std::string& path,
                            const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario(path, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError for " << path);
  return "";
}

inline bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}
inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

/// Loads `yaml` from a temporary file and checks that the error is at `where` ("LINE:COL" in
/// that file, or "--set:N:COL") and that its message contains `part`.
inline void expect_error(const std::string& yaml, const std::string& where, const std::string& part,
                         const std::vector<std::string>& overrides = {}) {
  TempDir tmp;
  const std::string file = tmp.write("s.yaml", yaml);
  const std::string msg = error_of(file, overrides);
  INFO("message: " << msg);
  const std::string loc = starts_with(where, "--set") ? where : file + ":" + where;
  CHECK(starts_with(msg, loc + ": error: "));
  CHECK(contains(msg, part));
}

// A valid base scenario, lines 1-8; error cases append to it (line 9 on) or edit it.
inline const std::string kHead =
    "exchange:\n"
    "  profile: binance\n"
    "assets:\n"
    "  BTC:\n";
inline const std::string kTiers =
    "    tiers:\n"
    "      - {floor: 0, max_leverage: 125, mmr: 0.004}\n"
    "      - {floor: 50000, max_leverage: 100, mmr: 0.005}\n";
inline const std::string kBase = kHead + "    price: 30000\n" + kTiers;

inline const std::string kPosHeader = "account,asset,side,size,entry_price,margin,mode\n";

}  // namespace cascade::test
