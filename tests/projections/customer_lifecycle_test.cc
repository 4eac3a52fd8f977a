// Customer state and lifecycle stage (DOMAIN.md §2), pinned at their threshold edges
// with the default settings: formation at 2 purchases, stability at 4 purchases over
// 180 days, decline past 2x the median interval or below 50 % of the previous 90
// days; lost past 2x the median interval or 365 days without a purchase.

#include <catch2/catch.hpp>

#include "projections/domain/customer_lifecycle.h"
#include "tests/support/event_builders.h"

namespace rapport::projections {
namespace {

using testing::Day;

PurchaseHistory Purchases(std::initializer_list<double> days) {
  PurchaseHistory history;
  for (double d : days) history.Add({Day(d), 1000, 400});
  return history;
}

LifecycleStage Stage(std::initializer_list<double> days, int64_t as_of) {
  return StageAsOf(Purchases(days), as_of, LifecycleSettings{});
}

CustomerState State(std::initializer_list<double> days, int64_t as_of) {
  return StateAsOf(Purchases(days), as_of, CustomerStateSettings{});
}

TEST_CASE("lifecycle: fewer than 2 purchases is exploration, whatever the time", "[lifecycle]") {
  CHECK(Stage({}, Day(0)) == LifecycleStage::kExploration);
  CHECK(Stage({0}, Day(0)) == LifecycleStage::kExploration);
  CHECK(Stage({0}, Day(900)) == LifecycleStage::kExploration);
}

TEST_CASE("lifecycle: 2 purchases is formation until the gap exceeds 2x the median interval", "[lifecycle]") {
  CHECK(Stage({0, 10}, Day(10)) == LifecycleStage::kFormation);
  CHECK(Stage({0, 10}, Day(30)) == LifecycleStage::kFormation);       // 20 days = 2 x 10: not beyond
  CHECK(Stage({0, 10}, Day(30) + 1) == LifecycleStage::kDecline);     // one millisecond past it
}

TEST_CASE("lifecycle: 4 purchases become stability at exactly 180 days of tenure", "[lifecycle]") {
  CHECK(Stage({0, 50, 100, 150}, Day(179)) == LifecycleStage::kFormation);
  CHECK(Stage({0, 50, 100, 150}, Day(180)) == LifecycleStage::kStability);
  CHECK(Stage({0, 90, 180}, Day(180)) == LifecycleStage::kFormation);  // 3 purchases are not enough
  // The spec's example: four purchases over 200 days.
  CHECK(Stage({0, 60, 130, 200}, Day(200)) == LifecycleStage::kStability);
}

TEST_CASE("lifecycle: a last 90 days below half the 90 before is decline, half exactly is not", "[lifecycle]") {
  // Previous window (day 0, day 90]: 4 purchases; last window (day 90, day 180].
  CHECK(Stage({10, 30, 50, 70, 170}, Day(180)) == LifecycleStage::kDecline);        // 1 < 2
  CHECK(Stage({10, 30, 50, 70, 150, 170}, Day(180)) == LifecycleStage::kFormation);  // 2 = 2; tenure 170
  CHECK(Stage({0, 30, 50, 70, 150, 170}, Day(180)) == LifecycleStage::kStability);   // day 0 is outside both
}

TEST_CASE("lifecycle: stable customers fall into decline when overdue", "[lifecycle]") {
  // Every 20 days from day 0 to day 200: median interval 20 days.
  const auto history = {0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 140.0, 160.0, 180.0, 200.0};
  CHECK(Stage(history, Day(240)) == LifecycleStage::kStability);      // 40 days since: 2 x 20
  CHECK(Stage(history, Day(240) + 1) == LifecycleStage::kDecline);
}

TEST_CASE("lifecycle: thresholds come from the settings", "[lifecycle]") {
  LifecycleSettings settings;
  settings.formation_min_purchases = 3;
  settings.stability_min_purchases = 5;
  CHECK(StageAsOf(Purchases({0, 10}), Day(10), settings) == LifecycleStage::kExploration);
  CHECK(StageAsOf(Purchases({0, 60, 120, 180}), Day(180), settings) == LifecycleStage::kFormation);
  settings.decline_interval_factor = 1.0;
  CHECK(StageAsOf(Purchases({0, 10, 20}), Day(30) + 1, settings) == LifecycleStage::kDecline);
}

TEST_CASE("state: potential until the first purchase, then current", "[state]") {
  CHECK(State({}, Day(0)) == CustomerState::kPotential);
  CHECK(State({0}, Day(0)) == CustomerState::kCurrent);
}

TEST_CASE("state: one purchase is lost only after 365 days without another", "[state]") {
  CHECK(State({0}, Day(365)) == CustomerState::kCurrent);
  CHECK(State({0}, Day(365) + 1) == CustomerState::kLost);
}

TEST_CASE("state: lost past 2x the median interval", "[state]") {
  CHECK(State({0, 10}, Day(30)) == CustomerState::kCurrent);
  CHECK(State({0, 10}, Day(30) + 1) == CustomerState::kLost);
  CHECK(State({0, 10, 20, 40}, Day(40)) == CustomerState::kCurrent);  // a gap of exactly 2 x 10 was no lapse
}

TEST_CASE("state: a purchase after a lapse is won back, until the next lapse", "[state]") {
  // Median of (10, 10) is 10; a gap of 30 > 20 means the customer was lost before day 50.
  CHECK(State({0, 10, 20, 50}, Day(50)) == CustomerState::kWonBack);
  // Now the intervals are 10, 10, 30: median 10, so 20 more days is the limit.
  CHECK(State({0, 10, 20, 50}, Day(70)) == CustomerState::kWonBack);
  CHECK(State({0, 10, 20, 50}, Day(70) + 1) == CustomerState::kLost);
  CHECK(State({0, 10, 20, 50, 60}, Day(60)) == CustomerState::kWonBack);  // stays won back while buying
  // A single earlier purchase has no interval: only 365 days make a lapse.
  CHECK(State({0, 100}, Day(100)) == CustomerState::kCurrent);
  CHECK(State({0, 400}, Day(400)) == CustomerState::kWonBack);
}

TEST_CASE("state: purchases arriving out of order give the same state", "[state]") {
  PurchaseHistory shuffled;
  for (double d : {50.0, 0.0, 20.0, 10.0}) shuffled.Add({Day(d), 1, 0});
  CHECK(StateAsOf(shuffled, Day(50), CustomerStateSettings{}) == CustomerState::kWonBack);
}

TEST_CASE("state: the lapse rule follows its settings", "[state]") {
  CustomerStateSettings settings;
  settings.lost_after_days = 30;
  CHECK(StateAsOf(Purchases({0}), Day(31), settings) == CustomerState::kLost);
  settings.lost_interval_factor = 3.0;
  settings.lost_after_days = 365;
  CHECK(StateAsOf(Purchases({0, 10}), Day(40), settings) == CustomerState::kCurrent);
  CHECK(StateAsOf(Purchases({0, 10}), Day(40) + 1, settings) == CustomerState::kLost);
  settings.lost_min_purchases = 3;
  CHECK(StateAsOf(Purchases({0, 10}), Day(100), settings) == CustomerState::kCurrent);
}

TEST_CASE("state and stage names round-trip", "[state]") {
  for (int i = 0; i < kCustomerStateCount; ++i) {
    auto state = static_cast<CustomerState>(i);
    CHECK(ParseCustomerState(Name(state)) == state);
  }
  for (int i = 0; i < kLifecycleStageCount; ++i) {
    auto stage = static_cast<LifecycleStage>(i);
    CHECK(ParseLifecycleStage(Name(stage)) == stage);
  }
  CHECK_FALSE(ParseCustomerState("gone").has_value());
  CHECK(Name(CustomerState::kWonBack) == "won_back");
}

}  // namespace
}  // namespace rapport::projections
