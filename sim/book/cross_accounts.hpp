#pragma once
// Cross-margin accounts of one path: a wallet shared by positions on several assets
// (MODEL.md section 4, issue 3), liquidated as a whole when
// wallet + sum of unrealised PnL < sum of maintenance margins (funding is settled into the wallet).
//
// An account has no single liquidation price, so instead of scanning every account each round
// the engine arms each account with a *safe band* per asset: with surplus S = equity - MM and
// A assets held, a move of asset k by less than S / (A * sum_k n*(1 + mmr_max_k)) cannot make
// the account unhealthy while the other assets also stay in their bands. The band edges go
// into per-asset threshold heaps; only accounts whose band an asset's mark leaves are checked
// exactly (and re-armed if still healthy). A quiet step costs O(assets), like isolated positions.
#include <cstdint>
#include <vector>

#include "models/margin_profile.hpp"
#include "models/threshold_queue.hpp"
#include "sim/book/position_book.hpp"

namespace cascade {

class CrossAccounts {
 public:
  struct Account {
    std::int32_t id = 0;                  ///< account index (Scenario / results account names)
    double wallet = 0.0;                  ///< USD, funding settled in
    std::vector<std::uint32_t> positions; ///< open cross positions
    std::vector<std::uint32_t> assets;    ///< distinct assets held
    std::uint32_t generation = 0;
    bool open = true;
  };

  CrossAccounts() = default;
  /// Every account holding cross positions in `pos`; wallets from pos.wallet_account/usd.
  CrossAccounts(const PositionBook& pos, std::size_t n_assets);

  bool empty() const noexcept { return accounts_.empty(); }
  std::size_t size() const noexcept { return accounts_.size(); }
  Account& operator[](std::size_t slot) noexcept { return accounts_[slot]; }
  const Account& operator[](std::size_t slot) const noexcept { return accounts_[slot]; }

  /// Equity: wallet (funding settled in) + sum of s*n*(mark - E), USD.
  double equity(std::size_t slot, const PositionBook& pos, const std::vector<double>& marks) const;
  double maintenance(std::size_t slot, const PositionBook& pos, const std::vector<double>& marks,
                     const std::vector<MarginRule>& rules) const;

  /// Computes the account's safe band at the current marks and pushes its triggers. Returns
  /// false (and pushes nothing) when the account is already unhealthy.
  bool arm(std::size_t slot, const PositionBook& pos, const std::vector<double>& marks,
           const std::vector<MarginRule>& rules);

  /// Appends to `out` the slots of open accounts whose band asset k's mark has left.
  void pop_triggered(std::size_t k, double mark, std::vector<std::uint32_t>& out);

 private:
  std::vector<Account> accounts_;
  std::vector<ThresholdQueue> down_, up_;  ///< per asset: fire when mark <= / >= the edge
  std::vector<double> mmr_max_;            ///< per asset
};

}  // namespace cascade
