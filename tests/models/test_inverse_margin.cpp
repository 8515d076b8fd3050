// Inverse (coin-margined) contracts against the venues' published examples (MODEL.md s. 4).
#include <doctest/doctest.h>

#include <cmath>

#include "models/inverse_margin.hpp"

using namespace cascade;

TEST_CASE("Models.InverseMargin.BybitPublishedCrossExample") {
  // Bybit, "How to calculate Liquidation Price (Inverse Contract)", cross margin: balance 0.5 BTC,
  // long 10,000 contracts (1 USD each) at 8,000, MMR 0.5 %, taker fee 0.075 %.
  const BybitInverse rule(0.005, 0.00075);
  const InversePosition p{1, 10000.0, 1.0, 8000.0, 0.5};
  const double bp = rule.bankruptcy_price(p);
  // Published: 1.00075 * 10000 / (10000/8000 + 0.5) = 5718.57.
  CHECK(bp == doctest::Approx(1.00075 * 10000.0 / 1.75).epsilon(1e-12));
  CHECK(std::abs(bp - 5718.57) < 0.005);
  // The page's equation 10000*(1/8000 - 1/LP) = -(0.5 - 10000/8000*0.5% - 10000*0.00075/BP)
  // evaluated by hand: 1/LP = 1/8000 + (0.5 - 0.00625 - 7.5/5718.5714...)/10000 -> 5739.0835.
  const double by_hand = 1.0 / (1.0 / 8000.0 + (0.5 - 0.00625 - 7.5 * 1.75 / 10007.5) / 10000.0);
  const double lp = rule.liquidation_price(p);
  CHECK(lp == doctest::Approx(by_hand).epsilon(1e-12));
  // The page prints 5,739.50, 7e-5 from its own equation (its rounding of the intermediate
  // steps); the formula is checked exactly above, the printed figure to 1e-4.
  CHECK(std::abs(lp / 5739.50 - 1.0) < 1e-4);
  // Mirror: a short with the same balance is liquidated above the entry, bankrupt further up.
  const InversePosition s{-1, 10000.0, 1.0, 8000.0, 0.5};
  CHECK(rule.bankruptcy_price(s) == doctest::Approx(0.99925 * 10000.0 / 0.75).epsilon(1e-12));
  CHECK(rule.liquidation_price(s) > 8000.0);
  CHECK(rule.liquidation_price(s) < rule.bankruptcy_price(s));
}

TEST_CASE("Models.InverseMargin.BinanceCoinMMaintenanceAmounts") {
  // Binance, "How to Calculate Liquidation Price of COIN-M Futures Contracts": the maintenance
  // amount of level n is floor_n * (mmr_n - mmr_{n-1}) + amount_{n-1}; their example, level 5 of
  // BTCUSD = 50 BTC * (5 % - 2.5 %) + 0.56 BTC = 1.81 BTC. A table in coin whose level 4 has the
  // page's 0.56 BTC gives it:
  const TierTable t({{0, 125, 0.004, 0}, {10, 100, 0.005, 0}, {20, 50, 0.01, 0}, {30, 20, 0.025, 0},
                     {50, 10, 0.05, 0}});
  CHECK(t.rows()[3].cum_usd == doctest::Approx(0.56).epsilon(1e-12));
  CHECK(t.rows()[4].cum_usd == doctest::Approx(1.81).epsilon(1e-12));
  // The page's maintenance example: 100 BTCUSD contracts (100 USD each) at mark 25,000 are
  // 0.4 BTC, level 1 (0.4 %): MM = 0.0016 BTC.
  const BinanceCoinM rule(t);
  const InversePosition p{1, 100.0, 100.0, 25000.0, 0.04};
  CHECK(p.value_coin(25000.0) == doctest::Approx(0.4).epsilon(1e-15));
  CHECK(rule.maintenance_margin(p, 25000.0) == doctest::Approx(0.0016).epsilon(1e-12));
}

TEST_CASE("Models.InverseMargin.BinanceCoinMLiquidationPrice") {
  const TierTable t({{0, 125, 0.004, 0}, {10, 100, 0.005, 0}, {20, 50, 0.01, 0}, {30, 20, 0.025, 0},
                     {50, 10, 0.05, 0}});
  const BinanceCoinM rule(t);
  // Hand case: long 1,000 contracts x 100 USD at 50,000 (2 BTC) with 0.2 BTC margin (10x), in
  // level 1: 0.2 + 100000*(1/50000 - 1/P) = 100000/P * 0.4 %  ->  P = 100400 / 2.2.
  const InversePosition p{1, 1000.0, 100.0, 50000.0, 0.2};
  CHECK(rule.liquidation_price(p) == doctest::Approx(100400.0 / 2.2).epsilon(1e-12));
  CHECK(BinanceCoinM::bankruptcy_price(p) == doctest::Approx(100000.0 / 2.2).epsilon(1e-12));
  // The published formula LP = (B*MMR + B) / (WB + cum + B/EP) (isolated, contracts x size):
  CHECK(rule.liquidation_price(p) == doctest::Approx((100000.0 * 0.004 + 100000.0) / (0.2 + 0 + 2.0)).epsilon(1e-12));
  // A short at 1x is a perfect hedge in coin: never liquidated, never bankrupt.
  const InversePosition hedge{-1, 1000.0, 100.0, 50000.0, 2.0};
  CHECK(std::isnan(rule.liquidation_price(hedge)));
  CHECK(std::isnan(BinanceCoinM::bankruptcy_price(hedge)));
  // A large position whose liquidation value is in a higher level: the root satisfies
  // equity = MM exactly and lies in the bracket of its own coin value, for both sides.
  for (int side : {1, -1}) {
    const InversePosition big{side, 2.0e4, 100.0, 50000.0, 4.0};  // 40 BTC at entry, 10x
    const double lp = rule.liquidation_price(big);
    REQUIRE(lp > 0.0);
    const double v = big.value_coin(lp);
    CHECK(big.equity_coin(lp) == doctest::Approx(rule.maintenance_margin(big, lp)).epsilon(1e-12));
    CHECK(t.bracket_index(v) == (v >= 50 ? 4u : 3u));
    // Just inside the safe side of LP the position is healthy; just past it, it is not.
    const double safe = lp * (1.0 + side * 1e-6), past = lp * (1.0 - side * 1e-6);
    CHECK(big.equity_coin(safe) > rule.maintenance_margin(big, safe));
    CHECK(big.equity_coin(past) < rule.maintenance_margin(big, past));
  }
}
