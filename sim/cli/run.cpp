// `cascade run`: a plain run (one sweep point), optionally one shard of it, optionally over MPI
// ranks. The work is sim/cli/job.cpp's, shared with `cascade sweep`.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "sim/cli/commands.hpp"
#include "sim/ensemble/sweep.hpp"
#include "sim/cli/job.hpp"
#include "sim/ensemble/interrupt.hpp"
#include "sim/results/writer.hpp"

namespace cascade {

int command_run(const RunArgs& args, std::ostream& out, std::ostream& err) {
  try {
    std::optional<ShardSelector> shard;
    if (!args.shard.empty()) shard = parse_shard(args.shard);
    const std::vector<std::string> overrides = run_overrides(args);
    const SweepJob job = prepare_sweep_job(args.scenario, overrides, nullptr, false);
    if (!args.quiet && !load_sweep_block(args.scenario, overrides).empty())
      err << "cascade run: note: " << args.scenario
          << " has a sweep: block; `cascade run` runs the base scenario only (use `cascade sweep` "
             "to run the sweep)\n";
    return execute_job(job, args, shard, "run", out, err);
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return 2;
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = temporary_path(path);
  std::error_code ec;
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    f << text;
    if (!f.flush()) {
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error("cannot write " + tmp);
    }
  }
  if (interrupted()) {
    std::filesystem::remove(tmp, ec);
    throw Interrupted();
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
}

}  // namespace cascade
