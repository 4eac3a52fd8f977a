// The satisfaction and loyalty projections over a real RocksDB store: the tier of a
// cell follows the ranking current when the event is folded, rankings rebuild at
// start and on event time, states and cells survive a restart.

#include "projections/satisfaction/satisfaction_projection.h"

#include <catch2/catch.hpp>

#include "projections/loyalty/loyalty_projection.h"
#include "projections/runtime/projection_meta.h"
#include "tests/support/projection_batches.h"
#include "tests/support/survey_builders.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

using events::Channel;
using events::Event;
using namespace rapport::testing;

SatisfactionCounts Cell(const Store& store, int64_t at, Channel channel, Tier tier) {
  auto stored = store.Get(Family::kIndex, EncodeCellKey({DayOf(at), channel, tier}));
  REQUIRE(stored.ok());
  if (!stored->has_value()) return {};
  auto counts = DecodeSatisfactionCounts(**stored);
  REQUIRE(counts.ok());
  return *counts;
}

std::string Id(int i) { return "c-" + std::to_string(1000 + i); }

TEST_CASE("satisfaction: a cell's tier is the customer's against the ranking of the moment",
          "[satisfaction]") {
  TempDir dir;
  auto store = OpenStore(dir);
  auto created = SatisfactionProjection::Create(*store, EventTimeOnly());
  REQUIRE(created.ok());
  auto& projection = **created;
  // 100 customers buy on day 0; c-1099 spends the most. No ranking yet: all D.
  std::vector<Event> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(Purchase(Id(i), Day(0) + i, 100 * (i + 1)));
  ApplyBatch(projection, *store, batch);
  CHECK(Cell(*store, Day(0), Channel::kWeb, Tier::kD).purchases == 100);
  // That checkpoint ranked as of the watermark (day 0): c-1099 is A from now on.
  auto first = ReadSnapshotOf(*store, SatisfactionProjection::kName);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->as_of_ms == Day(0) + 99);
  ApplyBatch(projection, *store, {Survey(Id(99), Day(1), {.nps = 10}, Channel::kWeb)});
  // The watermark passed the next 24 h boundary: ranked again as of day 1.
  auto snapshot = ReadSnapshotOf(*store, SatisfactionProjection::kName);
  REQUIRE(snapshot.ok());
  REQUIRE(snapshot->has_value());
  CHECK((*snapshot)->as_of_ms == Day(1));
  CHECK((*snapshot)->pyramid[0].customers == 1);
  ApplyBatch(projection, *store,
             {Survey(Id(99), Day(1) + 10, {.nps = 2}, Channel::kWeb),
              Survey(Id(97), Day(1) + 11, {.csat = 5}, Channel::kWeb),
              Survey(Id(85), Day(1) + 12, {.csat = 1}, Channel::kWeb),
              Survey(Id(3), Day(1) + 13, {.csat = 4}, Channel::kWeb)});
  CHECK(Cell(*store, Day(1), Channel::kWeb, Tier::kA).nps_answers == 2);
  CHECK(Cell(*store, Day(1), Channel::kWeb, Tier::kA).promoters == 1);
  CHECK(Cell(*store, Day(1), Channel::kWeb, Tier::kA).detractors == 1);
  CHECK(Cell(*store, Day(1), Channel::kWeb, Tier::kB).csat_satisfied == 1);
  CHECK(Cell(*store, Day(1), Channel::kWeb, Tier::kC).csat_answers == 1);
  CHECK(Cell(*store, Day(1), Channel::kWeb, Tier::kD).csat_satisfied == 1);

  auto customer = ReadCustomerSatisfaction(*store, Id(99));
  REQUIRE(customer.ok());
  REQUIRE(customer->has_value());
  CHECK((*customer)->counts.nps_answers == 2);
  CHECK(*ReadWatermarkOf(*store, SatisfactionProjection::kName) == Day(1) + 13);
}

TEST_CASE("satisfaction and loyalty: close, reopen, state unchanged and ranked again at start",
          "[satisfaction][loyalty]") {
  TempDir dir;
  std::vector<Event> batch = {RegisteredWithWallet("c-1", Day(0), 5'000),
                              Purchase("c-1", Day(1), 1'000),
                              Survey("c-1", Day(2), {.expectation = 6, .perception = 8, .nps = 9, .csat = 5}),
                              Purchase("c-2", Day(3), 50),
                              Merge("c-1", "c-3", Day(4)),
                              Complaint("c-3", Day(5))};
  std::optional<CustomerSatisfaction> satisfied;
  std::optional<CustomerLoyalty> loyal;
  {
    auto store = OpenStore(dir);
    auto sat = SatisfactionProjection::Create(*store, EventTimeOnly());
    REQUIRE(sat.ok());
    ApplyBatch(**sat, *store, batch);
    satisfied = *ReadCustomerSatisfaction(*store, "c-1").value();
  }
  {
    auto store = OpenStore(dir);
    auto sat = SatisfactionProjection::Create(*store, EventTimeOnly());
    REQUIRE(sat.ok());
    CHECK(*ReadCustomerSatisfaction(*store, "c-1").value() == *satisfied);
    CHECK(satisfied->counts.complaints == 1);  // c-3's complaint followed the merge
    CHECK((*sat)->watermark_ms() == Day(5));
    auto snapshot = ReadSnapshotOf(*store, SatisfactionProjection::kName);
    REQUIRE(snapshot->has_value());
    CHECK((*snapshot)->as_of_ms == Day(5));
    CHECK((*snapshot)->tiers.population() == 2);  // c-1 and c-2; the pointer c-3 is not a customer
    auto pointer = ReadCustomerSatisfaction(*store, "c-3");
    CHECK((*pointer)->merged_into == "c-1");
  }
  TempDir loyalty_dir;
  {
    auto store = Store::Open(loyalty_dir.path() / "db", OpenMode::kReadWrite);
    REQUIRE(store.ok());
    auto projection = LoyaltyProjection::Create(**store, EventTimeOnly());
    REQUIRE(projection.ok());
    ApplyBatch(**projection, **store, batch);
    loyal = *ReadCustomerLoyalty(**store, "c-1").value();
  }
  {
    auto store = Store::Open(loyalty_dir.path() / "db", OpenMode::kReadWrite);
    REQUIRE(store.ok());
    auto projection = LoyaltyProjection::Create(**store, EventTimeOnly());
    REQUIRE(projection.ok());
    CHECK(*ReadCustomerLoyalty(**store, "c-1").value() == *loyal);
    CHECK(loyal->wallet_estimate == 5'000);
    auto snapshot = ReadSnapshotOf(**store, LoyaltyProjection::kName);
    REQUIRE(snapshot->has_value());
    CHECK((*snapshot)->as_of_ms == Day(5));
    CHECK((*snapshot)->pyramid[0].customers + (*snapshot)->pyramid[3].customers == 2);
  }
}

TEST_CASE("satisfaction settings are checked when the projection is made", "[satisfaction][settings]") {
  DomainSettings s;
  TempDir dir;
  auto store = Store::Open(dir.path() / "db", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  s.satisfaction.repurchase_window_days = 0;
  auto refused = SatisfactionProjection::Create(**store, s);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().field() == "domain.satisfaction.repurchase_window_days");
}

}  // namespace
}  // namespace rapport::projections
