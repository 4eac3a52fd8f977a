// The ranking bookkeeping shared by the ranking projections, over a real RocksDB
// store: the watermark survives in the meta family, a rebuild goes into the batch
// it is due in, and a dropped batch's ranking is forgotten.

#include "projections/runtime/projection_ranking.h"

#include <catch2/catch.hpp>

#include "projections/runtime/projection_meta.h"
#include "tests/support/projection_batches.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

using rapport::testing::OpenStore;
using rapport::testing::TempDir;

constexpr std::string_view kName = "ranked";
constexpr int64_t kDayMs = 86'400'000;

ValueSettings Daily() {
  ValueSettings settings;
  settings.ranking_refresh_hours = 24;
  settings.ranking_time_share = 1.0;  // event time alone decides
  return settings;
}

// A ranking of nobody, as of the time asked: enough to see when and as of what.
struct CountingRank {
  int* calls;
  Result<ValueSnapshot> operator()(int64_t as_of_ms) const {
    ++*calls;
    return BuildValueSnapshot({}, as_of_ms, RankingParams{});
  }
};

// A runtime batch with the ranking's checkpoint, written and committed.
void CheckpointAndCommit(ProjectionRanking& ranking, Store& store) {
  rocksdb::WriteBatch batch;
  REQUIRE(ranking.Checkpoint(batch).ok());
  REQUIRE(store.Write(batch).ok());
  ranking.Committed();
}

// A daily ranking over a fresh store, counting its rank calls.
struct RankingInStore {
  TempDir dir;
  std::unique_ptr<Store> store = OpenStore(dir);
  int calls = 0;
  ProjectionRanking ranking{*store, kName, Daily(), CountingRank{&calls}};
};

int64_t StoredSnapshotAsOf(const Store& store) {
  auto snapshot = ReadSnapshotOf(store, kName);
  REQUIRE(snapshot.ok());
  REQUIRE(snapshot->has_value());
  return (*snapshot)->as_of_ms;
}

TEST_CASE("ranking: start reads the stored watermark and writes a ranking as of it", "[ranking]") {
  TempDir dir;
  auto store = OpenStore(dir);
  rocksdb::WriteBatch batch;
  batch.Put(store->handle(Family::kMeta), WatermarkKey(kName), std::to_string(3 * kDayMs + 7));
  REQUIRE(store->Write(batch).ok());

  int calls = 0;
  ProjectionRanking ranking(*store, kName, Daily(), CountingRank{&calls});
  CHECK_FALSE(ranking.started());
  REQUIRE(ranking.Start().ok());
  REQUIRE(ranking.Start().ok());  // once
  CHECK(calls == 1);
  CHECK(ranking.watermark_ms() == 3 * kDayMs + 7);
  CHECK(ranking.as_of_ms() == 3 * kDayMs + 7);
  CHECK(StoredSnapshotAsOf(*store) == 3 * kDayMs + 7);
}

TEST_CASE("ranking: a checkpoint rebuilds only past the next boundary and always writes the watermark",
          "[ranking]") {
  RankingInStore fixture;
  auto& [dir, store, calls, ranking] = fixture;
  REQUIRE(ranking.Start().ok());  // nothing stored: ranks as of 0
  ranking.Advance(kDayMs - 1);
  CheckpointAndCommit(ranking, *store);
  CHECK(calls == 1);  // the start's rebuild only: the next is due at day 1
  CHECK(ranking.as_of_ms() == 0);
  CHECK(*ReadWatermarkOf(*store, kName) == kDayMs - 1);

  ranking.Advance(2 * kDayMs + 5);
  ranking.Advance(kDayMs);  // an older event does not move the watermark back
  CHECK(ranking.watermark_ms() == 2 * kDayMs + 5);
  rocksdb::WriteBatch past_boundary;
  REQUIRE(ranking.Checkpoint(past_boundary).ok());
  CHECK(calls == 2);
  CHECK(ranking.as_of_ms() == 0);  // the start's: this one is not committed yet
  auto current = ranking.Current();
  REQUIRE(current.ok());
  CHECK((*current)->as_of_ms == 2 * kDayMs + 5);  // events fold against the newest
  REQUIRE(store->Write(past_boundary).ok());
  ranking.Committed();
  CHECK(ranking.as_of_ms() == 2 * kDayMs + 5);
  CHECK(StoredSnapshotAsOf(*store) == 2 * kDayMs + 5);
  CHECK(*ReadWatermarkOf(*store, kName) == 2 * kDayMs + 5);
}

TEST_CASE("ranking: a dropped batch's rebuild is forgotten and the stored one is current", "[ranking]") {
  RankingInStore fixture;
  auto& [dir, store, calls, ranking] = fixture;
  REQUIRE(ranking.Start().ok());
  ranking.Advance(5 * kDayMs);
  rocksdb::WriteBatch lost;
  REQUIRE(ranking.Checkpoint(lost).ok());
  CHECK(calls == 2);
  ranking.Dropped();  // the batch was never written
  auto current = ranking.Current();
  REQUIRE(current.ok());
  CHECK((*current)->as_of_ms == 0);
  CHECK(ranking.as_of_ms() == 0);
  // Still due: the idle runtime rebuilds and writes it alone.
  REQUIRE(ranking.Idle().ok());
  CHECK(calls == 3);
  CHECK(ranking.as_of_ms() == 5 * kDayMs);
  CHECK(StoredSnapshotAsOf(*store) == 5 * kDayMs);
  REQUIRE(ranking.Idle().ok());  // nothing due any more
  CHECK(calls == 3);
}

TEST_CASE("ranking: a refresh at the end ranks again only when events came after the last rebuild",
          "[ranking]") {
  RankingInStore fixture;
  auto& [dir, store, calls, ranking] = fixture;
  REQUIRE(ranking.Start().ok());
  ranking.Advance(3 * kDayMs);
  CheckpointAndCommit(ranking, *store);  // past the boundary: ranks as of the watermark
  REQUIRE(calls == 2);
  REQUIRE(ranking.RefreshIfBehind().ok());  // that ranking saw every event
  CHECK(calls == 2);

  ranking.Advance(3 * kDayMs - 1);       // an older event: the watermark stays, the states moved
  CheckpointAndCommit(ranking, *store);  // no boundary crossed: no rebuild
  CHECK(calls == 2);
  REQUIRE(ranking.RefreshIfBehind().ok());
  CHECK(calls == 3);
  CHECK(StoredSnapshotAsOf(*store) == 3 * kDayMs);
  REQUIRE(ranking.RefreshIfBehind().ok());
  CHECK(calls == 3);
}

}  // namespace
}  // namespace rapport::projections
