#pragma once
// Bitwise comparison of one metric of two outcomes, whatever its type (a real quantity or a
// count): the conformance checks (threads, shards, MPI, the file round trip) compare through it.
#include <cstring>
#include <type_traits>
#include <vector>

#include "sim/results/schema.hpp"

namespace cascade::test {

template <class T>
bool same_bits(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) return std::memcmp(&a, &b, sizeof a) == 0;
  else return a == b;
}

inline bool same_metric(const PathOutcome& a, const PathOutcome& b, const SummaryMetric& m) {
  return std::visit([&](auto f) { return same_bits(a.*f, b.*f); }, m.field);
}

inline bool same_metric(const PathOutcome& a, const PathOutcome& b, const AssetMetric& m) {
  return std::visit(
      [&](auto f) {
        const auto &x = a.*f, &y = b.*f;
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
          if (!same_bits(x[i], y[i])) return false;
        return true;
      },
      m.field);
}

}  // namespace cascade::test
