#pragma once
// The churn projection's index-family writes since its last checkpoint, readable
// before they are written (a released alert reads the record a raise put there in
// the same batch). Single-threaded, like the projection.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "storage/store.h"

namespace rapport::projections {

class ChurnIndexWrites {
 public:
  void Put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  void Delete(std::string key) { writes_[std::move(key)] = std::nullopt; }
  // The value as written since the checkpoint, else as stored.
  Result<std::optional<std::string>> Get(const Store& store, const std::string& key) const {
    if (auto it = writes_.find(key); it != writes_.end()) return it->second;
    return store.Get(Family::kIndex, key);
  }
  // Adds every write to `batch`.
  void Write(const Store& store, rocksdb::WriteBatch& batch) const {
    auto* index = store.handle(Family::kIndex);
    for (const auto& [key, value] : writes_) {
      if (value) {
        batch.Put(index, key, *value);
      } else {
        batch.Delete(index, key);
      }
    }
  }
  void Clear() { writes_.clear(); }

 private:
  std::map<std::string, std::optional<std::string>> writes_;  // nullopt: deleted
};

}  // namespace rapport::projections
