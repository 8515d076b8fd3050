// The byte buffers MPI ranks send to rank 0 (sim/ensemble/mpi_rows.hpp): a round trip is bitwise.
#include <doctest/doctest.h>

#include <cstring>

#include "sim/ensemble/monte_carlo.hpp"
#include "sim/ensemble/mpi_rows.hpp"
#include "sim/ensemble/mpi_session.hpp"
#include "tests/sim/engine/fixtures.hpp"
#include "tests/sim/results/same_outcome.hpp"

using namespace cascade;

TEST_CASE("Mpi.Rows.RoundTripIsBitwise") {
  RankRows rank;
  rank.status = RankStatus::Failed;
  rank.message = "rank 1: something";
  rank.rows = run_monte_carlo(testing::sampled_shock(4), {});
  rank.rows.outcomes[1].first_liquidation_time = std::numeric_limits<double>::quiet_NaN();
  REQUIRE(!rank.rows.events.empty());
  // Auto-deleveraging fills travel too (the fixture's fund never runs out: two made-up fills).
  rank.rows.adl_events = {AdlEvent{0, 1, 3, 2, 0, 17, -1, 12.5, 1.9, 1.85, 4},
                          AdlEvent{0, 2, 5, 1, 1, 3, 1, 0.25, 10.5, 10.4, -1}};

  const std::vector<char> bytes = serialize_rows(rank);
  const RankRows back = deserialize_rows(bytes);
  CHECK(back.status == RankStatus::Failed);
  CHECK(back.message == rank.message);
  REQUIRE(back.rows.outcomes.size() == rank.rows.outcomes.size());
  for (std::size_t i = 0; i < back.rows.outcomes.size(); ++i) {
    const auto &a = rank.rows.outcomes[i], &b = back.rows.outcomes[i];
    CHECK(a.point == b.point);
    CHECK(a.path == b.path);
    for (const auto& m : kSummaryMetrics) CHECK(test::same_metric(a, b, m));
    for (const auto& m : kAssetMetrics) CHECK(test::same_metric(a, b, m));
  }
  REQUIRE(back.rows.timeseries.size() == rank.rows.timeseries.size());
  for (std::size_t i = 0; i < back.rows.timeseries.size(); ++i)
    for (const auto& m : kSeriesMetrics)
      CHECK(back.rows.timeseries[i].*m.field == rank.rows.timeseries[i].*m.field);
  REQUIRE(back.rows.events.size() == rank.rows.events.size());
  CHECK(test::same_rows(back.rows.events, rank.rows.events, kEventColumns));
  CHECK(test::same_rows(back.rows.adl_events, rank.rows.adl_events, kAdlColumns));

  std::vector<char> cut(bytes.begin(), bytes.end() - 3);
  CHECK_THROWS_AS(deserialize_rows(cut), std::runtime_error);
  std::vector<char> extra = bytes;
  extra.push_back('x');
  CHECK_THROWS_AS(deserialize_rows(extra), std::runtime_error);
}

TEST_CASE("Mpi.Session.WithoutALauncherIsOneRank") {
  const mpi::Session session(nullptr, nullptr, false);
  CHECK(!session.active());
  CHECK(session.rank() == 0);
  CHECK(session.size() == 1);
  const std::vector<char> bytes{'a', 'b'};
  CHECK(mpi::gather(session, bytes) == std::vector<std::vector<char>>{bytes});
  CHECK(mpi::max_over_ranks(session, 7) == 7);
}
