// `cascade run`: load, simulate all paths in parallel, write the results file atomically.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cascade/version.hpp"
#include "sim/command_util.hpp"
#include "sim/commands.hpp"
#include "sim/inspect.hpp"
#include "sim/interrupt.hpp"
#include "sim/monte_carlo.hpp"
#include "sim/results_writer.hpp"

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
    err_ << fmt::format("\r[{}{}] {:3.0f}% {}/{} paths, {:.0f}s left ", std::string(static_cast<std::size_t>(filled), '='),
                        std::string(static_cast<std::size_t>(width - filled), ' '), 100.0 * frac, done,
                        total, eta)
         << std::flush;
    if (done == total) err_ << "\n";
  }

 private:
  std::ostream& err_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

void print_summary(std::ostream& out, const Scenario& sc, const RunResults& r, double seconds,
                   const std::string& path) {
  const auto col = [&](double PathOutcome::*f) {
    std::vector<double> v;
    v.reserve(r.outcomes.size());
    for (const auto& o : r.outcomes) v.push_back(o.*f);
    return v;
  };
  double total = 0, longs = 0, depth = 0;
  std::vector<double> by_asset(sc.assets.size(), 0.0);
  for (const auto& o : r.outcomes) {
    total += o.liquidated_notional;
    depth = std::max(depth, o.max_cascade_depth);
    for (std::size_t k = 0; k < sc.assets.size(); ++k) {
      longs += o.asset_long_liquidated_notional[k];
      by_asset[k] += o.asset_liquidated_notional[k];
    }
  }
  const auto liq = col(&PathOutcome::liquidated_notional);
  fmt::print(out, "{}: {} paths x {} steps of {}s in {:.1f}s -> {}\n", sc.name, r.outcomes.size(),
             sc.steps, sc.dt_s, seconds, path);
  fmt::print(out, "  liquidated notional per path: median {}, p95 {}\n",
             format_quantity(percentile(liq, 0.5), "USD"), format_quantity(percentile(liq, 0.95), "USD"));
  fmt::print(out, "  deepest cascade: {} rounds in one step; longs {:.0f}% of liquidated notional\n",
             depth, total > 0 ? 100.0 * longs / total : 0.0);
  std::string shares;
  for (std::size_t k = 0; k < sc.assets.size(); ++k)
    shares += fmt::format("{}{} {:.0f}%", k ? ", " : "", sc.assets[k].name,
                          total > 0 ? 100.0 * by_asset[k] / total : 0.0);
  fmt::print(out, "  share by asset: {}\n", shares);
  fmt::print(out, "  insurance fund min (median): {}; bad debt (p95): {}\n",
             format_quantity(percentile(col(&PathOutcome::insurance_fund_min), 0.5), "USD"),
             format_quantity(percentile(col(&PathOutcome::bad_debt), 0.95), "USD"));
  fmt::print(out, "  `cascade inspect {}` for percentiles per asset\n", path);
}

}  // namespace

int command_run(const RunArgs& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> overrides = args.overrides;
  if (args.paths) overrides.push_back("paths=" + std::to_string(*args.paths));
  if (args.seed) overrides.push_back("seed=" + std::to_string(*args.seed));
  const auto sc = load_or_report(args.scenario, overrides, err);
  if (!sc) return 2;
  if (std::filesystem::exists(args.output) && !args.force) {
    err << "cascade run: error: " << args.output << " exists (use --force to overwrite)\n";
    return 2;
  }
  try {
    const auto parent = std::filesystem::path(args.output).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    const auto t0 = std::chrono::steady_clock::now();
    ProgressBar bar(err, args.progress);
    RunOptions opt;
    opt.threads = args.threads;
    opt.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
    const RunResults results = run_monte_carlo(*sc, opt);

    RunInfo info;
    info.cascade_version = kVersion;
    info.command_line = args.command_line;
    info.scenario_yaml = sc->resolved_yaml;
    info.scenario_name = sc->name;
    info.seed = sc->seed;
    info.paths = sc->paths;
    info.steps = sc->steps;
    info.dt_s = sc->dt_s;
    for (const auto& a : sc->assets) info.assets.push_back(a.name);
    info.events_enabled = sc->output.events;
    write_results(args.output, info, results, args.force);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!args.quiet) print_summary(out, *sc, results, seconds, args.output);
    return 0;
  } catch (const Interrupted&) {
    err << "\ncascade run: interrupted; no results written to " << args.output << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "cascade run: error: " << e.what() << "\n";
    return 1;
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + tmp);
    f << text;
    if (!f.flush()) {
      std::filesystem::remove(tmp);
      throw std::runtime_error("cannot write " + tmp);
    }
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace cascade
