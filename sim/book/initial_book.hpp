#pragma once
// The book of positions a path starts from: the positions CSV plus the sampled population.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "sim/book/position_book.hpp"
#include "sim/book/start_book.hpp"  // ForEach
#include "sim/scenario/scenario.hpp"

namespace cascade {

/// One row of the initial book (/positions/initial, `cascade levels --csv`).
struct InitialPosition {
  std::int64_t position = 0;
  std::int32_t account = 0;   ///< index into RunResults::account_names
  std::int32_t asset = 0;
  std::int8_t side = 1;
  double size = 0.0, entry_price = 0.0, margin = 0.0;
  double liquidation_price = std::numeric_limits<double>::quiet_NaN();  ///< NaN: never
  double bankruptcy_price = 0.0;
};

/// Builds the initial positions with their liquidation and bankruptcy prices. Population
/// position i of asset k draws from the streams of position_key(population_seed, k, i) (see
/// sim/plan/random_streams.hpp);
/// CSV positions come first, in file order, then each asset's population in scenario order.
/// The population is sampled in blocks run through `for_each` (the Monte Carlo driver passes a
/// parallel loop); the book is the same, bitwise, however the blocks run.
PositionBook build_initial_book(const Scenario& sc, std::uint64_t population_seed,
                                const ForEach& for_each = serial_for_each);

/// Account index of the first sampled cross-margin account ("cross-0"): after the CSV accounts
/// and one account per sampled position.
std::int32_t first_cross_account(const Scenario& sc);

/// Whether the scenario has sampled cross accounts (a population with cross_share or
/// arrival_cross_share above 0).
bool has_sampled_cross(const Scenario& sc);

/// How position i (of asset k) answers margin calls when it does (PositionBook::kAnswersCalls):
/// its CSV row's columns for a CSV position that has them, else its asset's
/// population.margin_call.
const MarginCallSpec& margin_call_of(const Scenario& sc, std::size_t i, std::size_t k);

/// Names of all accounts: the CSV accounts, then one per sampled position ("ASSET-i").
std::vector<std::string> account_names(const Scenario& sc);

/// Rows for /positions/initial and `cascade levels --csv`.
std::vector<InitialPosition> describe_positions(const PositionBook& book);

}  // namespace cascade
