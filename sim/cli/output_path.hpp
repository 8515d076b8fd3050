#pragma once
// The output path of a command, checked before anything is computed.
//
// A run may take hours; an output it cannot write must fail in the first millisecond, not
// after the last path. And `--force` replaces a regular file only: never a directory, a FIFO or
// a device, and never a file the run reads (the scenario, its CSVs, a shard being merged),
// however it is named (the same device and inode, through links or `..`).
#include <optional>
#include <string>
#include <vector>

namespace cascade {

/// Why `output` cannot be written, or nullopt when it can. Creates its missing parent
/// directories (so that a parent that cannot be created is found now). `inputs` are the files
/// the command reads. Uses only the error-code forms of std::filesystem: never throws for a
/// path the user gave.
std::optional<std::string> output_path_problem(const std::string& output, bool force,
                                               const std::vector<std::string>& inputs);


}  // namespace cascade
