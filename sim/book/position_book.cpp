#include "sim/book/position_book.hpp"

namespace cascade {

void PositionBook::reserve(std::size_t n) {
  asset.reserve(n);
  account.reserve(n);
  side.reserve(n);
  size.reserve(n);
  entry.reserve(n);
  margin.reserve(n);
  liquidation_price.reserve(n);
  bankruptcy_price.reserve(n);
  open.reserve(n);
  cross.reserve(n);
  generation.reserve(n);
  stop_price.reserve(n);
  wallet.reserve(n);
  agent.reserve(n);
  funding_base.reserve(n);
}

std::uint32_t PositionBook::add(std::int32_t asset_index, std::int32_t account_index,
                                const IsolatedPosition& p, bool is_cross) {
  const auto id = static_cast<std::uint32_t>(size.size());
  asset.push_back(asset_index);
  account.push_back(account_index);
  side.push_back(static_cast<std::int8_t>(p.side));
  size.push_back(p.size);
  entry.push_back(p.entry);
  margin.push_back(p.margin);
  liquidation_price.push_back(kNever);
  bankruptcy_price.push_back(is_cross ? kNever : BinanceTiers::bankruptcy_price(p));
  open.push_back(1);
  cross.push_back(is_cross ? 1 : 0);
  generation.push_back(0);
  stop_price.push_back(kNever);
  wallet.push_back(0.0);
  agent.push_back(0);
  funding_base.push_back(0.0);
  return id;
}

}  // namespace cascade
