#pragma once
// Errors in user input: scenario YAML, CSV files, command-line overrides.
//
// Every input problem is reported once, at the boundary, as `FILE:LINE:COL: error: MESSAGE`
// (LINE and COL 1-based; COL 0 is omitted for CSV errors that name a whole row). The command
// line maps InputError to exit status 2; nothing downstream of the loader throws it.
#include <stdexcept>
#include <string>

namespace cascade {

/// Where a value came from: a file (or the pseudo-file `--set` for command-line overrides),
/// 1-based line and column. line == 0 means "the file as a whole".
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;
};

class InputError : public std::runtime_error {
 public:
  InputError(SourceLoc loc, const std::string& message)
      : std::runtime_error(format(loc, message)), loc_(std::move(loc)), message_(message) {}

  const SourceLoc& where() const noexcept { return loc_; }
  const std::string& message() const noexcept { return message_; }

  static std::string format(const SourceLoc& loc, const std::string& message) {
    // Built with append(): GCC 12 at -O3 reports a false -Wrestrict on `":" + std::string`.
    std::string out(loc.file);
    if (loc.line > 0) {
      out.append(1, ':').append(std::to_string(loc.line));
      if (loc.col > 0) out.append(1, ':').append(std::to_string(loc.col));
    }
    out.append(": error: ").append(message);
    return out;
  }

 private:
  SourceLoc loc_;
  std::string message_;
};

}  // namespace cascade
