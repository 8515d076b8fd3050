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
#include "sim/scenario/scenario.hpp"

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
    /// How the account answers margin calls on its margin ratio MM / equity (null: it does not;
    /// docs/agents.md), the USD it can still add in top-ups, and whether it ignored a call.
    const MarginCallSpec* margin_call = nullptr;
    double top_up_left = 0.0;
    bool ignored_call = false;
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
  /// false (and pushes nothing) when the account needs a look now: below its maintenance, or at
  /// or past its margin call while it still answers calls. An account that answers calls is
  /// armed against the call (equity = MM / warning_ratio) until it is called, then against
  /// liquidation.
  bool arm(std::size_t slot, const PositionBook& pos, const std::vector<double>& marks,
           const std::vector<MarginRule>& rules);
  /// Bankruptcy price of cross leg i: the price of its asset k at which the account's equity is
  /// zero with every other asset at `marks` (mark_k - equity / N_k, N_k the account's net signed
  /// size in k); for a leg whose side the net does not share (a hedged asset), the price at
  /// which that leg alone would bring the account to zero. `cascade levels`, /positions/initial
  /// and the liquidation events all use it (it may be <= 0 for an account deep under water: no
  /// price of that asset alone brings it back to zero).
  double bankruptcy_price(std::size_t slot, std::uint32_t i, const PositionBook& pos,
                          const std::vector<double>& marks) const;

  /// Whether the account answers calls and its margin ratio MM / equity has reached the warning
  /// ratio (and it is not below maintenance).
  bool in_call(std::size_t slot, double equity, double maintenance) const noexcept;

  /// The slot of account `id`, or -1.
  std::int32_t slot_of(std::int32_t id) const noexcept;
  /// A new empty account (a cross position arriving into an account that had none); its slot.
  std::size_t add_account(std::int32_t id);
  /// Adds open cross position i of asset k to the account at `slot`.
  void add_position(std::size_t slot, std::uint32_t i, std::uint32_t k);

  /// Appends to `out` the slots of open accounts whose band asset k's mark has left.
  void pop_triggered(std::size_t k, double mark, std::vector<std::uint32_t>& out);

 private:
  std::vector<Account> accounts_;
  std::vector<ThresholdQueue> down_, up_;  ///< per asset: fire when mark <= / >= the edge
  std::vector<double> mmr_max_;            ///< per asset
};

}  // namespace cascade
