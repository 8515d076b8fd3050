#pragma once
// The bodies TBB copies into its task objects. Those live in TBB's own pool, and their hand-over
// between threads is invisible to ThreadSanitizer (Debian's libtbb is not instrumented), so a
// read of a body's members or of its range looks like a race to it. This header holds only
// that reading, so that `tools/tsan-tbb.supp` can suppress exactly it
// (`race_top:sim/ensemble/tbb_bodies.hpp`); the work the bodies call is not suppressed.
#include <tbb/blocked_range.h>

#include <cstddef>

namespace cascade {

/// Calls (*run)(i) for every index of the range TBB hands over.
template <class F>
struct RowsBody {
  const F* run;
  void operator()(const tbb::blocked_range<std::size_t>& r) const {
    for (std::size_t i = r.begin(); i != r.end(); ++i) (*run)(i);
  }
};

}  // namespace cascade
