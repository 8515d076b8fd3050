// `cascade sweep`: a run over a grid of scenario values, given as `--param KEY --values A,B,C`
// (repeatable; several form a grid) or as the scenario's `sweep:` block. Points, rows, shards and
// MPI: sim/ensemble/sweep.hpp and sim/cli/job.cpp.
#include "sim/cli/commands.hpp"
#include "sim/ensemble/sweep.hpp"
#include "sim/cli/job.hpp"

namespace cascade {

int command_sweep(const SweepArgs& args, std::ostream& out, std::ostream& err) {
  try {
    std::optional<ShardSelector> shard;
    if (!args.shard.empty()) shard = parse_shard(args.shard);
    const SweepSpec cli = parse_sweep_arguments(args.params, args.values);
    const SweepJob job =
        prepare_sweep_job(args.scenario, run_overrides(args), &cli, true, args.independent_points);
    if (job.spec.empty()) {
      err << "cascade sweep: error: nothing to sweep: give --param KEY --values A,B,... or a "
             "sweep: block in "
          << args.scenario << "\n";
      return 2;
    }
    return execute_job(job, args, shard, "sweep", out, err);
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return 2;
  }
}

}  // namespace cascade
