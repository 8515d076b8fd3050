#pragma once
// Errors in user input: scenario YAML, CSV files, command-line overrides.
//
// Every input problem is reported once, at the boundary, as `FILE:LINE:COL: error: MESSAGE`
// (LINE and COL 1-based; COL 0 is omitted for CSV errors that name a whole row). The command
// line maps InputError to exit status 2; nothing downstream of the loader throws it.
#include <stdexcept>
#include <string>
#include <string_view>

namespace cascade {

/// Where a value came from: a file (or the pseudo-file `--set` for command-line overrides),
/// 1-based line and column. line == 0 means "the file as a whole".
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;
};

/// A value as an error message quotes it: at most `max` bytes (cut at a UTF-8 character
/// boundary), then "..." and the full length, so that an 8 MB field makes a short message.
inline std::string echo(std::string_view text, std::size_t max = 60) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

class InputError : public std::runtime_error {
 public:
  /// Messages are capped (kMaxMessage bytes) whatever they quote: a key path or a name taken
  /// from the input may be arbitrarily long.
  static constexpr std::size_t kMaxMessage = 1000;

  InputError(SourceLoc loc, const std::string& message)
      : std::runtime_error(format(cap(loc), echo(message, kMaxMessage))),
        loc_(cap(std::move(loc))),
        message_(echo(message, kMaxMessage)) {}

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
  static SourceLoc cap(SourceLoc loc) {
    loc.file = echo(loc.file, 400);
    return loc;
  }

  SourceLoc loc_;
  std::string message_;
};

}  // namespace cascade
