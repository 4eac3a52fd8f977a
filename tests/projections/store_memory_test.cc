// storage/store_memory.h: one memory budget for every store of a process.

#include <catch2/catch.hpp>

#include "storage/store.h"
#include "storage/store_memory.h"
#include "tests/support/temp_dir.h"

namespace rapport::projections {
namespace {

TEST_CASE("store memory: stores opened after configuring share one cache and one write buffer budget",
          "[store][memory]") {
  testing::TempDir dir;
  StorageSettings settings;
  settings.memory_budget_mb = 64;
  settings.write_buffer_share = 0.25;
  REQUIRE(ConfigureStoreMemory(settings).ok());
  const auto memory = SharedStoreMemory();
  CHECK(memory->block_cache->GetCapacity() == size_t{64} << 20);
  CHECK(memory->write_buffers->buffer_size() == size_t{16} << 20);
  CHECK(memory->write_buffers->cost_to_cache());
  {
    auto a = Store::Open(dir.path() / "a", OpenMode::kReadWrite);
    auto b = Store::Open(dir.path() / "b", OpenMode::kReadWrite);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    for (const auto* store : {a->get(), b->get()}) {
      CHECK(store->db()->GetDBOptions().write_buffer_manager == memory->write_buffers);
      // A family's memtable stays within a quarter of the write budget.
      CHECK(store->db()->GetOptions(store->handle(Family::kState)).write_buffer_size == size_t{4} << 20);
    }
    // Writes to either store are counted in the one budget.
    const size_t before = memory->write_buffers->memory_usage();
    REQUIRE((*a)->Put(Family::kState, "k", std::string(1'000'000, 'x')).ok());
    REQUIRE((*b)->Put(Family::kState, "k", std::string(1'000'000, 'y')).ok());
    CHECK(memory->write_buffers->memory_usage() >= before + 2'000'000);
  }
  REQUIRE(ConfigureStoreMemory(StorageSettings{}).ok());  // the defaults again, for other tests
  CHECK(StateCacheEntries() == 100'000);
}

TEST_CASE("store memory: settings out of range are refused, naming the setting", "[store][memory]") {
  StorageSettings settings;
  CHECK(CheckStorageSettings(settings).ok());
  settings.memory_budget_mb = 8;
  CHECK(CheckStorageSettings(settings).ToString().find("storage.memory_budget_mb") != std::string::npos);
  settings = {};
  settings.write_buffer_share = 1.0;
  CHECK(CheckStorageSettings(settings).ToString().find("storage.write_buffer_share") != std::string::npos);
  settings = {};
  settings.state_cache_entries = 0;
  CHECK(CheckStorageSettings(settings).ToString().find("storage.state_cache_entries") != std::string::npos);
  CHECK_FALSE(ConfigureStoreMemory(settings).ok());
  settings = {};
  settings.replay_state_cache_entries = 0;
  CHECK(CheckStorageSettings(settings).ToString().find("storage.replay_state_cache_entries") != std::string::npos);
}

}  // namespace
}  // namespace rapport::projections
