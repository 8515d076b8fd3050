#pragma once
// Liquidation thresholds of one asset and side, ordered so that the next position to fall is
// always at the front (MODEL.md section 5; docs/engine.md "Event-driven thresholds").
//
// A step asks "which positions has the mark crossed?" — answered by popping from a heap
// until the front is no longer crossed, so a quiet step costs O(1) and a liquidation O(log N),
// whatever the number of positions. Longs fall when the mark drops to their threshold (max-heap
// on price); shorts when it rises to theirs (min-heap). Ties break on the position index, so the
// pop order is deterministic. Thresholds that change (funding, top-ups, reduces) are re-pushed
// with a new generation and stale entries are skipped lazily.
//
// A queue can be *frozen*: its entries move into a sorted array that copies of the queue share
// (read-only) and consume through a cursor of their own, while later pushes go to each copy's
// own heap. Every path of a run starts from the same frozen queues of the run's book, so starting
// a path costs O(1) here instead of O(N), and popping the shared part walks memory in order.
#include <cstdint>
#include <memory>
#include <vector>

namespace cascade {

class ThresholdQueue {
 public:
  struct Entry {
    double price;            ///< threshold, USD per base unit
    std::uint32_t position;  ///< index into the path's position book
    std::uint32_t generation;
  };

  /// side +1: longs (crossed when mark <= price); -1: shorts (crossed when mark >= price).
  explicit ThresholdQueue(int side = 1) : side_(side) {}

  int side() const noexcept { return side_; }
  std::size_t size() const noexcept { return heap_.size() + (base_ ? base_->size() - cursor_ : 0); }
  bool empty() const noexcept { return size() == 0; }
  void clear() noexcept {
    heap_.clear();
    base_.reset();
    cursor_ = 0;
  }
  void reserve(std::size_t n) { heap_.reserve(n); }

  /// Appends without ordering; call build() once after a batch of add().
  void add(Entry e) { heap_.push_back(e); }
  /// Orders everything added so far: O(N).
  void build();
  /// Moves every entry into a sorted array shared by all later copies of this queue: O(N log N)
  /// once; copies then cost O(1).
  void freeze();
  /// Inserts one entry into a built queue: O(log N).
  void push(Entry e);

  /// True when the front threshold is crossed by `mark`.
  bool front_crossed(double mark) const noexcept { return crossed(front().price, mark); }
  const Entry& front() const noexcept;
  /// Removes the front entry: O(log N) (O(1) from the frozen part).
  void pop();

  /// Pops every crossed entry into `out` (appending), skipping those for which
  /// `is_current(entry)` is false (stale generations, closed positions).
  template <class IsCurrent, class Out>
  void pop_crossed(double mark, IsCurrent&& is_current, Out& out) {
    pop_crossed(mark, is_current, out, [](std::uint32_t) {});
  }
  /// As above; `prefetch(position)` is called for frozen entries a few places ahead, so that the
  /// caller can start loading what is_current will read.
  template <class IsCurrent, class Out, class Prefetch>
  void pop_crossed(double mark, IsCurrent&& is_current, Out& out, Prefetch&& prefetch) {
    constexpr std::size_t kAhead = 8;
    const Entry* base = base_ ? base_->data() : nullptr;
    const std::size_t base_size = base_ ? base_->size() : 0;
    for (;;) {
      const bool in_base = cursor_ < base_size;
      if (cursor_ + kAhead < base_size) prefetch(base[cursor_ + kAhead].position);
      if (!in_base && heap_.empty()) return;
      const bool from_base = in_base && (heap_.empty() || before(heap_.front(), base[cursor_]));
      const Entry e = from_base ? base[cursor_] : heap_.front();
      if (!crossed(e.price, mark)) return;
      if (from_base)
        ++cursor_;
      else
        pop_heap();
      if (is_current(e)) out.push_back(e);
    }
  }

 private:
  // Heap "less": b is nearer the mark. std heaps keep the "largest" at the front: for longs the
  // highest price (first to be reached by a falling mark), for shorts the lowest. Ties: lower
  // position index first.
  bool before(const Entry& a, const Entry& b) const noexcept {
    if (a.price != b.price) return side_ > 0 ? a.price < b.price : a.price > b.price;
    return a.position > b.position;
  }
  bool crossed(double price, double mark) const noexcept {
    return side_ > 0 ? mark <= price : mark >= price;
  }
  bool base_first() const noexcept;  // the frozen part's front is nearer than the heap's
  void pop_heap();                   // removes the heap's front
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  int side_;
  std::vector<Entry> heap_;
  std::shared_ptr<const std::vector<Entry>> base_;  ///< frozen, nearest first
  std::size_t cursor_ = 0;                          ///< next entry of base_
};

}  // namespace cascade
