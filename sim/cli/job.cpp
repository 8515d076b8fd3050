#include "sim/cli/job.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "cascade/version.hpp"
#include "sim/cli/inspect.hpp"
#include "sim/cli/memory_estimate.hpp"
#include "sim/cli/output_path.hpp"
#include "sim/ensemble/interrupt.hpp"
#include "sim/ensemble/monte_carlo.hpp"
#include "sim/ensemble/mpi_rows.hpp"
#include "sim/ensemble/mpi_session.hpp"
#include "sim/results/writer.hpp"

namespace cascade {
namespace {

/// Progress bar on a terminal: redrawn at most ten times a second.
class ProgressBar {
 public:
  ProgressBar(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  void update(std::int64_t done, std::int64_t total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
    const int width = 30, filled = static_cast<int>(frac * width);
    err_ << fmt::format("\r[{}{}] {:3.0f}% {}/{} paths, {:.0f}s left ",
                        std::string(static_cast<std::size_t>(filled), '='),
                        std::string(static_cast<std::size_t>(width - filled), ' '), 100.0 * frac,
                        done, total, eta)
         << std::flush;
    if (done == total) err_ << "\n";
  }

 private:
  std::ostream& err_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

template <class T>
std::vector<double> column(const std::vector<const PathOutcome*>& rows, T PathOutcome::*f) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (const auto* o : rows) v.push_back(static_cast<double>(o->*f));
  return v;
}

void print_run_summary(std::ostream& out, const Scenario& sc, const RunResults& r) {
  std::vector<const PathOutcome*> rows;
  for (const auto& o : r.outcomes) rows.push_back(&o);
  double total = 0, longs = 0;
  std::int64_t depth = 0;
  std::vector<double> by_asset(sc.assets.size(), 0.0);
  for (const auto& o : r.outcomes) {
    total += o.liquidated_notional;
    depth = std::max(depth, o.max_cascade_depth);
    for (std::size_t k = 0; k < sc.assets.size(); ++k) {
      longs += o.asset_long_liquidated_notional[k];
      by_asset[k] += o.asset_liquidated_notional[k];
    }
  }
  const auto liq = column(rows, &PathOutcome::liquidated_notional);
  fmt::print(out, "  liquidated notional per path: median {}, p95 {}\n",
             format_quantity(percentile(liq, 0.5), "USD"),
             format_quantity(percentile(liq, 0.95), "USD"));
  fmt::print(out,
             "  deepest cascade: {} rounds in one step; longs {:.0f}% of liquidated notional\n",
             depth, total > 0 ? 100.0 * longs / total : 0.0);
  std::string shares;
  for (std::size_t k = 0; k < sc.assets.size(); ++k)
    shares += fmt::format("{}{} {:.0f}%", k ? ", " : "", sc.assets[k].name,
                          total > 0 ? 100.0 * by_asset[k] / total : 0.0);
  fmt::print(out, "  share by asset: {}\n", shares);
  if (sc.exchange.backstop.kind == BackstopKind::Vault)
    fmt::print(out, "  vault min equity (median): {}; vault PnL (median): {}; bad debt (p95): {}\n",
               format_quantity(percentile(column(rows, &PathOutcome::vault_min_equity), 0.5), "USD"),
               format_quantity(percentile(column(rows, &PathOutcome::vault_pnl), 0.5), "USD"),
               format_quantity(percentile(column(rows, &PathOutcome::bad_debt), 0.95), "USD"));
  else
    fmt::print(
        out, "  insurance fund min (median): {}; bad debt (p95): {}\n",
        format_quantity(percentile(column(rows, &PathOutcome::insurance_fund_min), 0.5), "USD"),
        format_quantity(percentile(column(rows, &PathOutcome::bad_debt), 0.95), "USD"));
  const auto adl = column(rows, &PathOutcome::adl_notional);
  if (std::any_of(adl.begin(), adl.end(), [](double x) { return x > 0.0; }))
    fmt::print(out, "  auto-deleveraged notional (median): {}; haircut on winners (median): {}\n",
               format_quantity(percentile(adl, 0.5), "USD"),
               format_quantity(percentile(column(rows, &PathOutcome::adl_haircut), 0.5), "USD"));
}

/// One line per point: the swept values and the main outcomes' percentiles.
void print_sweep_summary(std::ostream& out, const SweepJob& job, const RunResults& r) {
  constexpr std::int64_t kMaxLines = 30;
  std::vector<std::vector<const PathOutcome*>> by_point(static_cast<std::size_t>(job.points()));
  for (const auto& o : r.outcomes) by_point[static_cast<std::size_t>(o.point)].push_back(&o);
  std::vector<std::string> heads;
  std::vector<std::size_t> widths;
  for (const auto& axis : job.spec.axes) {
    heads.push_back(axis.keys.size() == 1
                        ? axis.keys.front()
                        : fmt::format("{} (+{} keys)", axis.keys.front(), axis.keys.size() - 1));
    widths.push_back(heads.back().size() + 2);
  }
  fmt::print(out, "  {:>6}", "point");
  for (std::size_t a = 0; a < heads.size(); ++a) fmt::print(out, "  {:>{}}", heads[a], widths[a]);
  fmt::print(out, "{:>14}{:>14}{:>12}\n", "liq. p50", "liq. p95", "depth p50");
  std::int64_t shown = 0;
  for (std::int64_t p = 0; p < job.points(); ++p) {
    const auto& rows = by_point[static_cast<std::size_t>(p)];
    if (rows.empty()) continue;
    if (shown++ == kMaxLines) {
      fmt::print(out, "  ... (`cascade inspect` shows every point)\n");
      break;
    }
    const auto idx = job.spec.indices(p);
    fmt::print(out, "  {:>6}", p);
    for (std::size_t a = 0; a < heads.size(); ++a)
      fmt::print(out, "  {:>{}}", job.spec.axes[a].values[idx[a]], widths[a]);
    const auto liq = column(rows, &PathOutcome::liquidated_notional);
    fmt::print(
        out, "{:>14}{:>14}{:>12}\n", format_quantity(percentile(liq, 0.5), "USD"),
        format_quantity(percentile(liq, 0.95), "USD"),
        format_quantity(percentile(column(rows, &PathOutcome::max_cascade_depth), 0.5), "rounds"));
  }
}

RunInfo make_info(const SweepJob& job, const Scenario& point0, const RunArgs& args) {
  RunInfo info;
  info.cascade_version = kVersion;
  info.command_line = args.command_line;
  info.scenario_yaml = job.base.resolved_yaml;
  info.scenario_name = job.base.name;
  info.seed = job.base.seed;
  info.paths = job.base.paths;
  info.steps = point0.steps;
  info.dt_s = point0.dt_s;
  for (const auto& a : point0.assets) info.assets.push_back(a.name);
  info.events_enabled = point0.output.events;
  info.sweep = sweep_datasets(job.spec);
  info.independent_points = job.spec.independent_points ? 1 : 0;
  info.run_fingerprint = run_fingerprint(job, kVersion);
  return info;
}

struct LoadedPoints {
  Scenario point0;               ///< for the file's layout and /positions/initial
  std::vector<Scenario> points;  ///< the points the rows touch, from first_point on
  std::int32_t first_point = 0;
};

/// Loads and checks every point of the job, so that every shard and rank fails alike on a bad
/// value (in parallel: a point loads in about a millisecond, a sweep may have many); keeps the
/// points `rows` touch. Throws the InputError of the lowest failing point, or Interrupted.
LoadedPoints load_points(const SweepJob& job, RowRange rows, int threads) {
  LoadedPoints out;
  out.point0 = load_point(job, 0, nullptr);
  const std::int64_t paths = job.base.paths;
  std::int64_t first = 0, last = -1;
  if (rows.size() > 0) {
    first = rows.begin / paths;
    last = (rows.end - 1) / paths;
  }
  out.first_point = static_cast<std::int32_t>(first);
  std::vector<std::optional<Scenario>> kept(static_cast<std::size_t>(last - first + 1));
  std::mutex failure_mutex;
  std::int64_t failed_point = job.points();
  std::optional<InputError> failure;
  tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
  arena.execute([&] {
    tbb::parallel_for(std::int64_t{1}, job.points(), [&](std::int64_t p) {
      if (interrupted()) return;
      try {
        Scenario sc = load_point(job, p, &out.point0);
        if (p >= first && p <= last) kept[static_cast<std::size_t>(p - first)] = std::move(sc);
      } catch (const InputError& e) {
        std::lock_guard lock(failure_mutex);
        if (p < failed_point) {
          failed_point = p;
          failure = e;
        }
      }
    });
  });
  throw_if_interrupted();
  if (failure) throw *failure;
  for (std::int64_t p = first; p <= last; ++p)
    out.points.push_back(p == 0 ? out.point0
                                : std::move(*kept[static_cast<std::size_t>(p - first)]));
  return out;
}

int default_threads() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / mpi::ranks_on_this_node());
}

}  // namespace

std::vector<std::string> run_overrides(const RunArgs& args) {
  return run_overrides(args.overrides, args.paths, args.seed);
}

std::vector<std::string> run_overrides(std::vector<std::string> overrides,
                                       const std::optional<std::int64_t>& paths,
                                       const std::optional<std::string>& seed) {
  if (paths) overrides.push_back("--paths=" + std::to_string(*paths));
  if (seed) overrides.push_back("--seed=" + *seed);
  return overrides;
}

int execute_job(const SweepJob& job, const RunArgs& args, const std::optional<ShardSelector>& shard,
                std::string_view command, std::ostream& out, std::ostream& err) {
  static const mpi::Session kNoMpi(nullptr, nullptr, false);
  const mpi::Session& mpi = args.mpi != nullptr ? *args.mpi : kNoMpi;
  const bool root = mpi.rank() == 0;
  {
    // Every rank checks (and returns) alike, so that none waits for a rank that gave up.
    std::vector<std::string> inputs = job.base.input_files;
    inputs.push_back(job.scenario_path);
    if (const auto problem = output_path_problem(args.output, args.force, inputs)) {
      err << "cascade " << command << ": error: " << *problem << "\n";
      return 2;
    }
  }

  // The rows this process runs: the shard's, then this rank's share of them.
  const std::int64_t all_rows = job.rows();
  const RowRange mine_shard =
      shard ? block_rows(all_rows, shard->index, shard->count) : RowRange{0, all_rows};
  const RowRange rank_block = block_rows(mine_shard.size(), mpi.rank(), mpi.size());
  const RowRange mine{mine_shard.begin + rank_block.begin, mine_shard.begin + rank_block.end};

  const int threads = args.threads > 0 ? args.threads : (mpi.active() ? default_threads() : 0);
  const std::int64_t paths = job.base.paths;
  {
    // Refuse up front what cannot fit, before a single allocation (sim/cli/memory_estimate.hpp).
    const int workers = threads > 0 ? threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const MemoryEstimate mem = estimate_memory(job.base, mine.size(), workers);
    const std::uint64_t machine = machine_memory_bytes();
    if (machine > 0 && mem.total > machine && !args.allow_large) {
      err << fmt::format(
          "cascade {}: error: the run needs an estimated {}, more than this machine's {}: mostly "
          "{} ({}), driven by `{}`; lower it, shard the run (--shard), or pass --allow-large to "
          "run anyway\n",
          command, format_bytes(mem.total), format_bytes(machine), mem.largest().what,
          format_bytes(mem.largest().bytes), mem.largest().key);
      return 2;
    }
  }
  LoadedPoints loaded;
  try {
    loaded = load_points(job, mine, threads);
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return 2;
  } catch (const Interrupted&) {
    err << "\ncascade " << command << ": interrupted; no results written to " << args.output
        << "\n";
    return 1;
  }
  const Scenario& point0 = loaded.point0;

  const auto t0 = std::chrono::steady_clock::now();
  RankRows local;
  try {
    ProgressBar bar(err, args.progress && root);
    GridOptions opt;
    opt.threads = threads;
    opt.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
    // /positions/initial is point 0's book: the root reuses the one it runs from when its rows
    // begin in point 0.
    opt.describe_initial = root && mine.begin < paths && mine.end > mine.begin;
    local.rows = run_rows(loaded.points, loaded.first_point, mine.begin, mine.end, opt);
  } catch (const Interrupted&) {
    local.status = RankStatus::Interrupted;
  } catch (const std::exception& e) {
    local.status = RankStatus::Failed;
    local.message = e.what();
  }

  // Rank 0 collects every rank's rows, in rank order (= row order).
  RunResults results;
  const bool described = root && mine.begin < paths && mine.end > mine.begin && local.status == RankStatus::Ok;
  results.initial_positions = std::move(local.rows.initial_positions);
  results.account_names = std::move(local.rows.account_names);
  if (mpi.active() && mpi.size() > 1) {
    std::vector<std::vector<char>> buffers;
    try {
      buffers = mpi::gather(mpi, serialize_rows(local));
    } catch (const std::exception& e) {
      err << "cascade " << command << ": error: " << e.what() << "\n";
      return 1;
    }
    if (!root) return local.status == RankStatus::Ok ? 0 : 1;
    try {
      for (std::size_t k = 0; k < buffers.size(); ++k) {
        RankRows rank = deserialize_rows(buffers[k]);
        buffers[k] = {};
        if (rank.status != RankStatus::Ok && local.status == RankStatus::Ok) {
          local.status = rank.status;
          local.message = fmt::format("rank {}: {}", k, rank.message);
        }
        append_rows(results, std::move(rank.rows));
      }
    } catch (const std::exception& e) {
      local.status = RankStatus::Failed;
      local.message = e.what();
    }
  } else {
    local.rows.initial_positions = std::move(results.initial_positions);
    local.rows.account_names = std::move(results.account_names);
    results = std::move(local.rows);
  }
  if (local.status == RankStatus::Interrupted) {
    err << "\ncascade " << command << ": interrupted; no results written to " << args.output
        << "\n";
    return 1;
  }
  if (local.status == RankStatus::Failed) {
    err << "cascade " << command << ": error: " << local.message << "\n";
    return 1;
  }

  try {
    if (!described) describe_initial_book(point0, 0, results);
    RunInfo info = make_info(job, point0, args);
    if (shard)
      info.shard =
          ShardInfo{shard->index, shard->count, mine_shard.begin, mine_shard.end, all_rows};
    // The row tables' chunks (10^6 rows of /positions/initial) are deflated on the run's threads.
    tbb::task_arena arena(threads > 0 ? threads : tbb::this_task_arena::max_concurrency());
    const ParallelLoop parallel = [&arena](std::size_t n, const std::function<void(std::size_t)>& body) {
      arena.execute([&] { parallel_for_each(n, body); });
    };
    write_results(args.output, info, results, args.force, throw_if_interrupted, parallel);
  } catch (const Interrupted&) {
    err << "\ncascade " << command << ": interrupted; no results written to " << args.output
        << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "cascade " << command << ": error: " << e.what() << "\n";
    return 1;
  }
  if (args.quiet) return 0;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string ranks =
      mpi.size() > 1 ? fmt::format(" on {} MPI ranks", mpi.size()) : std::string();
  if (job.spec.empty())
    fmt::print(out, "{}: {} paths x {} steps of {}s in {:.1f}s{} -> {}\n", job.base.name,
               results.outcomes.size(), point0.steps, point0.dt_s, seconds, ranks, args.output);
  else
    fmt::print(out, "{}: sweep of {} points x {} paths x {} steps of {}s in {:.1f}s{} -> {}\n",
               job.base.name, job.points(), paths, point0.steps, point0.dt_s, seconds, ranks,
               args.output);
  if (shard)
    fmt::print(out, "  shard {}/{}: rows [{}, {}) of {} (merge the shards with `cascade merge`)\n",
               shard->index, shard->count, mine_shard.begin, mine_shard.end, all_rows);
  if (job.spec.empty())
    print_run_summary(out, point0, results);
  else
    print_sweep_summary(out, job, results);
  fmt::print(out, "  `cascade inspect {}` for percentiles per asset{}\n", args.output,
             job.spec.empty() ? "" : " and point");
  return 0;
}

}  // namespace cascade
