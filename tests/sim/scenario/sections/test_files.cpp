// The scenario's CSV inputs (positions, accounts, price replay): their errors, located in the
// CSV file by line and column and naming the column.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/sim/scenario/support.hpp"

using cascade::load_scenario;
using cascade::Scenario;
using namespace cascade::test;

// ---- CSV errors ----------------------------------------------------------------------------

namespace {

/// Writes `csv` as positions.csv (and accounts.csv when given) next to the base scenario and
/// checks the error location (`where` is LINE or LINE:COL in the CSV) and content.
void expect_positions_error(const std::string& csv, const std::string& where,
                            const std::string& part, const std::string& accounts = "") {
  TempDir tmp;
  const std::string pos = tmp.write("positions.csv", csv);
  std::string yaml = kBase + "positions:\n  file: positions.csv\n";
  std::string expected_file = pos;
  if (!accounts.empty()) {
    const std::string acc = tmp.write("accounts.csv", accounts);
    yaml += "  accounts: accounts.csv\n";
    if (where.rfind("acc:", 0) == 0) expected_file = acc;
  }
  const std::string msg = error_of(tmp.write("s.yaml", yaml));
  INFO("message: " << msg);
  const std::string loc = where.rfind("acc:", 0) == 0 ? where.substr(4) : where;
  CHECK(starts_with(msg, expected_file + ":" + loc + ": error: "));
  CHECK(contains(msg, part));
}

}  // namespace

TEST_CASE("Scenario.Error.PositionsColumns") {
  expect_positions_error("account,asset,side,size,entry_price,margin,mode,note\n", "1:49",
                         "unknown column 'note' (did you mean 'mode'?)");
  expect_positions_error("account,asset,side,size,entry,margin,mode\n", "1:25",
                         "unknown column 'entry'");
  expect_positions_error("account,asset,side,size,entry_price,margin\n", "1",
                         "missing column 'mode'");
  expect_positions_error("account,asset,side,size,size,margin,mode\n", "1:25",
                         "column 'size' appears twice");
  expect_positions_error(kPosHeader + "a,BTC,long,1,30000,500\n", "2", "expected 7 fields");
}

TEST_CASE("Scenario.Error.PositionsValues") {
  expect_positions_error(
      kPosHeader + "a,BTC,long,1,30000,500,isolated\na,ETH,long,1,2000,50,isolated\n", "3:3",
      "column 'asset': unknown asset 'ETH'");
  expect_positions_error(kPosHeader + "a,BTC,buy,1,30000,500,isolated\n", "2:7",
                         "column 'side': expected long or short, got 'buy'");
  expect_positions_error(kPosHeader + "a,BTC,long,1,30000,500,portfolio\n", "2:24",
                         "column 'mode': expected isolated or cross");
  expect_positions_error(kPosHeader + "a,BTC,long,0,30000,500,isolated\n", "2:12",
                         "column 'size': expected a number > 0");
  expect_positions_error(kPosHeader + "a,BTC,long,1,x,500,isolated\n", "2:14",
                         "column 'entry_price': expected a number > 0, got 'x'");
  expect_positions_error(kPosHeader + "a,BTC,long,1,30000,,isolated\n", "2:20",
                         "column 'margin': an isolated position needs a margin > 0");
  expect_positions_error(kPosHeader + "a,BTC,long,1,30000,500,cross\n", "2:20",
                         "column 'margin': must be empty for a cross position");
  expect_positions_error(kPosHeader + ",BTC,long,1,30000,500,isolated\n", "2:1",
                         "empty account name");
}

TEST_CASE("Scenario.Error.PositionsLeverage") {
  // Notional 60000 is in the second tier (max 100x); 60000/500 = 120x.
  expect_positions_error(kPosHeader + "a,BTC,long,2,30000,500,isolated\n", "2:20",
                         "column 'margin': leverage 120x");
  expect_positions_error(kPosHeader + "a,BTC,long,2,30000,500,isolated\n", "2:20", "limit 100x");
  // The same leverage in the first tier (max 125x) is accepted.
  TempDir tmp;
  tmp.write("positions.csv", kPosHeader + "a,BTC,long,1,30000,250,isolated\n");
  CHECK(load_scenario(tmp.write("s.yaml", kBase + "positions: {file: positions.csv}\n"))
            .positions.size() == 1);
}

TEST_CASE("Scenario.Error.Accounts") {
  const std::string cross =
      kPosHeader + "a,BTC,long,1,30000,500,isolated\nf,BTC,long,1,30000,,cross\n";
  expect_positions_error(cross, "3:1", "account 'f' has a cross position but no wallet",
                         "account,wallet\na,10\n");
  expect_positions_error(cross, "acc:3:1", "account 'f' is listed twice (first at line 2)",
                         "account,wallet\nf,10\nf,20\n");
  expect_positions_error(cross, "acc:2:3", "column 'wallet': expected a number >= 0",
                         "account,wallet\nf,-1\n");
  expect_positions_error(cross, "acc:1", "missing column 'wallet'", "account\nf\n");
  // Without an accounts file at all.
  TempDir tmp;
  tmp.write("positions.csv", cross);
  const std::string msg =
      error_of(tmp.write("s.yaml", kBase + "positions: {file: positions.csv}\n"));
  CHECK(starts_with(msg, tmp.path("positions.csv") + ":3:1: error: column 'account'"));
}

namespace {

void expect_replay_error(const std::string& steps, const std::string& csv, const std::string& where,
                         const std::string& part) {
  TempDir tmp;
  const std::string prices = tmp.write("prices.csv", csv);
  const std::string msg =
      error_of(tmp.write("s.yaml", kBase + "  ETH:\n    price: 1\n" + kTiers + "dt: 10\n" + steps +
                                       "replay: prices.csv\n"));
  INFO("message: " << msg);
  CHECK(starts_with(msg, prices + (where.empty() ? "" : ":" + where) + ": error: "));
  CHECK(contains(msg, part));
}

}  // namespace

TEST_CASE("Scenario.Error.Replay") {
  const std::string ok = "time,asset,price\n0,BTC,100\n0,ETH,10\n10,BTC,99\n10,ETH,9\n";
  // A missing row is reported at the line where it belongs: that of the row found in its place,
  // or after the last row.
  expect_replay_error("", "time,asset,price\n0,BTC,100\n0,ETH,10\n10,BTC,99\n", "5",
                      "no row for time 10 s, asset ETH");
  expect_replay_error("steps: 2\n", ok, "6", "no row for time 20 s, asset BTC");
  expect_replay_error("steps: 2\n", "time,asset,price\n0,BTC,100\n0,ETH,10\n20,BTC,99\n20,ETH,9\n",
                      "4", "no row for time 10 s, asset BTC");
  expect_replay_error("steps: 0\n", ok, "4:1", "column 'time': time 10 s is beyond the horizon");
  expect_replay_error("", ok + "10,BTC,98\n", "6",
                      "duplicate row for time 10 s, asset BTC (first at line 4)");
  expect_replay_error("", ok + "15,BTC,98\n", "6:1",
                      "column 'time': time 15 s is not on the step grid");
  expect_replay_error("", ok + "20,SOL,98\n", "6:4", "column 'asset': unknown asset 'SOL'");
  expect_replay_error("", ok + "20,BTC,0\n", "6:8", "column 'price': expected a number > 0");
  expect_replay_error("", ok + "-10,BTC,1\n", "6:1", "column 'time': expected a number >= 0");
  expect_replay_error("", "time,asset\n", "1", "missing column 'price'");
  expect_replay_error("", "", "1:1", "empty CSV file");
}

// ---- Optional columns: stops and margin-call behaviour of CSV positions and accounts ---------

namespace {

/// 1-based column of field n (0-based) of a CSV line without quotes.
int field_col(const std::string& line, int n) {
  int col = 1;
  for (int f = 0; f < n; ++f) col = static_cast<int>(line.find(',', static_cast<std::size_t>(col - 1))) + 2;
  return col;
}

const std::string kCallHeader =
    "account,asset,side,size,entry_price,margin,mode,stop_price,margin_call,warning_ratio,call_amount,"
    "top_up_wallet\n";

}  // namespace

TEST_CASE("Scenario.Load.PositionsStopAndMarginCallColumns") {
  TempDir tmp;
  tmp.write("positions.csv", kCallHeader +
                                 "a,BTC,long,1,30000,500,isolated,29000,top_up,0.5,0.25,1000\n"
                                 "b,BTC,short,1,30000,500,isolated,,reduce,,0.3,\n"
                                 "c,BTC,long,1,30000,500,isolated,,,,,\n"
                                 "f,BTC,short,2,30000,,cross,31000,,,,\n");
  tmp.write("accounts.csv", "account,wallet,margin_call,warning_ratio,call_amount,top_up_wallet\n"
                            "f,5000,top_up,0.6,0.5,2500\n");
  const Scenario s = load_scenario(
      tmp.write("s.yaml", kBase + "positions: {file: positions.csv, accounts: accounts.csv}\n"));
  REQUIRE(s.positions.size() == 4);
  REQUIRE(s.position_agents.size() == 4);
  const auto& a = s.position_agents[0];
  CHECK(a.stop_usd == 29000.0);
  REQUIRE(a.margin_call);
  CHECK(a.margin_call->top_up_probability == 1.0);
  CHECK(a.margin_call->reduce_probability == 0.0);
  CHECK(a.margin_call->warning_ratio == 0.5);
  CHECK(a.margin_call->top_up_amount == 0.25);
  CHECK(a.top_up_wallet_usd == 1000.0);
  const auto& b = s.position_agents[1];
  CHECK(std::isnan(b.stop_usd));
  REQUIRE(b.margin_call);
  CHECK(b.margin_call->reduce_probability == 1.0);
  CHECK(b.margin_call->reduce_fraction == 0.3);
  CHECK(b.margin_call->warning_ratio == 0.8);  // the default
  CHECK_FALSE(s.position_agents[2].margin_call);
  CHECK(s.position_agents[3].stop_usd == 31000.0);  // a cross leg's own stop
  const auto& f = *s.account_agent(static_cast<std::size_t>(s.positions[3].account));
  REQUIRE(f.margin_call);
  CHECK(f.margin_call->warning_ratio == 0.6);
  CHECK(f.top_up_wallet_usd == 2500.0);
  // The columns are optional: the seven required ones alone load as before.
  tmp.write("positions.csv", kPosHeader + "a,BTC,long,1,30000,500,isolated\n");
  const Scenario plain = load_scenario(tmp.write("s2.yaml", kBase + "positions: {file: positions.csv}\n"));
  CHECK(std::isnan(plain.position_agents[0].stop_usd));
  CHECK_FALSE(plain.position_agents[0].margin_call);
}

TEST_CASE("Scenario.Error.PositionsStopAndMarginCallColumns") {
  const auto at = [](const std::string& row, int field) {
    return "2:" + std::to_string(field_col(row, field));
  };
  std::string r = "a,BTC,long,1,30000,500,isolated,-5,,,,\n";
  expect_positions_error(kCallHeader + r, at(r, 7), "column 'stop_price': expected a number > 0");
  r = "a,BTC,long,1,30000,500,isolated,,sometimes,,,\n";
  expect_positions_error(kCallHeader + r, at(r, 8),
                         "column 'margin_call': expected ignore, top_up or reduce, got 'sometimes'");
  r = "a,BTC,long,1,30000,500,isolated,,,0.5,,\n";
  expect_positions_error(kCallHeader + r, at(r, 9), "column 'warning_ratio': needs column 'margin_call'");
  r = "a,BTC,long,1,30000,500,isolated,,top_up,0.004,,\n";
  expect_positions_error(kCallHeader + r, at(r, 9),
                         "column 'warning_ratio': warning ratio 0.004 must be above the maintenance rate 0.005");
  r = "a,BTC,long,1,30000,500,isolated,,top_up,1.5,,\n";
  expect_positions_error(kCallHeader + r, at(r, 9), "column 'warning_ratio': expected a number in (0, 1)");
  r = "a,BTC,long,1,30000,500,isolated,,reduce,,1.5,\n";
  expect_positions_error(kCallHeader + r, at(r, 10), "column 'call_amount': expected a number in (0, 1]");
  r = "a,BTC,long,1,30000,500,isolated,,ignore,,0.5,\n";
  expect_positions_error(kCallHeader + r, at(r, 10), "column 'call_amount': only with margin_call top_up or reduce");
  r = "a,BTC,long,1,30000,500,isolated,,reduce,,,100\n";
  expect_positions_error(kCallHeader + r, at(r, 11), "column 'top_up_wallet': only with margin_call top_up");
  r = "a,BTC,long,1,30000,500,isolated,,top_up,,,-1\n";
  expect_positions_error(kCallHeader + r, at(r, 11), "column 'top_up_wallet': expected a number >= 0");
  r = "a,BTC,long,1,30000,,cross,,top_up,,,\n";
  expect_positions_error(kCallHeader + r, at(r, 8),
                         "column 'margin_call': a cross position's margin calls are its account's",
                         "account,wallet\na,1000\n");
  expect_positions_error(kPosHeader.substr(0, kPosHeader.size() - 1) + ",stop\n", "1:49",
                         "(expected columns: account,asset,side,size,entry_price,margin,mode; "
                         "optional: stop_price,margin_call");
  // Accounts: the same columns, checked against every asset's tiers.
  const std::string cross = kPosHeader + "a,BTC,long,1,30000,,cross\n";
  const std::string acc_header = "account,wallet,margin_call,warning_ratio,call_amount,top_up_wallet\n";
  r = "a,1000,top_up,0.001,,\n";
  expect_positions_error(cross, "acc:" + at(r, 3), "column 'warning_ratio': warning ratio 0.001",
                         acc_header + r);
  r = "a,1000,,,0.5,\n";
  expect_positions_error(cross, "acc:" + at(r, 4), "column 'call_amount': needs column 'margin_call'",
                         acc_header + r);
}
