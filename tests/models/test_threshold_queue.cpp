// Specification of the liquidation-threshold queue.
#include <doctest/doctest.h>

#include <vector>

#include "models/threshold_queue.hpp"

using namespace cascade;

TEST_CASE("Models.ThresholdQueue.LongsFallHighestFirst") {
  ThresholdQueue q(1);
  for (std::uint32_t i = 0; i < 6; ++i) q.add({1.0 + 0.1 * (i % 3), i, 0});
  q.build();
  std::vector<ThresholdQueue::Entry> out;
  auto all = [](const ThresholdQueue::Entry&) { return true; };
  q.pop_crossed(1.25, all, out);  // above every threshold: nothing falls
  CHECK(out.empty());
  q.pop_crossed(1.2, all, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].position == 2);  // ties break on the lower index
  CHECK(out[1].position == 5);
  q.pop_crossed(0.5, all, out);
  CHECK(out.size() == 6);
  CHECK(q.empty());
}

TEST_CASE("Models.ThresholdQueue.ShortsRiseLowestFirstAndSkipStale") {
  ThresholdQueue q(-1);
  q.add({2.0, 0, 0});
  q.add({2.5, 1, 0});
  q.add({2.2, 2, 0});
  q.build();
  q.push({2.1, 3, 0});
  std::vector<ThresholdQueue::Entry> out;
  q.pop_crossed(2.2, [](const ThresholdQueue::Entry& e) { return e.position != 3; }, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].position == 0);
  CHECK(out[1].position == 2);
  CHECK(q.size() == 1);
  CHECK(q.front().position == 1);
}
