#include "storage/bulk_ingest.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

namespace rapport::projections {
namespace {

// The first 8 bytes of `key` as a big-endian number, zero-padded: ordered as the
// keys are wherever two prefixes differ.
uint64_t KeyPrefix(rocksdb::Slice key) {
  uint64_t prefix = 0;
  const size_t n = std::min<size_t>(key.size(), 8);
  for (size_t i = 0; i < n; ++i) prefix |= uint64_t{static_cast<uint8_t>(key[i])} << (56 - 8 * i);
  return prefix;
}

struct Operation {
  Operation() = default;
  Operation(rocksdb::Slice key_in, rocksdb::Slice value_in, bool is_delete_in)
      : key(key_in), value(value_in), is_delete(is_delete_in), prefix(KeyPrefix(key_in)) {}
  rocksdb::Slice key;
  rocksdb::Slice value;
  bool is_delete = false;
  // Sorting a checkpoint's half a million keys compares mostly prefixes: a
  // customer id in its first bytes (dedupe keys start with one) settles most
  // comparisons without a call to memcmp.
  uint64_t prefix = 0;
};

// Bytewise key order, the families' comparator.
bool KeyLess(const Operation& a, const Operation& b) {
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  return a.key.compare(b.key) < 0;
}

// Sorts the batch's operations into one list per family; views into the batch.
class Collector final : public rocksdb::WriteBatch::Handler {
 public:
  explicit Collector(const Store& store) {
    for (int i = 0; i < kFamilyCount; ++i) ids_[i] = store.handle(static_cast<Family>(i))->GetID();
  }

  rocksdb::Status PutCF(uint32_t id, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    return Add(id, {key, value, false});
  }
  rocksdb::Status DeleteCF(uint32_t id, const rocksdb::Slice& key) override { return Add(id, {key, {}, true}); }
  // Anything else: the caller writes the batch the ordinary way.
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override { return Unsupported(); }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported();
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override { return Unsupported(); }
  rocksdb::Status PutBlobIndexCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override {
    return Unsupported();
  }

  bool supported() const { return supported_; }
  std::vector<Operation>& operations(int family) { return operations_[family]; }

 private:
  rocksdb::Status Add(uint32_t id, Operation operation) {
    for (int i = 0; i < kFamilyCount; ++i) {
      if (ids_[i] == id) {
        operations_[i].push_back(operation);
        return rocksdb::Status::OK();
      }
    }
    return Unsupported();
  }
  rocksdb::Status Unsupported() {
    supported_ = false;
    return rocksdb::Status::NotSupported("bulk ingest");
  }

  uint32_t ids_[kFamilyCount] = {};
  std::vector<Operation> operations_[kFamilyCount];
  bool supported_ = true;
};

// Key order; of equal keys the batch's last operation, as a WriteBatch applies them.
void SortNewestLast(std::vector<Operation>& operations) {
  std::stable_sort(operations.begin(), operations.end(), KeyLess);
  size_t kept = 0;
  for (size_t i = 0; i < operations.size(); ++i) {
    if (i + 1 < operations.size() && operations[i + 1].key == operations[i].key) continue;
    operations[kept++] = operations[i];
  }
  operations.resize(kept);
}

// Removes the staging folder, whatever happened.
struct Staging {
  std::filesystem::path dir;
  ~Staging() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

// Writes one family's operations (sorted here) into a new SST file at `path`.
Status WriteFile(const Store& store, Family family, std::vector<Operation>& operations, bool presorted,
                 const std::string& path) {
  if (presorted) {
    // Distinct keys, none from the batch: any order of equal keys is the same.
    std::sort(operations.begin(), operations.end(), KeyLess);
  } else {
    SortNewestLast(operations);
  }
  rocksdb::ColumnFamilyHandle* handle = store.handle(family);
  const rocksdb::Options options(store.db()->GetDBOptions(), store.db()->GetOptions(handle));
  // Keep the pages cached: a rebuild reads states and dedupe keys back soon.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, handle, /*invalidate_page_cache=*/false);
  RAPPORT_RETURN_IF_ERROR(FromRocks(writer.Open(path), "open " + path));
  for (const Operation& operation : operations) {
    rocksdb::Status written = operation.is_delete ? writer.Delete(operation.key) : writer.Put(operation.key, operation.value);
    RAPPORT_RETURN_IF_ERROR(FromRocks(written, "write " + path));
  }
  return FromRocks(writer.Finish(), "finish " + path);
}

Status Ingest(Store& store, const rocksdb::WriteBatch& batch, std::optional<Family> keys_family,
              std::vector<std::string_view> keys) {
  if (batch.Count() == 0 && keys.empty()) return Status::Ok();
  Collector collector(store);
  rocksdb::Status parsed = batch.Iterate(&collector);
  if (!collector.supported()) {
    rocksdb::WriteBatch copy(batch);  // Store::Write takes a mutable batch
    for (std::string_view key : keys) copy.Put(store.handle(*keys_family), key, "");
    return store.Write(copy);
  }
  if (!parsed.ok()) return FromRocks(parsed, "read write batch");
  bool presorted[kFamilyCount] = {};
  if (keys_family) {
    std::vector<Operation>& operations = collector.operations(static_cast<int>(*keys_family));
    presorted[static_cast<int>(*keys_family)] = operations.empty();
    std::vector<Operation> with_keys;
    with_keys.reserve(keys.size() + operations.size());
    for (std::string_view key : keys) with_keys.push_back({key, rocksdb::Slice(), false});
    with_keys.insert(with_keys.end(), operations.begin(), operations.end());
    operations = std::move(with_keys);
  }

  static std::atomic<uint64_t> sequence{0};
  Staging staging{store.dir() / (".ingest-" + std::to_string(::getpid()) + "-" + std::to_string(sequence++))};
  std::error_code ec;
  std::filesystem::create_directories(staging.dir, ec);
  if (ec) return Status::Unavailable("cannot create " + staging.dir.string() + ": " + ec.message());

  // The largest family's file on a second thread, the others on this one: a
  // rebuild's checkpoint is two big families (states, dedupe keys) of similar cost.
  int largest = -1;
  for (int i = 0; i < kFamilyCount; ++i) {
    if (!collector.operations(i).empty() &&
        (largest < 0 || collector.operations(i).size() > collector.operations(largest).size())) {
      largest = i;
    }
  }
  std::vector<rocksdb::IngestExternalFileArg> args;
  Status statuses[kFamilyCount];
  std::thread helper;
  for (int i = 0; i < kFamilyCount; ++i) {
    std::vector<Operation>& operations = collector.operations(i);
    if (operations.empty()) continue;
    const std::string path = (staging.dir / (std::to_string(i) + ".sst")).string();
    const auto family = static_cast<Family>(i);
    if (i == largest) {
      helper = std::thread([&, i, family, path] { statuses[i] = WriteFile(store, family, operations, presorted[i], path); });
    } else {
      statuses[i] = WriteFile(store, family, operations, presorted[i], path);
    }
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = store.handle(family);
    arg.external_files.push_back(path);
    arg.options.move_files = true;          // hard links, no copy
    arg.options.write_global_seqno = false;  // the sequence number lives in the MANIFEST
    args.push_back(std::move(arg));
  }
  if (helper.joinable()) helper.join();
  for (const Status& status : statuses) RAPPORT_RETURN_IF_ERROR(status);
  return FromRocks(store.db()->IngestExternalFiles(args), "ingest into " + store.dir().string());
}

}  // namespace

Status IngestBatch(Store& store, const rocksdb::WriteBatch& batch) { return Ingest(store, batch, std::nullopt, {}); }

Status IngestBatch(Store& store, const rocksdb::WriteBatch& batch, Family family, std::vector<std::string_view> keys) {
  return Ingest(store, batch, family, std::move(keys));
}

}  // namespace rapport::projections
