#include "models/threshold_queue.hpp"

#include <algorithm>

namespace cascade {

bool ThresholdQueue::before(const Entry& a, const Entry& b) const noexcept {
  // std heaps keep the "largest" at the front: for longs the highest price (first to be
  // reached by a falling mark), for shorts the lowest. Ties: lower position index first.
  if (a.price != b.price) return side_ > 0 ? a.price < b.price : a.price > b.price;
  return a.position > b.position;
}

void ThresholdQueue::build() {
  std::make_heap(heap_.begin(), heap_.end(),
                 [this](const Entry& a, const Entry& b) { return before(a, b); });
}

void ThresholdQueue::push(Entry e) {
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(),
                 [this](const Entry& a, const Entry& b) { return before(a, b); });
}

void ThresholdQueue::pop() {
  std::pop_heap(heap_.begin(), heap_.end(),
                [this](const Entry& a, const Entry& b) { return before(a, b); });
  heap_.pop_back();
}

bool ThresholdQueue::front_crossed(double mark) const noexcept {
  const double p = heap_.front().price;
  return side_ > 0 ? mark <= p : mark >= p;
}

}  // namespace cascade
