#include "storage/store.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "storage/store_memory.h"

namespace rapport::projections {
namespace {

const char* const kFamilyNames[kFamilyCount] = {"default", "meta",
                                                    "index", "dedupe"};

rocksdb::ColumnFamilyOptions FamilyOptions(const StoreMemory& memory) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table;
  // One block cache for every family of every store (storage/store_memory.h).
  table.block_cache = memory.block_cache;
  // Point lookups dominate (state by customer, dedupe misses): a bloom filter makes
  // a miss cost no disk read.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  table.whole_key_filtering = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The same for the memtable: a dedupe or state miss (every new event, every
  // replayed one) skips the skiplist search. ~2% of the write buffer.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  // One insert hint for the whole family (an empty prefix for every key): RocksDB
  // then starts each memtable insert from where the previous one went and walks only
  // as far as it must, so a checkpoint written in key order (projections/
  // sorted_batch.h) costs a few comparisons a key instead of a search from the top.
  // The price: no DeleteRange in these families (see Store::Write).
  options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewCappedPrefixTransform(0));
  options.compression = rocksdb::kLZ4Compression;
  // The shared write buffer manager flushes when all memtables together pass their
  // share; a family's own memtable stays within a quarter of it as well.
  options.write_buffer_size = std::clamp<size_t>(memory.write_buffers->buffer_size() / 4, size_t{4} << 20,
                                                 options.write_buffer_size);
  return options;
}

}  // namespace

Status FromRocks(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return Status::Ok();
  std::string message = std::string(context) + ": " + status.ToString();
  if (status.IsNotFound()) return Status::NotFound(message);
  if (status.IsCorruption()) return Status::Corruption(message);
  if (status.IsIOError() || status.IsBusy() || status.IsTimedOut() || status.IsTryAgain()) {
    return Status::Unavailable(message);
  }
  if (status.IsInvalidArgument()) return Status::InvalidArgument("", message);
  return Status::Internal(message);
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir, OpenMode mode,
                                           std::filesystem::path secondary_dir) {
  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  std::error_code ec;
  if (mode == OpenMode::kReadWrite) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  }

  rocksdb::Options options;
  options.create_if_missing = mode == OpenMode::kReadWrite;
  options.create_missing_column_families = mode == OpenMode::kReadWrite;
  options.IncreaseParallelism(2);
  options.max_open_files = mode == OpenMode::kSecondary ? -1 : 512;
  options.keep_log_file_num = 3;
  // Concurrent memtable inserts ignore the families' insert hints (FamilyOptions):
  // each searches the skiplist from the top. With the journal's writers (gateway
  // threads) grouped, that search was most of the gateway's CPU (perf, issue #7);
  // the group's leader now inserts every batch of the group itself, each from
  // where the previous key went.
  options.allow_concurrent_memtable_write = false;
  const auto memory = SharedStoreMemory();
  options.write_buffer_manager = memory->write_buffers;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) families.emplace_back(name, FamilyOptions(*memory));

  std::vector<rocksdb::ColumnFamilyHandle*> raw_handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status;
  switch (mode) {
    case OpenMode::kReadWrite:
      status = rocksdb::DB::Open(options, dir.string(), families, &raw_handles, &raw_db);
      break;
    case OpenMode::kReadOnly:
      status = rocksdb::DB::OpenForReadOnly(options, dir.string(), families, &raw_handles, &raw_db);
      break;
    case OpenMode::kSecondary: {
      if (secondary_dir.empty()) {
        secondary_dir = dir.parent_path() / (".secondary-" + dir.filename().string() + "-" +
                                             std::to_string(::getpid()));
      }
      std::filesystem::create_directories(secondary_dir, ec);
      status = rocksdb::DB::OpenAsSecondary(options, dir.string(), secondary_dir.string(), families,
                                            &raw_handles, &raw_db);
      break;
    }
  }
  if (!status.ok()) return FromRocks(status, "open " + dir.string());
  store->db_.reset(raw_db);
  for (int i = 0; i < kFamilyCount; ++i) store->handles_[i].reset(raw_handles[i]);
  return store;
}

Store::~Store() {
  // Column family handles must go before the DB that owns them.
  for (auto& handle : handles_) {
    if (handle && db_) db_->DestroyColumnFamilyHandle(handle.release());
  }
  if (db_) db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* Store::handle(Family family) const {
  return handles_[static_cast<int>(family)].get();
}

Result<std::optional<std::string>> Store::Get(Family family, std::string_view key) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), handle(family), rocksdb::Slice(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status, "get");
  return std::optional<std::string>(std::move(value));
}

Status Store::Put(Family family, std::string_view key, std::string_view value) {
  return FromRocks(db_->Put(rocksdb::WriteOptions(), handle(family), rocksdb::Slice(key), rocksdb::Slice(value)),
                   "put");
}

Status Store::Write(rocksdb::WriteBatch& batch) {
  if (batch.HasDeleteRange()) {
    // RocksDB 7.8 uses a family's one memtable insert hint (FamilyOptions) for its
    // range-deletion table too, which corrupts that table: refuse, loudly.
    return Status::InvalidArgument("batch", "range deletions are not supported in a projection store");
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "write batch");
}

Status Store::CatchUp() { return FromRocks(db_->TryCatchUpWithPrimary(), "catch up with primary"); }

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(Family family) const {
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), handle(family)));
}

std::unique_ptr<rocksdb::Iterator> Store::NewScanIterator(Family family, const rocksdb::Slice& until) const {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  options.readahead_size = 256 << 10;
  options.iterate_upper_bound = &until;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(options, handle(family)));
}

}  // namespace rapport::projections
