#pragma once
// Liquidation thresholds of one asset and side, ordered so that the next position to fall is
// always at the front (MODEL.md section 5; docs/engine.md "Event-driven thresholds").
//
// A step asks "which positions has the mark crossed?" — answered by popping from a binary heap
// until the front is no longer crossed, so a quiet step costs O(1) and a liquidation O(log N),
// whatever the number of positions. Longs fall when the mark drops to their threshold (max-heap
// on price); shorts when it rises to theirs (min-heap). Ties break on the position index, so the
// pop order is deterministic. Thresholds that change (funding, top-ups: later issues) are
// re-pushed with a new generation and stale entries are skipped lazily.
#include <cstdint>
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
  std::size_t size() const noexcept { return heap_.size(); }
  bool empty() const noexcept { return heap_.empty(); }
  void clear() noexcept { heap_.clear(); }
  void reserve(std::size_t n) { heap_.reserve(n); }

  /// Appends without ordering; call build() once after a batch of add().
  void add(Entry e) { heap_.push_back(e); }
  /// Orders everything added so far: O(N).
  void build();
  /// Inserts one entry into a built queue: O(log N).
  void push(Entry e);

  /// True when the front threshold is crossed by `mark`.
  bool front_crossed(double mark) const noexcept;
  const Entry& front() const noexcept { return heap_.front(); }
  /// Removes the front entry: O(log N).
  void pop();

  /// Pops every crossed entry into `out` (appending), skipping those for which
  /// `is_current(entry)` is false (stale generations, closed positions).
  template <class IsCurrent, class Out>
  void pop_crossed(double mark, IsCurrent&& is_current, Out& out) {
    while (!heap_.empty() && front_crossed(mark)) {
      const Entry e = heap_.front();
      pop();
      if (is_current(e)) out.push_back(e);
    }
  }

 private:
  bool before(const Entry& a, const Entry& b) const noexcept;  // heap "less": b is nearer the mark
  int side_;
  std::vector<Entry> heap_;
};

}  // namespace cascade
