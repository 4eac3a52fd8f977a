// The customer-view projection over a real RocksDB store: rankings rebuilt from the
// store on event time and at start, merges across checkpoints, the snapshot that
// readers evaluate customers against.

#include <array>

#include <catch2/catch.hpp>

#include "projections/customer_view/customer_value.h"
#include "projections/customer_view/customer_view_projection.h"
#include "tests/support/event_builders.h"
#include "tests/support/projection_batches.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

using events::Event;
using namespace rapport::testing;

std::unique_ptr<CustomerViewProjection> Create(Store& store, DomainSettings settings = EventTimeOnly()) {
  auto projection = CustomerViewProjection::Create(store, settings);
  REQUIRE(projection.ok());
  return std::move(projection).value();
}

ValueSnapshot Snapshot(const Store& store) {
  auto snapshot = ReadValueSnapshot(store);
  REQUIRE(snapshot.ok());
  REQUIRE(snapshot->has_value());
  return **snapshot;
}

CustomerValue ValueOf(const Store& store, const std::string& id, const DomainSettings& settings = {}) {
  auto view = ReadCustomerView(store, id);
  REQUIRE(view.ok());
  REQUIRE(view->has_value());
  return EvaluateCustomer(**view, *ReadWatermark(store), Snapshot(store), settings);
}

// Ids of one width, so that id order is number order.
std::string Id(int i) { return "c-" + std::to_string(1000 + i); }

TEST_CASE("projection: 1,000 customers split 10/40/150/800, and again after a restart", "[pyramid]") {
  TempDir dir;
  std::vector<Event> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(Purchase(Id(i), Day(i % 7), 100 * (i + 1), 40 * (i + 1)));
  ValueSnapshot first;
  {
    auto store = OpenStore(dir);
    auto projection = Create(*store);
    ApplyBatch(*projection, *store, batch);
    first = Snapshot(*store);
    CHECK(first.as_of_ms == Day(6));
    CHECK(first.pyramid[0].customers == 10);
    CHECK(first.pyramid[1].customers == 40);
    CHECK(first.pyramid[2].customers == 150);
    CHECK(first.pyramid[3].customers == 800);
    // The ten biggest spenders are A, each customer's own evaluation agrees.
    std::array<int, kTierCount> per_tier{};
    for (int i = 0; i < 1000; ++i) {
      const Tier tier = ValueOf(*store, Id(i)).tier;
      ++per_tier[static_cast<size_t>(tier)];
      if (i >= 990) CHECK(tier == Tier::kA);
      if (i == 989) CHECK(tier == Tier::kB);
      if (i == 799) CHECK(tier == Tier::kD);
    }
    CHECK(per_tier == std::array<int, kTierCount>{10, 40, 150, 800});
    CHECK(first.pyramid[0].revenue == 100 * (991 + 1000) * 10 / 2);
  }
  auto store = OpenStore(dir);  // closed and reopened: rebuilt at start, unchanged
  auto projection = Create(*store);
  CHECK(Snapshot(*store) == first);
  CHECK(projection->watermark_ms() == Day(6));
}

TEST_CASE("projection: rankings are rebuilt every ranking_refresh_hours of event time", "[rfm]") {
  TempDir dir;
  auto store = OpenStore(dir);
  DomainSettings settings = EventTimeOnly();
  settings.value.ranking_refresh_hours = 24;
  auto projection = Create(*store, settings);
  CHECK(Snapshot(*store).tiers.population() == 0);  // an empty store ranks nobody

  ApplyBatch(*projection, *store, {Purchase("a", Day(0), 100)});
  CHECK(Snapshot(*store).as_of_ms == Day(0));  // the first batch ranks at once
  ApplyBatch(*projection, *store, {Purchase("b", Day(1) - 1, 500)});
  CHECK(Snapshot(*store).as_of_ms == Day(0));  // 24 h minus 1 ms: not yet
  CHECK(Snapshot(*store).tiers.population() == 1);
  CHECK(*ReadWatermark(*store) == Day(1) - 1);
  // Not yet in the snapshot, b is still placed against its cut-offs.
  CHECK(ValueOf(*store, "b", settings).rfm.has_value());
  ApplyBatch(*projection, *store, {Visit("c", Day(1))});
  CHECK(Snapshot(*store).as_of_ms == Day(1));
  CHECK(Snapshot(*store).tiers.population() == 3);
  CHECK(Snapshot(*store).recency.population() == 2);  // c never bought
}

TEST_CASE("projection: a merge reads the duplicate's stored state, later events follow the pointer", "[merge]") {
  TempDir dir;
  auto store = OpenStore(dir);
  auto projection = Create(*store);
  ApplyBatch(*projection, *store, {Registered("d", Day(0), "Dup"), Purchase("d", Day(1), 300, 100)});
  projection->DropCache();  // as after a rebalance: the duplicate comes from the store
  ApplyBatch(*projection, *store, {Purchase("s", Day(2), 1000, 500), Merge("s", "d", Day(3))});
  ApplyBatch(*projection, *store, {Purchase("d", Day(4), 50, 10)});

  auto survivor = ReadCustomerView(*store, "s");
  REQUIRE(survivor->has_value());
  CHECK((*survivor)->revenue == 1350);
  CHECK((*survivor)->purchases == 3);
  CHECK((*survivor)->profile.display_name == "Dup");
  auto pointer = ReadCustomerView(*store, "d");
  CHECK((*pointer)->merged_into == "s");
  CHECK((*pointer)->purchases == 0);

  // A restart ranks the survivor once and the pointer not at all.
  projection.reset();
  projection = Create(*store);
  CHECK(Snapshot(*store).tiers.population() == 1);
  CHECK(Snapshot(*store).pyramid[3].revenue == 1350);
}

TEST_CASE("projection: a rebuild held back by the time budget runs when the runtime is idle", "[rfm]") {
  TempDir dir;
  auto store = OpenStore(dir);
  DomainSettings settings;
  settings.value.ranking_time_share = 0.0;  // never inside a batch: only when idle
  auto projection = Create(*store, settings);
  ApplyBatch(*projection, *store, {Purchase("a", Day(0), 100)});
  ApplyBatch(*projection, *store, {Purchase("b", Day(5), 100)});
  CHECK(Snapshot(*store).as_of_ms == 0);  // due since the first batch, held back
  REQUIRE(projection->Idle().ok());
  CHECK(Snapshot(*store).as_of_ms == Day(5));
  CHECK(Snapshot(*store).tiers.population() == 2);
  REQUIRE(projection->Idle().ok());  // nothing due: nothing written
  CHECK(projection->ranking_as_of_ms() == Day(5));
}

TEST_CASE("projection: settings no evaluation could use stop it at start, naming the setting", "[rfm]") {
  TempDir dir;
  auto store = OpenStore(dir);
  auto error_of = [&](auto change) {
    DomainSettings settings;
    change(settings);
    return CustomerViewProjection::Create(*store, settings).status();
  };
  CHECK(error_of([](DomainSettings& s) { s.value.tier_cuts = {0.05, 0.01, 0.2}; }).field() ==
        "domain.value.tier_ab_share");
  CHECK(error_of([](DomainSettings& s) { s.value.rfm_window_days = 0; }).field() == "domain.value.rfm_window_days");
  CHECK(error_of([](DomainSettings& s) { s.value.ranking_refresh_hours = 0; }).field() ==
        "domain.value.ranking_refresh_hours");
  CHECK(error_of([](DomainSettings& s) { s.value.ranking_time_share = 1.5; }).field() ==
        "domain.value.ranking_time_share");
  CHECK(error_of([](DomainSettings& s) { s.state.lost_min_purchases = 1; }).field() ==
        "domain.state.lost_min_purchases");
  CHECK(error_of([](DomainSettings& s) { s.lifecycle.decline_window_days = 0; }).field() ==
        "domain.lifecycle.decline_window_days");
  CHECK(error_of([](DomainSettings&) {}).ok());
}

TEST_CASE("projection: a failed batch leaves no ranking behind", "[rfm]") {
  TempDir dir;
  auto store = OpenStore(dir);
  auto projection = Create(*store);
  REQUIRE(projection->Apply(Purchase("a", Day(0), 100), EventSource{Partition(0), Offset(0)}).ok());
  rocksdb::WriteBatch dropped;
  REQUIRE(projection->Checkpoint(dropped).ok());
  projection->DropCache();  // the write failed: nothing of it happened
  CHECK(Snapshot(*store).as_of_ms == 0);  // the start-up ranking of the empty store
  CHECK(Snapshot(*store).tiers.population() == 0);
  auto view = ReadCustomerView(*store, "a");
  CHECK_FALSE(view->has_value());
}

}  // namespace
}  // namespace rapport::projections
