#pragma once
// One projection's RocksDB database. Column families:
//   state  - the projection's per-key state (customer id -> encoded state)
//   meta   - runtime bookkeeping: next offset per topic partition, watermarks
//   index  - projection-specific secondary data (aggregates, timers, rankings)
//   dedupe - event ids already applied, per customer, so a retried publish counts once
// Lifecycle: Open() it, use it from any thread (RocksDB is thread-safe), destroy it
// to close. A secondary instance follows a live primary from another process.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "events/status.h"

namespace rapport::projections {

enum class Family { kState = 0, kMeta = 1, kIndex = 2, kDedupe = 3 };
inline constexpr int kFamilyCount = 4;

enum class OpenMode {
  kReadWrite,  // the projector's own instance
  kSecondary,  // another process following the primary (query API, replay reads)
  kReadOnly,   // a finished replay output
};

class Store {
 public:
  // Opens or creates the database in `dir`. A secondary keeps its own info log
  // under `dir`/../.secondary-<pid> unless `secondary_dir` is given.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& dir, OpenMode mode,
                                             std::filesystem::path secondary_dir = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // nullopt when the key is absent.
  Result<std::optional<std::string>> Get(Family family, std::string_view key) const;
  Status Put(Family family, std::string_view key, std::string_view value);
  // Applies the batch atomically. Not synced to disk per write: the WAL survives a
  // process crash, and offsets travel in the same batch, so a crash re-reads
  // whatever was not written.
  Status Write(rocksdb::WriteBatch& batch);
  // A secondary instance catches up with the primary's latest writes.
  Status CatchUp();

  rocksdb::ColumnFamilyHandle* handle(Family family) const;
  std::unique_ptr<rocksdb::Iterator> NewIterator(Family family) const;
  // An iterator for one pass over [from, until): its blocks are read ahead and kept
  // out of the shared block cache, where they would evict the states the
  // projections read back (`until` must outlive the iterator).
  std::unique_ptr<rocksdb::Iterator> NewScanIterator(Family family, const rocksdb::Slice& until) const;
  rocksdb::DB* db() const { return db_.get(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  Store() = default;

  std::filesystem::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<rocksdb::ColumnFamilyHandle> handles_[kFamilyCount];
};

// The one place a rocksdb::Status becomes a rapport Status.
Status FromRocks(const rocksdb::Status& status, std::string_view context);

}  // namespace rapport::projections
