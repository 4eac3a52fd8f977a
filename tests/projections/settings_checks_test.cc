// Each projection's settings check names the setting no evaluation could use, one
// case per setting, in one table for every projection that has such a check.

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "projections/loyalty/loyalty.h"
#include "projections/satisfaction/satisfaction_projection.h"

namespace rapport::projections {
namespace {

struct Case {
  Status (*check)(const DomainSettings&);
  std::function<void(DomainSettings&)> change;
  std::string field;
};

TEST_CASE("settings checks name the setting no evaluation could use", "[settings][loyalty][satisfaction]") {
  const std::vector<Case> cases = {
      {CheckLoyaltySettings, [](DomainSettings& s) { s.loyalty.weights.tenure = -0.1; },
       "domain.loyalty.weights.tenure"},
      {CheckLoyaltySettings, [](DomainSettings& s) { s.loyalty.frequency_target = 0; },
       "domain.loyalty.frequency_target"},
      {CheckLoyaltySettings, [](DomainSettings& s) { s.value.high_loyalty_score = 1.5; },
       "domain.value.high_loyalty_score"},
      {CheckLoyaltySettings, [](DomainSettings& s) { s.value.inactive_after_days = 0; },
       "domain.value.inactive_after_days"},
      {CheckLoyaltySettings, [](DomainSettings& s) { s.loyalty.weights = {0, 0, 0, 1, 0, 0, 1}; },
       "domain.loyalty.weights.repeat_purchase"},
      {CheckSatisfactionSettings, [](DomainSettings& s) { s.satisfaction.gap_half_life_days = 0; },
       "domain.satisfaction.gap_half_life_days"},
      {CheckSatisfactionSettings, [](DomainSettings& s) { s.satisfaction.trend_buckets = 1; },
       "domain.satisfaction.trend_buckets"},
      {CheckSatisfactionSettings, [](DomainSettings& s) { s.satisfaction.trend_threshold.nps = -1; },
       "domain.satisfaction.trend_threshold.nps"},
      // The projection ranks: value settings are checked too.
      {CheckSatisfactionSettings, [](DomainSettings& s) { s.value.rfm_window_days = 0; },
       "domain.value.rfm_window_days"},
  };
  for (const Case& c : cases) {
    INFO(c.field);
    CHECK(c.check(DomainSettings{}).ok());
    DomainSettings changed;
    c.change(changed);
    CHECK(c.check(changed).field() == c.field);
  }
}

}  // namespace
}  // namespace rapport::projections
