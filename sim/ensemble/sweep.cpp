#include "sim/ensemble/sweep.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <limits>
#include <map>
#include <string_view>

#include "sim/results/schema.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/yaml_check.hpp"

namespace cascade {

namespace {

SourceLoc shifted(SourceLoc loc, int by) {
  if (loc.col > 0) loc.col += std::max(by, 0);
  return loc;
}

std::string describe_point(const SweepSpec& spec, std::int64_t point) {
  const auto idx = spec.indices(point);
  std::vector<std::string> parts;
  for (std::size_t a = 0; a < spec.axes.size(); ++a)
    for (const auto& key : spec.axes[a].keys)
      parts.push_back(fmt::format("{}={}", key, spec.axes[a].values[idx[a]]));
  return fmt::format("sweep point {}: {}", point, fmt::join(parts, ", "));
}

/// Maps an error located in a point's generated override back to the key or value the user
/// wrote.
InputError relocate(const InputError& e, const SweepJob& job, std::int64_t point) {
  const std::string context = " (" + describe_point(job.spec, point) + ")";
  const SourceLoc& at = e.where();
  const auto n_user = static_cast<int>(job.overrides.size());
  if (at.file != "--set" || at.line <= n_user) return InputError(at, e.message() + context);
  std::size_t j = static_cast<std::size_t>(at.line - n_user - 1);
  const auto idx = job.spec.indices(point);
  for (std::size_t a = 0; a < job.spec.axes.size(); ++a) {
    const SweepAxisSpec& axis = job.spec.axes[a];
    if (j >= axis.keys.size()) {
      j -= axis.keys.size();
      continue;
    }
    const auto key_len = static_cast<int>(axis.keys[j].size());
    const SourceLoc loc = at.col <= key_len
                              ? shifted(axis.key_locs[j], at.col - 1)
                              : shifted(axis.value_locs[idx[a]], at.col - key_len - 2);
    return InputError(loc, e.message() + context);
  }
  return InputError(at, e.message() + context);
}

/// What must be equal at every point for the rows to share one results layout.
std::string layout_difference(const Scenario& a, const Scenario& b) {
  if (a.steps != b.steps) return fmt::format("steps ({} vs {} at point 0)", b.steps, a.steps);
  if (a.dt_s != b.dt_s) return fmt::format("dt ({} vs {} at point 0)", b.dt_s, a.dt_s);
  if (a.paths != b.paths) return fmt::format("paths ({} vs {} at point 0)", b.paths, a.paths);
  std::vector<std::string> na, nb;
  for (const auto& x : a.assets) na.push_back(x.name);
  for (const auto& x : b.assets) nb.push_back(x.name);
  if (na != nb) return "the assets";
  if (a.output.events != b.output.events) return "output.events";
  if (a.output.timeseries_paths != b.output.timeseries_paths) return "output.timeseries_paths";
  return "";
}

/// FNV-1a, 64 bit: small, stable across platforms, good enough to tell runs apart.
class Fingerprint {
 public:
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= 0x100000001b3ULL;
    }
  }
  void text(const std::string& s) {
    number(static_cast<std::uint64_t>(s.size()));
    bytes(s.data(), s.size());
  }
  template <class T>
  void number(T v) {
    bytes(&v, sizeof v);
  }
  std::string hex() const { return fmt::format("{:016x}", h_); }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

// ---- the job ------------------------------------------------------------------------------

SweepJob prepare_sweep_job(const std::string& scenario_path, std::vector<std::string> overrides,
                           const SweepSpec* cli, bool use_block, bool independent_points) {
  SweepJob job;
  job.scenario_path = scenario_path;
  job.overrides = std::move(overrides);
  const auto load_with_block = [&] {
    std::vector<std::string> with_block = job.overrides;
    with_block.push_back(sweep_block_override(job.spec));
    job.base = load_scenario(scenario_path, with_block);
  };
  if (cli != nullptr && !cli->empty()) {
    job.spec = *cli;
    job.spec.independent_points = job.spec.independent_points || independent_points;
    load_with_block();
  } else {
    job.base = load_scenario(scenario_path, job.overrides);
    if (use_block) job.spec = load_sweep_block(scenario_path, job.overrides);
    if (independent_points && !job.spec.empty() && !job.spec.independent_points) {
      job.spec.independent_points = true;
      load_with_block();  // so that scenario_yaml records it
    }
  }
  job.base.independent_points = job.spec.independent_points;
  if (job.spec.points() > std::numeric_limits<std::int32_t>::max())
    throw InputError(job.spec.axes.front().value_locs.front(),
                     fmt::format("the sweep grid has {} points; at most {}", job.spec.points(),
                                 std::numeric_limits<std::int32_t>::max()));
  return job;
}

std::vector<std::string> point_overrides(const SweepSpec& spec, std::int64_t point) {
  std::vector<std::string> out;
  const auto idx = spec.indices(point);
  for (std::size_t a = 0; a < spec.axes.size(); ++a)
    for (const auto& key : spec.axes[a].keys)
      out.push_back(key + "=" + spec.axes[a].values[idx[a]]);
  return out;
}

Scenario load_point(const SweepJob& job, std::int64_t point, const Scenario* point0) {
  require_simulated(job.base);
  if (job.spec.empty()) return job.base;
  std::vector<std::string> overrides = job.overrides;
  for (auto& o : point_overrides(job.spec, point)) overrides.push_back(std::move(o));
  Scenario sc;
  try {
    sc = load_scenario(job.scenario_path, overrides);
  } catch (const InputError& e) {
    throw relocate(e, job, point);
  }
  sc.independent_points = job.spec.independent_points;
  if (point0 != nullptr) {
    const std::string diff = layout_difference(*point0, sc);
    if (!diff.empty()) {
      const auto idx = job.spec.indices(point);
      throw InputError(
          job.spec.axes.front().value_locs[idx.front()],
          fmt::format("{} changes {}: every point of a sweep must have the same steps, dt, "
                      "paths, assets and output settings",
                      describe_point(job.spec, point), diff));
    }
  }
  return sc;
}

std::vector<SweepAxis> sweep_datasets(const SweepSpec& spec) {
  std::vector<SweepAxis> out;
  const std::int64_t points = spec.points();
  for (std::size_t a = 0; a < spec.axes.size(); ++a)
    for (const auto& key : spec.axes[a].keys) {
      SweepAxis d;
      d.key = key;
      d.unit = sweep_key_unit(key);
      d.axis = static_cast<std::int32_t>(a);
      d.values.reserve(static_cast<std::size_t>(points));
      for (std::int64_t p = 0; p < points; ++p)
        d.values.push_back(spec.axes[a].numbers[spec.indices(p)[a]]);
      out.push_back(std::move(d));
    }
  return out;
}

std::string run_fingerprint(const SweepJob& job, const std::string& cascade_version) {
  Fingerprint f;
  f.text(kResultsFormat);
  f.number(kResultsFormatVersion);
  f.text(cascade_version);
  f.text(job.base.resolved_yaml);
  f.number(job.rows());
  for (const auto& p : job.base.positions) {
    f.number(p.account);
    f.number(p.asset);
    f.number(p.side);
    f.number(p.size);
    f.number(p.entry_usd);
    f.number(p.margin_usd);
    f.number(p.cross);
  }
  for (const auto& a : job.base.accounts) {
    f.text(a.name);
    f.number(a.wallet_usd.value_or(-1.0));
  }
  if (job.base.replay)
    for (const auto& row : job.base.replay->prices)
      for (double x : row) f.number(x);
  return f.hex();
}

// ---- shards -------------------------------------------------------------------------------

ShardSelector parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  const auto fail = [&](int col, const std::string& msg) -> ShardSelector {
    throw InputError(
        {"--shard", 1, col},
        fmt::format("expected i/n with 0 <= i < n (e.g. 0/4), got '{}': {}", text, msg));
  };
  if (slash == std::string::npos) return fail(1, "no '/'");
  const std::string i = text.substr(0, slash), n = text.substr(slash + 1);
  if (!is_digits(i) || i.size() > 9) return fail(1, "the shard index is not a whole number");
  if (!is_digits(n) || n.size() > 9)
    return fail(static_cast<int>(slash) + 2, "the shard count is not a whole number");
  ShardSelector s{std::stoi(i), std::stoi(n)};
  if (s.count < 1) return fail(static_cast<int>(slash) + 2, "the shard count must be at least 1");
  if (s.index >= s.count)
    return fail(1, fmt::format("shard indices are 0-based, so at most {}", s.count - 1));
  return s;
}

RowRange block_rows(std::int64_t rows, std::int64_t index, std::int64_t count) {
  // floor(rows * k / count) without overflow: rows = q*count + r.
  const auto edge = [&](std::int64_t k) {
    const std::int64_t q = rows / count, r = rows % count;
    return q * k + r * k / count;
  };
  return {edge(index), edge(index + 1)};
}

}  // namespace cascade
