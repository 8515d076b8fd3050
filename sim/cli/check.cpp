// `cascade check`: validate a scenario and print the resolved plan.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <thread>

#include "sim/cli/load.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/inspect.hpp"
#include "sim/cli/memory_estimate.hpp"
#include "sim/results/schema.hpp"

namespace cascade {

int command_check(const ScenarioArgs& args, std::ostream& out, std::ostream& err) {
  const auto sc = load_or_report(args.scenario, args.overrides, err);
  if (!sc) return 2;
  std::int64_t sampled = 0;
  for (const auto& a : sc->assets) sampled += a.population ? a.population->count : 0;
  const std::int64_t per_path = static_cast<std::int64_t>(sc->positions.size()) + sampled;

  fmt::print(out, "{}: valid\n", args.scenario);
  fmt::print(out, "  horizon: {} steps x {} s = {:.2f} h; {} paths, seed {}\n", sc->steps, sc->dt_s,
             sc->steps * sc->dt_s / 3600.0, sc->paths, sc->seed);
  fmt::print(out, "  exchange: {}, liquidation fee {:.3g} %, insurance fund {}\n", sc->exchange.profile,
             100.0 * sc->exchange.liquidation_fee, format_quantity(sc->exchange.insurance_fund_usd, "USD"));
  fmt::print(out, "  prices: {}\n", sc->replay ? "replay " + sc->replay->file : std::string("simulated"));
  fmt::print(out, "  assets:\n");
  for (const auto& a : sc->assets) {
    fmt::print(out, "    {:<8} price {:<12.6g} vol {:>5.0f} %  depth(1%) {:>10}  beta {:.2g}  tiers {}",
               a.name, a.price_usd, 100.0 * a.process.volatility_annual,
               format_quantity(a.book.depth_1pct_usd, "USD"), a.book.beta, a.tiers.rows().size());
    if (a.population)
      fmt::print(out, "  population {} ({:.0f} % long, {:.1f}x mean leverage)", a.population->count,
                 100.0 * a.population->long_share, a.population->leverage_mean);
    fmt::print(out, "\n");
  }
  for (const auto& s : sc->shocks) {
    std::string names;
    for (int k : s.assets) names += (names.empty() ? "" : ",") + sc->assets[static_cast<std::size_t>(k)].name;
    fmt::print(out, "  shock: {:+.1f} % on {} at {} s over {} s\n", 100.0 * s.move, names, s.at_s, s.over_s);
  }
  fmt::print(out, "  positions per path: {} ({} from file, {} sampled {})\n", per_path,
             sc->positions.size(), sampled, sc->sample == SampleMode::PerRun ? "once per run" : "per path");
  // Memory, in 64-bit and with every part that grows with a key (sim/cli/memory_estimate.hpp),
  // for a run on all cores.
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const MemoryEstimate mem = estimate_memory(*sc, sc->paths, threads);
  fmt::print(out, "  estimated memory: {} for a run on {} threads (largest: {}, driven by `{}`)",
             format_bytes(mem.total), threads, mem.largest().what, mem.largest().key);
  fmt::print(out, "\n  output: events {}, time series for {} path(s)\n", sc->output.events ? "on" : "off",
             sc->output.timeseries_paths.size());
  const std::uint64_t machine = machine_memory_bytes();
  if (machine > 0 && mem.total > machine)
    fmt::print(err,
               "{}: warning: the estimated memory, {}, exceeds this machine's {} (mostly {}: "
               "lower `{}`); `cascade run` refuses it unless given --allow-large\n",
               args.scenario, format_bytes(mem.total), format_bytes(machine), mem.largest().what,
               mem.largest().key);
  return 0;
}

}  // namespace cascade
