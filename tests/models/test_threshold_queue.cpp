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

TEST_CASE("Models.ThresholdQueue.FrozenCopiesShareTheSortedPartAndKeepTheirOwnPushes") {
  // A frozen queue pops exactly like the heap it came from; copies consume the shared part
  // independently, and later pushes merge in by price.
  ThresholdQueue heap(1), frozen(1);
  std::size_t crossed = 0;  // prices >= 1.2
  for (std::uint32_t i = 0; i < 50; ++i) {
    const ThresholdQueue::Entry e{1.0 + 0.01 * ((i * 37) % 50), i, 0};
    heap.add(e);
    frozen.add(e);
    crossed += e.price >= 1.2 ? 1 : 0;
  }
  heap.build();
  frozen.freeze();
  ThresholdQueue a = frozen, b = frozen;
  a.push({1.255, 99, 1});
  auto all = [](const ThresholdQueue::Entry&) { return true; };
  std::vector<ThresholdQueue::Entry> from_heap, from_a, from_b;
  heap.pop_crossed(1.2, all, from_heap);
  a.pop_crossed(1.2, all, from_a);
  b.pop_crossed(1.2, all, from_b);
  REQUIRE(crossed > 25);
  REQUIRE(from_heap.size() == crossed);
  REQUIRE(from_a.size() == crossed + 1);
  REQUIRE(from_b.size() == crossed);
  for (std::size_t i = 0; i < from_heap.size(); ++i) CHECK(from_b[i].position == from_heap[i].position);
  CHECK(from_a[24].position == 99);  // 1.255 falls between 1.26 and 1.25
  CHECK(from_a[23].price == doctest::Approx(1.26));
  CHECK(from_a[25].price == doctest::Approx(1.25));
  CHECK(frozen.size() == 50);  // the original is untouched
  CHECK(a.size() == 50 - crossed);
  CHECK(b.front().price == doctest::Approx(1.19));
}
