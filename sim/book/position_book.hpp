#pragma once
// The positions of one path, as a structure of arrays (the hot data of the step loop).
//
// Columns are paged (sim/book/paged_column.hpp): a path that starts from a book shared by the whole
// run copies page lists, not positions, and pays only for the pages its cascade writes to.
#include <cstdint>
#include <vector>

#include "models/margin_rule.hpp"
#include "sim/book/paged_column.hpp"

namespace cascade {

struct PositionBook {
  /// `open` states. A position in liquidation has been taken over by the liquidation engine,
  /// which is still selling it (the book could not fill all of it: MODEL.md section 3, the cap);
  /// it is still held, valued at the mark, and offered to the book again every round.
  static constexpr std::uint8_t kClosed = 0;
  static constexpr std::uint8_t kOpen = 1;
  static constexpr std::uint8_t kInLiquidation = 2;
  /// `agent` bits: what a position's account does besides holding it (docs/agents.md).
  static constexpr std::uint8_t kAnswersCalls = 1;  ///< answers margin calls (population.margin_call)
  static constexpr std::uint8_t kIgnoredCall = 2;   ///< ignored a call: no further calls
  static constexpr std::uint8_t kOrderInRound = 4;  ///< has an agent order in the current round

  PagedColumn<std::int32_t> asset;
  PagedColumn<std::int32_t> account;
  PagedColumn<std::int8_t> side;          ///< +1 long, -1 short
  PagedColumn<double> size;               ///< base units
  PagedColumn<double> entry;              ///< USD per base unit
  PagedColumn<double> margin;             ///< USD (isolated), funding settled up to funding_base
  PagedColumn<double> liquidation_price;  ///< USD per base unit, NaN = never
  PagedColumn<double> bankruptcy_price;   ///< USD per base unit
  PagedColumn<std::uint8_t> open;        ///< kClosed, kOpen or kInLiquidation
  PagedColumn<std::uint8_t> cross;        ///< 1: margin is the account's cross wallet
  PagedColumn<std::uint32_t> generation;  ///< bumped whenever the liquidation price changes
  PagedColumn<double> stop_price;         ///< USD per base unit, NaN = no stop-loss
  PagedColumn<double> wallet;             ///< USD the account can still add in top-ups
  PagedColumn<std::uint8_t> agent;        ///< kAnswersCalls | kIgnoredCall
  PagedColumn<double> funding_base;       ///< the asset's funding index when last settled, USD

  /// Cross-margin wallets: account index and wallet, USD (only accounts with a wallet).
  std::vector<std::int32_t> wallet_account;
  std::vector<double> wallet_usd;

  std::size_t count() const noexcept { return size.size(); }
  void reserve(std::size_t n);
  /// Appends an open position (no stop, no agent); LP and BP are filled in by the caller.
  std::uint32_t add(std::int32_t asset_index, std::int32_t account_index, const IsolatedPosition& p,
                    bool is_cross = false);
  IsolatedPosition isolated(std::size_t i) const noexcept {
    return IsolatedPosition{side[i], size[i], entry[i], margin[i]};
  }
};

}  // namespace cascade
