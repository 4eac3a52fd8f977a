// projections/state_cache.h: a write-back cache of per-customer states over a store.

#include <string>

#include <catch2/catch.hpp>

#include "projections/state_cache.h"
#include "projections/store.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

using Cache = StateCache<std::string>;

Cache TextCache(Store& store, size_t max_entries) {
  return Cache(
      store, Family::kState, [](const std::string& state) { return state; },
      [](std::string_view bytes) -> Result<std::string> { return std::string(bytes); }, max_entries);
}

// Loads `key`, appends `text` to its state and marks it dirty.
void Change(Cache& cache, const std::string& key, const std::string& text) {
  auto state = cache.Load(key);
  REQUIRE(state.ok());
  **state += text;
  cache.MarkDirty(key);
}

TEST_CASE("state cache: a checkpoint writes each changed state once, its newest value", "[projections][state_cache]") {
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "store", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  Cache cache = TextCache(**store, 10);
  Change(cache, "a", "1");
  Change(cache, "b", "1");
  Change(cache, "a", "2");
  CHECK(cache.dirty_count() == 2);
  rocksdb::WriteBatch batch;
  cache.Checkpoint(batch);
  CHECK(batch.Count() == 2);
  REQUIRE((*store)->Write(batch).ok());
  cache.Committed();
  CHECK(cache.dirty_count() == 0);

  Change(cache, "b", "2");  // dirty again after the commit
  rocksdb::WriteBatch second;
  cache.Checkpoint(second);
  CHECK(second.Count() == 1);
  REQUIRE((*store)->Write(second).ok());
  cache.Committed();
  CHECK((*store)->Get(Family::kState, "a")->value() == "12");
  CHECK((*store)->Get(Family::kState, "b")->value() == "12");
}

TEST_CASE("state cache: over its bound a commit empties it, a raised bound keeps every state",
          "[projections][state_cache]") {
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "store", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  Cache cache = TextCache(**store, 2);
  auto commit = [&] {
    rocksdb::WriteBatch batch;
    cache.Checkpoint(batch);
    REQUIRE((*store)->Write(batch).ok());
    cache.Committed();
  };
  for (const char* key : {"a", "b", "c"}) Change(cache, key, "x");
  commit();
  CHECK_FALSE(cache.Cached("a"));
  CHECK((*cache.Load("a"))->size() == 1);  // read back from the store

  cache.set_max_entries(100);
  for (const char* key : {"a", "b", "c"}) Change(cache, key, "y");
  commit();
  for (const char* key : {"a", "b", "c"}) CHECK(cache.Cached(key));
  CHECK((*store)->Get(Family::kState, "c")->value() == "xy");
}

}  // namespace
}  // namespace rapport::projections
