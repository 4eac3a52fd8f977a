#include "storage/dedupe_filter.h"

#include <functional>

namespace rapport::projections {

Result<DedupeFilter> DedupeFilter::Load(const Store& store) {
  DedupeFilter filter;
  auto it = store.NewIterator(Family::kDedupe);
  for (it->SeekToFirst(); it->Valid(); it->Next()) filter.Add(std::string_view(it->key().data(), it->key().size()));
  if (!it->status().ok()) return FromRocks(it->status(), "scan dedupe keys");
  return filter;
}

uint64_t DedupeFilter::Hash(std::string_view key) {
  const uint64_t hash = std::hash<std::string_view>{}(key);
  return hash == 0 ? 1 : hash;
}

bool DedupeFilter::MayContain(std::string_view key) const {
  const uint64_t hash = Hash(key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return true;
    if (slots_[i] == 0) return false;
  }
}

void DedupeFilter::Add(std::string_view key) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();  // at most half full: short probes
  Insert(Hash(key));
}

void DedupeFilter::Insert(uint64_t hash) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return;
    if (slots_[i] == 0) {
      slots_[i] = hash;
      ++size_;
      return;
    }
  }
}

void DedupeFilter::Grow() {
  std::vector<uint64_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  size_ = 0;
  for (uint64_t hash : old) {
    if (hash != 0) Insert(hash);
  }
}

}  // namespace rapport::projections
