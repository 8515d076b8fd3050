// `exchange.liquidation`, `exchange.backstop`, `exchange.adl`: the liquidation pipeline of a venue
// (MODEL.md section 5.2, docs/scenario.md "exchange", docs/exchanges.md). Every profile sets its
// venue's defaults; the scenario may override each key.
#include <fmt/format.h>

#include "sim/scenario/sections/sections.hpp"

namespace cascade {

void set_pipeline_defaults(ExchangeSpec& e, Profile profile) {
  e.liquidation = LiquidationSpec{};
  e.backstop = BackstopSpec{};
  if (profile == Profile::Hyperliquid) {
    e.liquidation.mode = LiquidationMode::Partial;
    e.backstop.kind = BackstopKind::Vault;
  } else if (profile == Profile::Bybit) {
    e.liquidation.mode = LiquidationMode::Tiered;
  }
}

void read_pipeline(ExchangeSpec& e, const YamlMap& m) {
  if (const auto v = m.get("liquidation")) {
    const YamlMap l = v->map({"mode", "partial_fraction", "partial_above", "cooldown"});
    if (const auto mode = l.get("mode")) {
      const std::string name = mode->choice({"full", "partial", "tiered"});
      e.liquidation.mode = name == "full"      ? LiquidationMode::Full
                           : name == "partial" ? LiquidationMode::Partial
                                               : LiquidationMode::Tiered;
    }
    e.liquidation.partial_fraction =
        l.number("partial_fraction", e.liquidation.partial_fraction, Range::between(0.0, true, 1.0, true));
    e.liquidation.partial_above_usd =
        l.number("partial_above", e.liquidation.partial_above_usd, Range::non_negative());
    e.liquidation.cooldown_s = l.number("cooldown", e.liquidation.cooldown_s, Range::non_negative());
  }
  if (const auto v = m.get("backstop")) {
    const YamlMap b = v->map({"kind", "capital", "takeover_ratio", "unwind_per_step"});
    if (const auto kind = b.get("kind"))
      e.backstop.kind = kind->choice({"fund", "vault"}) == "fund" ? BackstopKind::Fund : BackstopKind::Vault;
    e.backstop.capital_usd = b.number("capital", e.backstop.capital_usd, Range::non_negative());
    e.backstop.takeover_ratio =
        b.number("takeover_ratio", e.backstop.takeover_ratio, Range::between(0.0, true, 1.0, false));
    e.backstop.unwind_per_step =
        b.number("unwind_per_step", e.backstop.unwind_per_step, Range::between(0.0, true, 1.0, false));
  }
  if (const auto v = m.get("adl")) {
    const YamlMap a = v->map({"policy", "after_fund"});
    if (const auto p = a.get("policy")) {
      const std::string name = p->choice({"queue", "pro_rata", "leverage_drain"});
      e.adl.policy = *adl_policy_from_name(name);
    }
    if (const auto f = a.get("after_fund")) {
      const std::string name = f->choice({"adl", "socialize", "bad_debt"});
      e.adl.after_fund = name == "adl" ? AfterFund::Adl : name == "socialize" ? AfterFund::Socialize : AfterFund::BadDebt;
    }
  }
}

}  // namespace cascade
