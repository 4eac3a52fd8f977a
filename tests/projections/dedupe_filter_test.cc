// projections::DedupeFilter: no false negatives for keys loaded from a store or
// added later, through growth; few false positives.

#include <string>

#include <catch2/catch.hpp>

#include "storage/dedupe_filter.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

std::string Key(int i) { return "c-" + std::to_string(i % 997) + std::string(1, '\0') + "e-" + std::to_string(i); }

TEST_CASE("a dedupe filter holds every key of the store and every key added", "[projections][dedupe_filter]") {
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "store", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  rocksdb::WriteBatch batch;
  for (int i = 0; i < 3000; ++i) batch.Put((*store)->handle(Family::kDedupe), Key(i), "");
  batch.Put((*store)->handle(Family::kState), Key(50'000), "a state, not a dedupe key");
  REQUIRE((*store)->Write(batch).ok());

  auto filter = DedupeFilter::Load(**store);
  REQUIRE(filter.ok());
  CHECK(filter->size() == 3000);
  for (int i = 0; i < 3000; ++i) REQUIRE(filter->MayContain(Key(i)));
  // Adding grows the table many times over; nothing loaded or added is lost.
  for (int i = 3000; i < 40'000; ++i) filter->Add(Key(i));
  filter->Add(Key(7));  // again: counted once
  CHECK(filter->size() == 40'000);
  for (int i = 0; i < 40'000; ++i) REQUIRE(filter->MayContain(Key(i)));

  int false_positives = 0;
  for (int i = 40'000; i < 80'000; ++i) false_positives += filter->MayContain(Key(i)) ? 1 : 0;
  CHECK(false_positives < 5);  // 64-bit hashes: a collision is a rare extra store read
  CHECK_FALSE(filter->MayContain(Key(50'000)));  // other families are not dedupe keys
}

TEST_CASE("a dedupe filter of an empty store holds nothing", "[projections][dedupe_filter]") {
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "store", OpenMode::kReadWrite);
  REQUIRE(store.ok());
  auto filter = DedupeFilter::Load(**store);
  REQUIRE(filter.ok());
  CHECK(filter->size() == 0);
  CHECK_FALSE(filter->MayContain(Key(1)));
  CHECK_FALSE(filter->MayContain(""));
}

}  // namespace
}  // namespace rapport::projections
