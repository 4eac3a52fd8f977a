// projections/runtime/state_cache.h: a write-back cache of per-customer states over a store.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "projections/runtime/state_cache.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

using Cache = StateCache<std::string>;

// A fresh store in a temp folder. A fixture (TEST_CASE_METHOD): the test names it `store`.
struct TestStore {
  testing::TempDir dir;
  std::unique_ptr<Store> opened = Open(dir);
  Store& store = *opened;

 private:
  static std::unique_ptr<Store> Open(const testing::TempDir& dir) {
    auto opened = Store::Open(dir.path() / "store", OpenMode::kReadWrite);
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }
};

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

// Checkpoints the cache into one batch, writes it and commits; returns the batch's count.
int Commit(Store& store, Cache& cache) {
  rocksdb::WriteBatch batch;
  cache.Checkpoint(batch);
  REQUIRE(store.Write(batch).ok());
  cache.Committed();
  return static_cast<int>(batch.Count());
}

TEST_CASE_METHOD(TestStore,
                 "state cache: a checkpoint writes each changed state once, its newest value",
                        "[projections][state_cache]") {
  Cache cache = TextCache(store, 10);
  Change(cache, "a", "1");
  Change(cache, "b", "1");
  Change(cache, "a", "2");
  CHECK(cache.dirty_count() == 2);
  CHECK(Commit(store, cache) == 2);
  CHECK(cache.dirty_count() == 0);

  Change(cache, "b", "2");  // dirty again after the commit
  CHECK(Commit(store, cache) == 1);
  CHECK(store.Get(Family::kState, "a")->value() == "12");
  CHECK(store.Get(Family::kState, "b")->value() == "12");
}

TEST_CASE_METHOD(TestStore,
                 "state cache: over its bound a commit empties it, a raised bound keeps every state",
                 "[projections][state_cache]") {
  Cache cache = TextCache(store, 2);
  for (const char* key : {"a", "b", "c"}) Change(cache, key, "x");
  Commit(store, cache);
  CHECK_FALSE(cache.Cached("a"));
  CHECK((*cache.Load("a"))->size() == 1);  // read back from the store

  cache.set_max_entries(100);
  for (const char* key : {"a", "b", "c"}) Change(cache, key, "y");
  Commit(store, cache);
  for (const char* key : {"a", "b", "c"}) CHECK(cache.Cached(key));
  CHECK(store.Get(Family::kState, "c")->value() == "xy");
}

TEST_CASE_METHOD(TestStore,
                 "state cache: over a store it began empty on, it holds every state until it lets one go",
                 "[projections][state_cache]") {
  Cache cache = TextCache(store, 2);
  CHECK_FALSE(cache.holds_every_state());  // not known before the first Load
  Change(cache, "a", "x");
  CHECK(cache.holds_every_state());
  Commit(store, cache);
  CHECK(cache.holds_every_state());
  for (const char* key : {"b", "c"}) Change(cache, key, "x");
  Commit(store, cache);  // over the bound: emptied
  CHECK_FALSE(cache.holds_every_state());

  Cache later = TextCache(store, 10);  // the store holds states already
  Change(later, "d", "x");
  CHECK_FALSE(later.holds_every_state());
}

TEST_CASE_METHOD(TestStore,
                 "state cache: a key looked up last is forgotten with the entries it pointed into",
                 "[projections][state_cache]") {
  Cache cache = TextCache(store, 1);
  for (const char* key : {"a", "b"}) Change(cache, key, "x");
  Commit(store, cache);  // over the bound: emptied, "b" was the last key looked up
  cache.MarkDirty("b");  // not loaded since: nothing to mark
  CHECK(cache.dirty_count() == 0);
  CHECK(**cache.Load("b") == "x");

  Change(cache, "b", "y");
  cache.DropAll();
  cache.MarkDirty("b");
  CHECK(cache.dirty_count() == 0);
  CHECK(**cache.Load("b") == "x");  // the change was dropped, the store's value read back

  // Looked up in turn, each key finds its own state.
  Change(cache, "c", "1");
  Change(cache, "b", "2");
  Change(cache, "c", "3");
  CHECK(**cache.Load("b") == "x2");
  CHECK(**cache.Load("c") == "13");
  CHECK(cache.dirty_count() == 2);
}

}  // namespace
}  // namespace rapport::projections
