// The liquidator vault (MODEL.md section 5.2, docs/exchanges.md "Hyperliquid"): a backstop that
// takes a position over at the mark when its equity falls below `takeover_ratio` of its
// maintenance, holds it as inventory, sells it into the book a share at a time
// (`unwind_per_step`, sim/engine/flows.cpp), and is auto-deleveraged itself when its equity goes
// below zero. Its cash is the engine's fund_ (it receives fees and rests and pays deficits, as a
// fund would); its inventory per asset is AssetState::vault_inventory, bought at the positions'
// bankruptcy prices (it got their margin with them): vault_cost.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/engine/engine.hpp"

namespace cascade {

namespace {
/// The bankrupt_position of an ADL fill against the vault's inventory (-1 in /events/adl).
constexpr std::uint32_t kVaultInventory = std::numeric_limits<std::uint32_t>::max();
}  // namespace

double Engine::vault_equity() const noexcept {
  double e = fund_;
  for (const auto& s : assets_) e += s.vault_inventory * s.mark;
  return e;
}

bool Engine::vault_underwater() const noexcept {
  // Below zero by more than rounding of its cash and inventory (a vault that took a position
  // over at exactly its bankruptcy price is at zero up to a few ulps, not underwater).
  double scale = std::abs(fund_);
  for (const auto& s : assets_) scale += std::abs(s.vault_inventory * s.mark);
  return vault_equity() < -1e-9 * scale;
}

void Engine::take_over(std::size_t k, std::uint32_t i) {
  // The trader's position and what is left of its margin go to the vault at the mark; the
  // trader keeps nothing (its maintenance margin is not returned). The vault pays s*n*E - m for
  // exposure s*n: it holds the position at its bankruptcy price.
  auto& s = assets_[k];
  settle_funding(i);
  const IsolatedPosition p = pos_.isolated(i);
  const double cost = p.side * p.size * p.entry - p.margin;
  s.vault_inventory += p.side * p.size;
  s.vault_cost += cost;
  fund_ -= cost;
  fund_flow_ -= cost;
  pos_.open.set(i, PositionBook::kClosed);
  pos_.generation.mut(i) += 1;
  touch(i);
  out_.liquidations += 1;
  out_.asset_liquidations[k] += 1;
  out_.vault_takeovers += 1;
  record_liquidated(step_, round_, k, i, p.side, p.size, s.mark, MarginRule::bankruptcy_price(p));
}

void Engine::take_over_account(std::size_t slot) {
  // A cross account: every leg and the wallet; the wallet lowers the vault's cost of the legs in
  // proportion to their notional.
  auto& acct = cross_[slot];
  // Each leg's bankruptcy price, for its event, before any leg is closed.
  for (std::uint32_t i : acct.positions)
    if (pos_.open[i] == PositionBook::kOpen) pos_.bankruptcy_price.set(i, cross_.bankruptcy_price(slot, i, pos_, marks()));
  acct.open = false;
  double notional = 0.0;
  for (std::uint32_t i : acct.positions)
    if (pos_.open[i] == PositionBook::kOpen) notional += pos_.size[i] * assets_[static_cast<std::size_t>(pos_.asset[i])].mark;
  const double wallet = acct.wallet;
  acct.wallet = 0.0;
  fund_ += wallet;
  fund_flow_ += wallet;
  for (std::uint32_t i : acct.positions) {
    if (pos_.open[i] != PositionBook::kOpen) continue;
    const auto k = static_cast<std::size_t>(pos_.asset[i]);
    auto& s = assets_[k];
    const double n = pos_.size[i], leg = n * s.mark;
    const double cost = pos_.side[i] * n * pos_.entry[i];
    s.vault_inventory += pos_.side[i] * n;
    s.vault_cost += cost - (notional > 0.0 ? wallet * leg / notional : 0.0);
    fund_ -= cost;
    fund_flow_ -= cost;
    pos_.open.set(i, PositionBook::kClosed);
    touch(i);
    out_.liquidations += 1;
    out_.asset_liquidations[k] += 1;
    out_.vault_takeovers += 1;
    record_liquidated(step_, round_, k, i, pos_.side[i], n, s.mark, pos_.bankruptcy_price[i]);
  }
}

void Engine::deleverage_vault(int t, int round, double& backstop_left) {
  // Underwater: the deficit is carried by the vault's losing legs in proportion to their losses,
  // each closed against profitable opposite positions at the price that covers its share
  // (the same rule as a cross account's, MODEL.md section 5.1).
  if (!vault_underwater()) return;
  const double equity = vault_equity();
  const double deficit = -equity;
  double losses = 0.0;
  for (const auto& s : assets_) losses += std::max(0.0, s.vault_cost - s.vault_inventory * s.mark);
  if (!(losses > 0.0)) return;
  for (std::size_t k = 0; k < assets_.size(); ++k) {
    auto& s = assets_[k];
    const double loss = s.vault_cost - s.vault_inventory * s.mark;
    if (!(loss > 0.0) || s.vault_inventory == 0.0) continue;
    const int side = s.vault_inventory > 0.0 ? 1 : -1;
    const double size = std::abs(s.vault_inventory), share = deficit * (loss / losses);
    const double price = s.mark + side * share / size;
    double taken = deleverage({k, kVaultInventory, side, size, price, share / size}, t, round);
    if (!(taken > 0.0)) continue;
    if (size - taken <= 1e-9 * size) taken = size;
    out_.adl_deficit_covered += taken * share / size;
    const double cost = s.vault_cost * (taken / size);
    s.vault_cost -= cost;
    s.vault_inventory -= side * taken;
    fund_ += side * taken * price;
    fund_flow_ += side * taken * price;
  }
  backstop_left = backstop_available();
}

}  // namespace cascade
