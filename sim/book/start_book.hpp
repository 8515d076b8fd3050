#pragma once
// The state every path of a run starts from, built once from the initial position book.
//
// Everything here depends on the book and the start prices only, never on a path's draws: the
// threshold queues (liquidation, stop-loss and margin-call prices per asset and side), the
// counterparty ledger, the cross-margin accounts armed at the start prices, and the per-asset
// sums the wealth ledger starts from. With `population.sample: per_run` one StartBook serves every
// path: its queues are frozen (sorted once, shared read-only) and its position columns are
// paged, so a path starts in O(pages + assets) however large the book (docs/performance.md).
// Sampled per path, each path builds its own, in O(N).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "models/threshold_queue.hpp"
#include "sim/book/cross_accounts.hpp"
#include "sim/book/paged_column.hpp"
#include "sim/book/position_book.hpp"
#include "sim/plan/run_plan.hpp"

namespace cascade {

struct StartBook {
  /// The queues of one asset; index 0 longs, 1 shorts.
  struct Queues {
    ThresholdQueue liquidation[2] = {ThresholdQueue(1), ThresholdQueue(-1)};
    ThresholdQueue stop[2] = {ThresholdQueue(1), ThresholdQueue(-1)};
    ThresholdQueue call[2] = {ThresholdQueue(1), ThresholdQueue(-1)};  ///< margin-call prices
  };
  /// Per asset: the traders' open size and the counterparty (hedger + liquidity providers).
  struct Ledger {
    double open_long_size = 0.0;     ///< base units
    double open_short_size = 0.0;    ///< base units
    double counter_cash = 0.0;       ///< USD
    double counter_inventory = 0.0;  ///< base units
    /// Over the positions open at the start: sum of (m - s*n*E), USD, and of s*n, base units,
    /// so that their wealth at marks P is position_cash + position_net*P (sim/engine/engine.cpp).
    double position_cash = 0.0;
    double position_net = 0.0;
    double isolated_net = 0.0;  ///< s*n over isolated positions only (funding: sim/engine/funding.cpp)
  };

  PositionBook positions;
  PagedColumn<std::int32_t> cross_slot;  ///< per position: its cross account's slot, or -1
  PagedColumn<std::uint8_t> zero_flags;  ///< per position 0: paths copy it for flags of their own
  std::vector<Queues> queues;            ///< per asset
  std::vector<Ledger> ledgers;           ///< per asset
  CrossAccounts cross;
  std::vector<std::uint32_t> unhealthy_cross;  ///< accounts below maintenance at the start
  std::vector<double> start_prices;            ///< F(0) = the marks at the start, USD
  double open_interest_usd = 0.0;              ///< sum of size x start price, both sides
};

/// Runs body(j) for every j in [0, n), in any order and possibly in parallel.
using ForEach = std::function<void(std::size_t n, const std::function<void(std::size_t)>& body)>;
/// The serial ForEach.
inline void serial_for_each(std::size_t n, const std::function<void(std::size_t)>& body) {
  for (std::size_t j = 0; j < n; ++j) body(j);
}

/// The start of a path from its initial book (positions with LP and BP filled in). `share`:
/// freeze the queues, for a StartBook that many paths copy; the queues are sorted through
/// `for_each` (the ensemble passes a parallel loop; the book itself spawns no threads).
StartBook make_start_book(const RunPlan& plan, PositionBook book, bool share,
                          const ForEach& for_each = serial_for_each);

}  // namespace cascade
