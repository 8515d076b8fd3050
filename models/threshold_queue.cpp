#include "models/threshold_queue.hpp"

#include <algorithm>

namespace cascade {

// The heap is 4-ary: half the depth of a binary heap, and the four children of a node share a
// cache line, so a pop touches about half as many lines (the heaps of arriving positions grow to
// tens of thousands of entries per asset and side).
namespace {
constexpr std::size_t kArity = 4;
}  // namespace

void ThresholdQueue::sift_up(std::size_t i) {
  const Entry e = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!before(heap_[parent], e)) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void ThresholdQueue::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  const Entry e = heap_[i];
  for (;;) {
    const std::size_t first = kArity * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t last = std::min(first + kArity, n);
    for (std::size_t c = first + 1; c < last; ++c)
      if (before(heap_[best], heap_[c])) best = c;
    if (!before(e, heap_[best])) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = e;
}

void ThresholdQueue::build() {
  for (std::size_t i = heap_.size() / kArity + 1; i-- > 0;)
    if (i < heap_.size()) sift_down(i);
}

void ThresholdQueue::freeze() {
  auto sorted = std::make_shared<std::vector<Entry>>();
  sorted->reserve(size());
  if (base_) sorted->insert(sorted->end(), base_->begin() + static_cast<std::ptrdiff_t>(cursor_), base_->end());
  sorted->insert(sorted->end(), heap_.begin(), heap_.end());
  // Nearest first: the reverse of the heap order.
  std::sort(sorted->begin(), sorted->end(),
            [this](const Entry& a, const Entry& b) { return before(b, a); });
  heap_.clear();
  heap_.shrink_to_fit();
  base_ = std::move(sorted);
  cursor_ = 0;
}

void ThresholdQueue::push(Entry e) {
  heap_.push_back(e);
  sift_up(heap_.size() - 1);
}

bool ThresholdQueue::base_first() const noexcept {
  if (!base_ || cursor_ == base_->size()) return false;
  return heap_.empty() || before(heap_.front(), (*base_)[cursor_]);
}

const ThresholdQueue::Entry& ThresholdQueue::front() const noexcept {
  return base_first() ? (*base_)[cursor_] : heap_.front();
}

void ThresholdQueue::pop() {
  if (base_first())
    ++cursor_;
  else
    pop_heap();
}

void ThresholdQueue::pop_heap() {
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
}

}  // namespace cascade
