#include "sim/cli/output_path.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

namespace cascade {

namespace fs = std::filesystem;

namespace {

struct FileId {
  dev_t dev;
  ino_t ino;
};

std::optional<FileId> file_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

/// A path as a message quotes it: an over-long one is cut (the message says how long it is).
std::string show(const std::string& path) {
  return path.size() <= 120 ? path : path.substr(0, 100) + "...";
}

}  // namespace

std::optional<std::string> output_path_problem(const std::string& output, bool force,
                                               const std::vector<std::string>& inputs) {
  if (output.empty()) return "the output file name is empty";
  const fs::path out(output);
  if (!out.has_filename() || out.filename() == "." || out.filename() == "..")
    return fmt::format("{}: names a directory, not a file", show(output));

  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  const long name_max_or_0 = ::pathconf(parent.c_str(), _PC_NAME_MAX);
  const std::size_t name_max =
      name_max_or_0 > 0 ? static_cast<std::size_t>(name_max_or_0) : std::size_t{NAME_MAX};
  const std::string name = out.filename().string();
  if (name.size() > name_max)
    return fmt::format("{}: the file name is {} bytes, longer than the {} the file system allows",
                       show(output), name.size(), name_max);
  if (output.size() >= PATH_MAX)
    return fmt::format("{}: the path is {} bytes, longer than the {} the system allows",
                       show(output), output.size(), PATH_MAX - 1);

  std::error_code ec;
  const fs::file_status link = fs::symlink_status(out, ec);
  const bool exists = !ec && fs::exists(link);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return fmt::format("{}: {}", show(output), ec.message());
  if (exists) {
    if (fs::is_directory(link)) return fmt::format("{}: is a directory", show(output));
    if (!force) return fmt::format("{} exists (use --force to overwrite)", show(output));
    const fs::file_status target = fs::status(out, ec);
    if (ec || !fs::exists(target))
      return fmt::format("{}: is a symbolic link to nothing (a dangling link); remove it first",
                         show(output));
    if (!fs::is_regular_file(target))
      return fmt::format("{}: exists and is not a regular file (a directory, FIFO, socket or "
                         "device); --force replaces regular files only",
                         show(output));
    if (const auto id = file_id(output))
      for (const std::string& in : inputs)
        if (const auto other = file_id(in); other && other->dev == id->dev && other->ino == id->ino)
          return fmt::format("{}: is an input of this command ({}); refusing to overwrite it",
                             show(output), show(in));
  }

  const fs::file_status ps = fs::status(parent, ec);
  if (!ec && fs::exists(ps)) {
    if (!fs::is_directory(ps))
      return fmt::format("{}: {} is not a directory", show(output), show(parent.string()));
  } else {
    fs::create_directories(parent, ec);
    if (ec)
      return fmt::format("{}: cannot create the directory {}: {}", show(output),
                         show(parent.string()), ec.message());
  }
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    return fmt::format("{}: cannot write in the directory {}: {}", show(output),
                       show(parent.string()), std::strerror(errno));
  return std::nullopt;
}

}  // namespace cascade
