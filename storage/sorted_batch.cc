#include "storage/sorted_batch.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace rapport::projections {
namespace {

enum class Op : uint8_t { kPut, kDelete, kSingleDelete, kMerge };

struct Entry {
  uint32_t family;
  Op op;
  std::string_view key;    // into the original batch's buffer
  std::string_view value;
};

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

// Collects the entries; any other kind of record makes the batch unsortable.
class Collector final : public rocksdb::WriteBatch::Handler {
 public:
  std::vector<Entry> entries;
  bool sortable = true;

  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    return Add(family, Op::kPut, key, value);
  }
  rocksdb::Status DeleteCF(uint32_t family, const rocksdb::Slice& key) override {
    return Add(family, Op::kDelete, key, {});
  }
  rocksdb::Status SingleDeleteCF(uint32_t family, const rocksdb::Slice& key) override {
    return Add(family, Op::kSingleDelete, key, {});
  }
  rocksdb::Status MergeCF(uint32_t family, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    return Add(family, Op::kMerge, key, value);
  }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override { return Stop(); }
  rocksdb::Status PutBlobIndexCF(uint32_t, const rocksdb::Slice&, const rocksdb::Slice&) override { return Stop(); }
  void LogData(const rocksdb::Slice&) override { sortable = false; }
  bool Continue() override { return sortable; }

 private:
  rocksdb::Status Add(uint32_t family, Op op, const rocksdb::Slice& key, const rocksdb::Slice& value) {
    entries.push_back({family, op, View(key), View(value)});
    return rocksdb::Status::OK();
  }
  rocksdb::Status Stop() {
    sortable = false;
    return rocksdb::Status::OK();
  }
};

}  // namespace

bool SortForMemtable(const Store& store, rocksdb::WriteBatch& batch) {
  if (batch.HasDeleteRange() || batch.Count() < 2) return false;
  Collector collected;
  collected.entries.reserve(batch.Count());
  if (!batch.Iterate(&collected).ok() || !collected.sortable) return false;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  for (int f = 0; f < kFamilyCount; ++f) {
    rocksdb::ColumnFamilyHandle* handle = store.handle(static_cast<Family>(f));
    if (handle->GetID() >= handles.size()) handles.resize(handle->GetID() + 1, nullptr);
    handles[handle->GetID()] = handle;
  }
  for (const Entry& entry : collected.entries) {
    if (entry.family >= handles.size() || handles[entry.family] == nullptr) return false;
  }
  auto& entries = collected.entries;
  if (std::is_sorted(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.family != b.family ? a.family < b.family : a.key < b.key;
      })) {
    return true;
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.family != b.family ? a.family < b.family : a.key < b.key;
  });
  rocksdb::WriteBatch sorted(batch.GetDataSize());
  for (const Entry& entry : entries) {
    rocksdb::ColumnFamilyHandle* handle = handles[entry.family];
    const rocksdb::Slice key(entry.key.data(), entry.key.size());
    const rocksdb::Slice value(entry.value.data(), entry.value.size());
    switch (entry.op) {
      case Op::kPut:
        sorted.Put(handle, key, value);
        break;
      case Op::kDelete:
        sorted.Delete(handle, key);
        break;
      case Op::kSingleDelete:
        sorted.SingleDelete(handle, key);
        break;
      case Op::kMerge:
        sorted.Merge(handle, key, value);
        break;
    }
  }
  batch = std::move(sorted);  // the views into the old buffer are not used past here
  return true;
}

}  // namespace rapport::projections
