#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/sorted_batch.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/store_contents.h"

namespace rapport::projections {
namespace {

using testing::Contents;

std::unique_ptr<Store> OpenStore(const testing::TempDir& dir, const std::string& name) {
  auto store = Store::Open(dir.path() / name, OpenMode::kReadWrite);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// The (family, key) of each entry, in batch order.
class Keys final : public rocksdb::WriteBatch::Handler {
 public:
  std::vector<std::pair<uint32_t, std::string>> keys;
  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key, const rocksdb::Slice&) override {
    keys.emplace_back(family, key.ToString());
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t family, const rocksdb::Slice& key) override {
    keys.emplace_back(family, key.ToString());
    return rocksdb::Status::OK();
  }
};

std::vector<std::pair<uint32_t, std::string>> KeysOf(const rocksdb::WriteBatch& batch) {
  Keys keys;
  REQUIRE(batch.Iterate(&keys).ok());
  return keys.keys;
}

// The same writes, in shuffled order, with overwrites and deletes of one key inside
// the batch (so the order among a key's entries matters), in three families.
void AddShuffled(const Store& store, rocksdb::WriteBatch& batch, uint32_t seed) {
  std::vector<int> order(300);
  for (int i = 0; i < 300; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  for (int i : order) {
    const std::string key = "customer-" + std::to_string(i % 100);
    const Family family = i % 3 == 0 ? Family::kDedupe : i % 3 == 1 ? Family::kState : Family::kIndex;
    batch.Put(store.handle(family), key, "v" + std::to_string(i));
  }
  // Later entries of one key win, whatever the sort does to the others.
  batch.Put(store.handle(Family::kState), "customer-7", "first");
  batch.Delete(store.handle(Family::kState), "customer-7");
  batch.Put(store.handle(Family::kState), "customer-8", "first");
  batch.Put(store.handle(Family::kState), "customer-8", "last");
  batch.Delete(store.handle(Family::kIndex), "customer-9");
  batch.Put(store.handle(Family::kIndex), "customer-9", "after delete");
}

TEST_CASE("sorted batch: a reordered batch writes what the original writes, also after reopen", "[store]") {
  testing::TempDir dir;
  auto plain = OpenStore(dir, "plain");
  auto sorted = OpenStore(dir, "sorted");
  rocksdb::WriteBatch original, reordered;
  AddShuffled(*plain, original, 7);
  AddShuffled(*sorted, reordered, 7);
  REQUIRE(SortForMemtable(*sorted, reordered));
  CHECK(reordered.Count() == original.Count());

  // In key order within each family, so memtable inserts walk from their neighbour.
  const auto keys = KeysOf(reordered);
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  const auto original_keys = KeysOf(original);
  CHECK_FALSE(std::is_sorted(original_keys.begin(), original_keys.end()));

  REQUIRE(plain->Write(original).ok());
  REQUIRE(sorted->Write(reordered).ok());
  for (Family family : {Family::kState, Family::kIndex, Family::kDedupe}) {
    CHECK(Contents(*sorted, family) == Contents(*plain, family));
  }
  CHECK_FALSE(sorted->Get(Family::kState, "customer-7")->has_value());
  CHECK(**sorted->Get(Family::kState, "customer-8") == "last");
  CHECK(**sorted->Get(Family::kIndex, "customer-9") == "after delete");

  const auto before = Contents(*sorted, Family::kState);
  sorted.reset();
  sorted = OpenStore(dir, "sorted");
  CHECK(Contents(*sorted, Family::kState) == before);
  CHECK(**sorted->Get(Family::kState, "customer-8") == "last");
}

TEST_CASE("sorted batch: a batch with a range deletion keeps its order, and the store refuses it", "[store]") {
  testing::TempDir dir;
  auto store = OpenStore(dir, "db");
  REQUIRE(store->Put(Family::kState, "c", "kept").ok());
  rocksdb::WriteBatch batch;
  batch.Put(store->handle(Family::kState), "b", "1");
  batch.DeleteRange(store->handle(Family::kState), "a", "z");
  batch.Put(store->handle(Family::kState), "a", "2");  // after the range deletion: order matters
  const std::string before = batch.Data();
  CHECK_FALSE(SortForMemtable(*store, batch));
  CHECK(batch.Data() == before);
  // The families' memtable insert hint (store.cc) cannot take range deletions.
  Status written = store->Write(batch);
  CHECK(written.code() == StatusCode::kInvalidArgument);
  CHECK(**store->Get(Family::kState, "c") == "kept");
  CHECK_FALSE(store->Get(Family::kState, "a")->has_value());
}

TEST_CASE("sorted batch: a batch with log data keeps its order", "[store]") {
  testing::TempDir dir;
  auto store = OpenStore(dir, "db");
  rocksdb::WriteBatch batch;
  batch.Put(store->handle(Family::kState), "b", "1");
  batch.PutLogData("marker");
  batch.Put(store->handle(Family::kState), "a", "2");
  const std::string before = batch.Data();
  CHECK_FALSE(SortForMemtable(*store, batch));
  CHECK(batch.Data() == before);
}

}  // namespace
}  // namespace rapport::projections
