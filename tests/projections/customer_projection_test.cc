// What every per-customer projection (customer view, satisfaction, loyalty) gets from
// the one runtime around its fold (projections/runtime/customer_projection.h): a
// replay that calls Finish ends with the ranking as of its final watermark, not as of
// the last refresh boundary the schedule passed.

#include <catch2/catch.hpp>

#include "projections/customer_view/customer_view_projection.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/runtime/projection_meta.h"
#include "projections/satisfaction/satisfaction_projection.h"
#include "tests/support/event_builders.h"
#include "tests/support/projection_batches.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

using events::Event;
using namespace rapport::testing;

// Event time alone (so the test is exact), rankings refreshed daily.
DomainSettings DailyEventTime() {
  DomainSettings settings = EventTimeOnly();
  settings.value.ranking_refresh_hours = 24;
  return settings;
}

ValueSnapshot SnapshotOf(const Store& store, std::string_view projection) {
  auto snapshot = ReadSnapshotOf(store, projection);
  REQUIRE(snapshot.ok());
  REQUIRE(snapshot->has_value());
  return **snapshot;
}

TEMPLATE_TEST_CASE("a replay's Finish ranks as of the final watermark, between refresh boundaries",
                   "[customer-projection][finish]", CustomerViewProjection, SatisfactionProjection,
                   LoyaltyProjection) {
  TempDir dir;
  auto store = Store::Open(dir.path() / "db", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  auto created = TestType::Create(**store, DailyEventTime());
  REQUIRE(created.ok());
  auto& projection = **created;

  std::vector<Event> first;
  for (int i = 0; i < 10; ++i) first.push_back(Purchase("c-" + std::to_string(100 + i), Day(0) + i, 100 * (i + 1)));
  ApplyBatch(projection, **store, first);
  REQUIRE(SnapshotOf(**store, TestType::kName).as_of_ms == Day(0) + 9);  // the first checkpoint ranks

  // Twelve hours later, short of the next 24 h boundary: the schedule ranks nothing.
  const int64_t final_watermark = Day(0.5);
  ApplyBatch(projection, **store, {Purchase("c-200", Day(0.25), 50), Purchase("c-201", final_watermark, 1'000'000)});
  REQUIRE(SnapshotOf(**store, TestType::kName).as_of_ms == Day(0) + 9);
  REQUIRE(*ReadWatermarkOf(**store, TestType::kName) == final_watermark);

  // The end of the replay: the ranking as of the final watermark, every customer in it.
  REQUIRE(projection.Finish().ok());
  const ValueSnapshot finished = SnapshotOf(**store, TestType::kName);
  CHECK(finished.as_of_ms == final_watermark);
  CHECK(finished.tiers.population() == 12);
  CHECK(finished.pyramid[0].customers + finished.pyramid[1].customers + finished.pyramid[2].customers +
            finished.pyramid[3].customers ==
        12);
  CHECK(projection.watermark_ms() == final_watermark);
}

}  // namespace
}  // namespace rapport::projections
