#pragma once
// Auto-deleveraging policies (MODEL.md section 5.2): given the candidates for one bankrupt
// position — profitable opposite positions in the same asset, each with how much it can take at
// the bankrupt position's price — how much each gives up. Every policy obeys section 5.1 (at most
// the demand, at most each candidate's capacity); they differ only in whom they choose:
//
//   queue           in the profile's ranking order (the order given), each as much as it can;
//   pro_rata        every candidate the same fraction of its size (a candidate whose capacity
//                   binds gives its capacity; the others share the rest equally: water-filling);
//   leverage_drain  the most levered first, water-filling so that the largest effective leverage
//                   left among the candidates is as small as possible (Campbell, Hey, Moallemi,
//                   Nutz 2026, "Risk-Based Auto-Deleveraging"). Effective leverage is the notional
//                   left at the mark over the equity before the fill, (size - y)*mark / equity:
//                   it falls as a candidate gives, for every candidate. (Counting the fill's own
//                   cost in the equity would make it rise for a cross leg whose account cannot pay
//                   for all of its size, and the level ill-defined.) A candidate with no equity
//                   left at the mark is infinitely levered: those give first.
//
// Plain arithmetic on plain data: no positions, no engine. sim/engine/adl.cpp builds the
// candidates and applies the allocation.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace cascade {

enum class AdlPolicy { Queue, ProRata, LeverageDrain };

std::optional<AdlPolicy> adl_policy_from_name(std::string_view name) noexcept;
std::string_view adl_policy_name(AdlPolicy p) noexcept;

struct AdlCandidate {
  double size = 0.0;           ///< base units held
  double capacity = 0.0;       ///< base units it can give at the price (<= size; 0: it cannot take it)
  double mark = 0.0;           ///< USD per base unit
  double equity = 0.0;         ///< equity behind it (the position's, or its cross account's), USD, > 0
  /// Effective leverage after giving y, on the equity before the fill: (size - y)*mark / equity.
  double leverage_after(double y) const noexcept { return (size - y) * mark / equity; }
};

/// How much each candidate gives up (same order as `candidates`), summing to
/// min(demand, total capacity).
std::vector<double> allocate_adl(AdlPolicy policy, std::span<const AdlCandidate> candidates, double demand);

}  // namespace cascade
