#pragma once
// A column of the position book that paths can copy in O(pages), sharing unmodified pages.
//
// With the population sampled once per run, every path starts from the same book of up to
// millions of positions, and a path changes only the positions its cascade touches. Copying
// the whole book per path would cost more memory bandwidth than the path itself (80 MB for
// 10^6 positions), so each column is a list of fixed-size pages held by shared pointers:
// copying a column copies the page list; writing to a page that another copy still holds copies
// that page first (copy-on-write). Reads are one extra indirection; a path that liquidates a
// position scattered anywhere copies only the 4096-entry pages it writes to.
//
// Reads go through the const operator[] (returning a value), writes through set() or mut(), so a
// write can never happen by accident through a non-const read.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace cascade {

template <class T>
class PagedColumn {
 public:
  static constexpr std::size_t kShift = 12;
  static constexpr std::size_t kPage = std::size_t{1} << kShift;  ///< entries per page
  static constexpr std::size_t kMask = kPage - 1;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t pages() const noexcept { return pages_.size(); }

  T operator[](std::size_t i) const noexcept { return pages_[i >> kShift][i & kMask]; }
  /// Hints that entry i will be read soon (positions are visited in the order a cascade reaches
  /// them, scattered through the book).
  void prefetch(std::size_t i) const noexcept { __builtin_prefetch(&pages_[i >> kShift][i & kMask]); }
  void set(std::size_t i, T v) { writable(i >> kShift)[i & kMask] = v; }
  /// A reference for read-modify-write (copies the page first when it is shared).
  T& mut(std::size_t i) { return writable(i >> kShift)[i & kMask]; }

  void reserve(std::size_t n) { pages_.reserve((n + kMask) >> kShift); }
  void push_back(T v) {
    if ((size_ & kMask) == 0) pages_.push_back(std::make_shared_for_overwrite<T[]>(kPage));
    writable(size_ >> kShift)[size_ & kMask] = v;
    ++size_;
  }
  void assign(std::size_t n, T v) {
    pages_.clear();
    size_ = 0;
    reserve(n);
    for (std::size_t i = 0; i < n; ++i) push_back(v);
  }

  /// True when page p is the same memory in both columns (unmodified since one was copied from
  /// the other).
  bool same_page(const PagedColumn& other, std::size_t p) const noexcept {
    return p < pages_.size() && p < other.pages_.size() && pages_[p] == other.pages_[p];
  }

 private:
  T* writable(std::size_t p) {
    auto& page = pages_[p];
    // use_count() == 1: no other column holds the page, and none can start to (they would
    // need a copy of this column), so writing in place is safe across threads.
    if (page.use_count() > 1) {
      auto copy = std::make_shared_for_overwrite<T[]>(kPage);  // one allocation with its count
      std::copy(page.get(), page.get() + kPage, copy.get());
      page = std::move(copy);
    }
    return page.get();
  }

  std::vector<std::shared_ptr<T[]>> pages_;
  std::size_t size_ = 0;
};

}  // namespace cascade
