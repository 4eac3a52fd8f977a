#include "storage/store_memory.h"

#include <mutex>
#include <string>

namespace rapport::projections {
namespace {

std::mutex pool_mutex;
std::shared_ptr<const StoreMemory> pool;  // guarded by pool_mutex

std::shared_ptr<const StoreMemory> MakePool(const StorageSettings& settings) {
  auto memory = std::make_shared<StoreMemory>();
  memory->settings = settings;
  const auto budget = static_cast<size_t>(settings.memory_budget_mb) << 20;
  memory->block_cache = rocksdb::NewLRUCache(budget);
  // Memtables reserve their memory in the block cache: both share one budget. No
  // stall: a store that does not write would never flush, and others would wait.
  memory->write_buffers = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(static_cast<double>(budget) * settings.write_buffer_share), memory->block_cache,
      /*allow_stall=*/false);
  return memory;
}

}  // namespace

Status CheckStorageSettings(const StorageSettings& settings) {
  if (settings.memory_budget_mb < 16) {
    return Status::InvalidArgument("storage.memory_budget_mb",
                                   "must be at least 16, got " + std::to_string(settings.memory_budget_mb));
  }
  if (!(settings.write_buffer_share > 0 && settings.write_buffer_share < 1)) {
    return Status::InvalidArgument("storage.write_buffer_share",
                                   "must be between 0 and 1 (exclusive), got " +
                                       std::to_string(settings.write_buffer_share));
  }
  if (settings.state_cache_entries < 1) {
    return Status::InvalidArgument("storage.state_cache_entries",
                                   "must be at least 1, got " + std::to_string(settings.state_cache_entries));
  }
  if (settings.replay_state_cache_entries < 1) {
    return Status::InvalidArgument("storage.replay_state_cache_entries",
                                   "must be at least 1, got " + std::to_string(settings.replay_state_cache_entries));
  }
  return Status::Ok();
}

Status ConfigureStoreMemory(const StorageSettings& settings) {
  RAPPORT_RETURN_IF_ERROR(CheckStorageSettings(settings));
  auto made = MakePool(settings);
  std::lock_guard lock(pool_mutex);
  pool = std::move(made);
  return Status::Ok();
}

std::shared_ptr<const StoreMemory> SharedStoreMemory() {
  std::lock_guard lock(pool_mutex);
  if (!pool) pool = MakePool(StorageSettings{});
  return pool;
}

size_t StateCacheEntries() { return static_cast<size_t>(SharedStoreMemory()->settings.state_cache_entries); }

}  // namespace rapport::projections
