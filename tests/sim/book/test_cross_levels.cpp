// Liquidation map prices of cross-margin positions.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/book/cross_levels.hpp"
#include "sim/book/cross_accounts.hpp"
#include "sim/book/initial_book.hpp"
#include "tests/sim/engine/fixtures.hpp"

using namespace cascade;
using namespace cascade::testing;

TEST_CASE("Levels.Cross.AccountThresholdPerAsset") {
  Scenario sc;
  sc.file = "fixture";
  sc.assets = {aix_asset("AIX", 2.0, 1e6), aix_asset("BIX", 10.0, 1e6)};
  sc.accounts = {{"fund", 3000.0}, {"iso", std::nullopt}};
  sc.positions = {{0, 0, 1, 10000.0, 2.0, 0.0, true, 0}, {0, 1, -1, 1000.0, 10.0, 0.0, true, 0},
                  {1, 0, 1, 100.0, 2.0, 20.0, false, 0}};
  const RunPlan plan(sc);
  const PositionBook book = build_initial_book(sc, 0);
  auto rows = describe_positions(book);
  const std::vector<double> start{2.0, 10.0};
  const double iso_lp = rows[2].liquidation_price;
  fill_cross_levels(plan, book, start, rows);
  CHECK(rows[2].liquidation_price == iso_lp);  // isolated rows untouched

  const CrossAccounts acc(book, 2);
  auto gap = [&](std::vector<double> m) { return acc.equity(0, book, m) - acc.maintenance(0, book, m, plan.rules); };
  // AIX long: the account falls when AIX drops to this price with BIX at 10.
  const double lp_aix = rows[0].liquidation_price;
  REQUIRE(lp_aix < 2.0);
  CHECK(std::abs(gap({lp_aix, 10.0})) < 1e-7);
  CHECK(gap({lp_aix * 1.001, 10.0}) > 0.0);
  // BIX short: it falls when BIX rises to this price with AIX at 2.
  const double lp_bix = rows[1].liquidation_price;
  REQUIRE(lp_bix > 10.0);
  CHECK(std::abs(gap({2.0, lp_bix})) < 1e-7);
  // Bankruptcy: equity zero, beyond the liquidation price.
  CHECK(rows[0].bankruptcy_price < lp_aix);
  CHECK(std::abs(acc.equity(0, book, {rows[0].bankruptcy_price, 10.0})) < 1e-7);
  CHECK(rows[1].bankruptcy_price > lp_bix);
}
