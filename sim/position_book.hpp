#pragma once
// The positions of one path, as a structure of arrays (the hot data of the step loop).
#include <cstdint>
#include <vector>

#include "models/margin_rule.hpp"

namespace cascade {

struct PositionBook {
  std::vector<std::int32_t> asset;
  std::vector<std::int32_t> account;
  std::vector<std::int8_t> side;          ///< +1 long, -1 short
  std::vector<double> size;               ///< base units
  std::vector<double> entry;              ///< USD per base unit
  std::vector<double> margin;             ///< USD (isolated)
  std::vector<double> liquidation_price;  ///< USD per base unit, NaN = never
  std::vector<double> bankruptcy_price;   ///< USD per base unit
  std::vector<std::uint8_t> open;
  std::vector<std::uint8_t> cross;        ///< 1: margin is the account's cross wallet
  std::vector<std::uint32_t> generation;  ///< bumped whenever the liquidation price changes

  /// Cross-margin wallets: account index and wallet, USD (only accounts with a wallet).
  std::vector<std::int32_t> wallet_account;
  std::vector<double> wallet_usd;

  std::size_t count() const noexcept { return size.size(); }
  void reserve(std::size_t n);
  /// Appends an open position; LP and BP are filled in by the caller.
  std::uint32_t add(std::int32_t asset_index, std::int32_t account_index, const IsolatedPosition& p,
                    bool is_cross = false);
  IsolatedPosition isolated(std::size_t i) const noexcept {
    return IsolatedPosition{side[i], size[i], entry[i], margin[i]};
  }
};

}  // namespace cascade
