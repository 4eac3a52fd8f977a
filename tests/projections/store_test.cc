#include <catch2/catch.hpp>

#include "storage/binary_codec.h"
#include "storage/offsets.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

std::unique_ptr<Store> OpenStore(const testing::TempDir& dir, OpenMode mode = OpenMode::kReadWrite) {
  auto store = Store::Open(dir.path() / "db", mode);
  REQUIRE(store.ok());
  return std::move(store).value();
}

TEST_CASE("store: a batch with state and offsets survives close and reopen", "[store]") {
  testing::TempDir dir;
  events::TopicPartition tp{"rapport.interactions", Partition(3)};
  {
    auto store = OpenStore(dir);
    rocksdb::WriteBatch batch;
    batch.Put(store->handle(Family::kState), "c-1", "state-1");
    PutNextOffset(batch, *store, tp, Offset(42));
    REQUIRE(store->Write(batch).ok());
  }
  auto store = OpenStore(dir);
  auto value = store->Get(Family::kState, "c-1");
  REQUIRE(value.ok());
  REQUIRE(value->has_value());
  CHECK(**value == "state-1");
  auto offset = ReadNextOffset(*store, tp);
  REQUIRE(offset.ok());
  REQUIRE(offset->has_value());
  CHECK((*offset)->value() == 42);
}

TEST_CASE("store: families are separate key spaces", "[store]") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->Put(Family::kState, "k", "state").ok());
  REQUIRE(store->Put(Family::kIndex, "k", "index").ok());
  CHECK(**store->Get(Family::kState, "k") == "state");
  CHECK(**store->Get(Family::kIndex, "k") == "index");
  CHECK_FALSE(store->Get(Family::kDedupe, "k")->has_value());
}

TEST_CASE("store: a partition never applied has no offset", "[store]") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  auto offset = ReadNextOffset(*store, {"t", Partition(0)});
  REQUIRE(offset.ok());
  CHECK_FALSE(offset->has_value());
}

TEST_CASE("store: all offsets are listed per topic and partition", "[store]") {
  testing::TempDir dir;
  auto store = OpenStore(dir);
  rocksdb::WriteBatch batch;
  PutNextOffset(batch, *store, {"a.b", Partition(0)}, Offset(5));
  PutNextOffset(batch, *store, {"a.b", Partition(11)}, Offset(7));
  REQUIRE(store->Write(batch).ok());
  auto all = ReadAllOffsets(*store);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].tp.topic == "a.b");
  CHECK((*all)[1].tp.partition.value() == 11);
  CHECK((*all)[1].next_offset.value() == 7);
}

TEST_CASE("store: a secondary instance sees the primary's writes after catching up", "[store]") {
  testing::TempDir dir;
  auto primary = OpenStore(dir);
  REQUIRE(primary->Put(Family::kState, "before", "1").ok());
  auto secondary = Store::Open(dir.path() / "db", OpenMode::kSecondary, dir.path() / "secondary");
  REQUIRE(secondary.ok());
  CHECK((*secondary)->Get(Family::kState, "before")->has_value());
  REQUIRE(primary->Put(Family::kState, "after", "2").ok());
  REQUIRE((*secondary)->CatchUp().ok());
  CHECK((*secondary)->Get(Family::kState, "after")->has_value());
}

TEST_CASE("store: opening a missing database read-only is an error, not a crash", "[store]") {
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "missing", OpenMode::kReadOnly);
  CHECK_FALSE(store.ok());
}

TEST_CASE("binary codec: values round-trip and truncation is detected", "[store]") {
  BinaryWriter w;
  w.PutSigned(-123456789);
  w.PutVarint(300);
  w.PutString("hello");
  w.PutDouble(0.25);
  w.PutOptionalSigned(std::nullopt);
  w.PutOptionalSigned(-1);
  const std::string bytes = w.Release();

  BinaryReader r(bytes);
  int64_t s = 0;
  uint64_t v = 0;
  std::string str;
  double d = 0;
  std::optional<int64_t> none, minus_one;
  REQUIRE(r.GetSigned(&s));
  REQUIRE(r.GetVarint(&v));
  REQUIRE(r.GetString(&str));
  REQUIRE(r.GetDouble(&d));
  REQUIRE(r.GetOptionalSigned(&none));
  REQUIRE(r.GetOptionalSigned(&minus_one));
  CHECK(s == -123456789);
  CHECK(v == 300);
  CHECK(str == "hello");
  CHECK(d == 0.25);
  CHECK_FALSE(none.has_value());
  CHECK(minus_one == -1);
  CHECK(r.at_end());

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    BinaryReader partial(std::string_view(bytes).substr(0, cut));
    partial.GetSigned(&s) && partial.GetVarint(&v) && partial.GetString(&str) && partial.GetDouble(&d) &&
        partial.GetOptionalSigned(&none) && partial.GetOptionalSigned(&minus_one);
    CHECK_FALSE(partial.ok());
  }
}

}  // namespace
}  // namespace rapport::projections
