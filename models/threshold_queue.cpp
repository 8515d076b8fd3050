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
  std::push_heap(heap_.begin(), heap_.end(),
                 [this](const Entry& a, const Entry& b) { return before(a, b); });
}

bool ThresholdQueue::base_first() const noexcept {
  if (!base_ || cursor_ == base_->size()) return false;
  return heap_.empty() || before(heap_.front(), (*base_)[cursor_]);
}

const ThresholdQueue::Entry& ThresholdQueue::front() const noexcept {
  return base_first() ? (*base_)[cursor_] : heap_.front();
}

void ThresholdQueue::pop() {
  if (base_first()) {
    ++cursor_;
    return;
  }
  std::pop_heap(heap_.begin(), heap_.end(),
                [this](const Entry& a, const Entry& b) { return before(a, b); });
  heap_.pop_back();
}

}  // namespace cascade
