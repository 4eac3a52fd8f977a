#pragma once
// The memory budget every RocksDB store of one process shares. Left alone, each
// store's four column families keep their own write buffers (up to 2 x 64 MB each)
// and their own block cache, so `rapport up` (the journal and four projection
// stores) could grow to gigabytes at a million customers. Instead, Store::Open gives
// every store one LRU block cache of `budget_mb` and one rocksdb::WriteBufferManager
// whose memtables are charged to that cache: memtables and cached blocks of all
// stores together stay near the budget (flushes start when memtables pass their
// share). The state caches of the projections (projections/runtime/state_cache.h) are
// bounded by `state_cache_entries` per cache (`replay_state_cache_entries` in a replay).
//
// Configure once at start, before opening stores (a store keeps the pool it was
// opened with). Thread-safe. Settings: storage.* in docs/configuration.md.

#include <cstddef>
#include <cstdint>
#include <memory>

#include <rocksdb/cache.h>
#include <rocksdb/write_buffer_manager.h>

#include "events/status.h"

namespace rapport::projections {

struct StorageSettings {
  int64_t memory_budget_mb = 256;     // block cache + memtables of every store of the process
  double write_buffer_share = 0.5;    // of the budget, what memtables may hold before flushes
  int64_t state_cache_entries = 100'000;  // per projection state cache (customers kept decoded)
  // The same bound during a replay (services/analyst/replay.h), the only writer of its store:
  // high enough to keep every customer, so that no checkpoint throws the states
  // away and the next batch reads them all back. About 0.6 KiB a customer-view state.
  int64_t replay_state_cache_entries = 1'000'000;
};

// Errors name the setting (storage.*).
Status CheckStorageSettings(const StorageSettings& settings);

struct StoreMemory {
  StorageSettings settings;
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers;
};

// Replaces the process's pool with one made from `settings` (checked). Stores
// opened afterwards share it.
Status ConfigureStoreMemory(const StorageSettings& settings);

// The process's pool: the configured one, else one made from the defaults.
std::shared_ptr<const StoreMemory> SharedStoreMemory();

// The bound of a new state cache: storage.state_cache_entries of the pool.
size_t StateCacheEntries();

}  // namespace rapport::projections
