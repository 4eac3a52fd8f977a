// storage/bulk_ingest.h: a batch ingested as SST files leaves a store exactly as
// Store::Write of the same batch does.

#include <map>
#include <random>

#include <catch2/catch.hpp>

#include "storage/bulk_ingest.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/store_contents.h"

namespace rapport::projections {
namespace {

using testing::Contents;

constexpr Family kFamilies[] = {Family::kState, Family::kMeta, Family::kIndex, Family::kDedupe};

std::unique_ptr<Store> OpenStore(const std::filesystem::path& dir) {
  auto store = Store::Open(dir, OpenMode::kReadWrite);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// The same operations, in the same order, into any store: puts of random keys in
// random order (some keys twice, the later value must win), deletes of keys
// written before and of keys put earlier in the same batch, in every family.
void Fill(rocksdb::WriteBatch& batch, const Store& store, uint32_t seed) {
  std::mt19937 random(seed);
  for (int i = 0; i < 3000; ++i) {
    const Family family = kFamilies[random() % 4];
    // Short keys, and long ones that share their first 8 bytes or are prefixes of
    // one another: the ingest's sort compares 8-byte prefixes first.
    static const std::string kStems[] = {"k-", "customer", std::string("customer\0", 9), "customer-"};
    const std::string key = kStems[random() % 4] + std::to_string(random() % 500);
    switch (random() % 6) {
      case 0:
        REQUIRE(batch.Delete(store.handle(family), key).ok());
        break;
      default:
        REQUIRE(batch.Put(store.handle(family), key, "v" + std::to_string(i) + std::string(random() % 300, 'x')).ok());
    }
  }
}

TEST_CASE("bulk ingest: a batch ingested equals the same batch written, and survives reopening", "[store][bulk]") {
  testing::TempDir dir;
  {
    auto written = OpenStore(dir.path() / "written");
    auto ingested = OpenStore(dir.path() / "ingested");
    // Earlier contents, then two batches: the second overwrites and deletes keys of both.
    for (uint32_t seed : {1u, 2u, 3u}) {
      rocksdb::WriteBatch a, b;
      Fill(a, *written, seed);
      Fill(b, *ingested, seed);
      REQUIRE(written->Write(a).ok());
      if (seed == 1) {
        REQUIRE(ingested->Write(b).ok());  // ingested on top of ordinary writes too
      } else {
        REQUIRE(IngestBatch(*ingested, b).ok());
      }
    }
    for (Family family : kFamilies) {
      const auto expected = Contents(*written, family);
      CHECK(expected.size() > 100);
      CHECK(Contents(*ingested, family) == expected);
    }
    // Point reads see the ingested data as well.
    auto stored = Contents(*written, Family::kState);
    for (const auto& [key, value] : stored) CHECK(**ingested->Get(Family::kState, key) == value);
  }
  auto written = OpenStore(dir.path() / "written");
  auto ingested = OpenStore(dir.path() / "ingested");
  for (Family family : kFamilies) CHECK(Contents(*ingested, family) == Contents(*written, family));
  // Nothing staged is left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "ingested")) {
    CHECK(entry.path().filename().string().rfind(".ingest", 0) != 0);
  }
}

TEST_CASE("bulk ingest: an empty batch is a no-op, an unsupported operation is written normally", "[store][bulk]") {
  testing::TempDir dir;
  auto store = OpenStore(dir.path() / "db");
  rocksdb::WriteBatch empty;
  REQUIRE(IngestBatch(*store, empty).ok());
  CHECK(Contents(*store, Family::kState).empty());

  REQUIRE(store->Put(Family::kState, "a", "1").ok());
  rocksdb::WriteBatch batch;
  REQUIRE(batch.Put(store->handle(Family::kState), "b", "2").ok());
  REQUIRE(batch.SingleDelete(store->handle(Family::kState), "a").ok());
  REQUIRE(IngestBatch(*store, batch).ok());
  CHECK(Contents(*store, Family::kState) == std::map<std::string, std::string>{{"b", "2"}});
}

}  // namespace
}  // namespace rapport::projections
