// Loader: exchange.funding, exchange.mark, population cross-margin keys.
#include <doctest/doctest.h>

#include "sim/scenario/loader.hpp"
#include "tests/sim/scenario/support.hpp"

using namespace cascade;
using namespace cascade::test;

namespace {
const char* kEngineKeys = R"(steps: 2
dt: 60
exchange:
  profile: binance
  funding: {enabled: true, interval: 3600, interest: 0.0002, cap: 0.002}
  mark: {kind: index_basis, basis_halflife: 120, clamp: 0.01}
assets:
  AIX:
    price: 2.0
    tiers:
      - {floor: 0, max_leverage: 20, mmr: 0.02}
    population: {count: 10, cross_share: 0.25}
population: {sample: per_run, cross_accounts: 7}
)";
}  // namespace

TEST_CASE("Scenario.Exchange.FundingMarkAndCrossKeys") {
  TempDir d;
  const Scenario s = load_scenario(d.write("s.yaml", kEngineKeys));
  CHECK(s.exchange.funding.enabled);
  CHECK(s.exchange.funding.interval_s == 3600.0);
  CHECK(s.exchange.funding.interest == 0.0002);
  CHECK(s.exchange.funding.cap == 0.002);
  CHECK(s.exchange.mark.kind == MarkKind::IndexBasis);
  CHECK(s.exchange.mark.basis_halflife_s == 120.0);
  CHECK(s.exchange.mark.clamp == 0.01);
  CHECK(s.assets[0].population->cross_share == 0.25);
  CHECK(s.cross_accounts == 7);
  CHECK(s.sample == SampleMode::PerRun);
}

TEST_CASE("Scenario.Exchange.DefaultsKeepTheExactModel") {
  TempDir d;
  std::string text = kEngineKeys;
  text.replace(text.find("  funding:"), text.find("assets:") - text.find("  funding:"), "");
  const Scenario s = load_scenario(d.write("s.yaml", text));
  CHECK_FALSE(s.exchange.funding.enabled);
  CHECK(s.exchange.mark.kind == MarkKind::Book);
}

TEST_CASE("Scenario.Error.FundingAndMarkValues") {
  TempDir d;
  const std::string path = d.write("s.yaml", kEngineKeys);
  std::string e = error_of(path, {"exchange.mark.kind=midpoint"});
  CHECK(e.find("exchange.mark.kind") != std::string::npos);
  CHECK(e.find("index_basis") != std::string::npos);
  e = error_of(path, {"exchange.funding.cap=0"});
  CHECK(starts_with(e, "--set:1:"));
  CHECK(e.find("exchange.funding.cap") != std::string::npos);
  e = error_of(path, {"exchange.funding.intrest=0.1"});
  CHECK(e.find("did you mean 'interest'") != std::string::npos);
  e = error_of(path, {"assets.AIX.population.cross_share=1.5"});
  CHECK(e.find("cross_share") != std::string::npos);
  e = error_of(path, {"population.cross_accounts=0"});
  CHECK(e.find("population.cross_accounts") != std::string::npos);
}

TEST_CASE("Scenario.Engine.CheckInvariantsKey") {
  // engine.check_invariants overrides the default (CASCADE_CHECK_INVARIANTS=1, which ctest sets).
  TempDir d;
  const std::string base = "steps: 2\ndt: 60\nassets:\n  AIX:\n    price: 2.0\n    tiers:\n"
                           "      - {floor: 0, max_leverage: 20, mmr: 0.02}\n";
  CHECK(load_scenario(d.write("on.yaml", base + "engine: {check_invariants: true}\n")).engine.check_invariants);
  CHECK_FALSE(load_scenario(d.write("off.yaml", base + "engine: {check_invariants: false}\n")).engine.check_invariants);
  CHECK(load_scenario(d.write("default.yaml", base)).engine.check_invariants == default_check_invariants());
  CHECK(load_scenario(d.write("max.yaml", base + "engine: {max_rounds: 7}\n")).engine.max_rounds == 7);
}
