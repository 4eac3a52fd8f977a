#include "storage/dedupe_keys.h"

#include <functional>

namespace rapport::projections {

size_t DedupeKeys::Find(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index == kFree || (slot.hash == hash && KeyAt(slot.index) == key)) return i;
  }
}

bool DedupeKeys::contains(std::string_view key) const {
  if (slots_.empty()) return false;
  return slots_[Find(key, std::hash<std::string_view>{}(key))].index != kFree;
}

bool DedupeKeys::insert(std::string_view key) {
  if ((spans_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = std::hash<std::string_view>{}(key);
  Slot& slot = slots_[Find(key, hash)];
  if (slot.index != kFree) return false;
  slot = {hash, static_cast<uint32_t>(spans_.size())};
  spans_.push_back({bytes_.size(), key.size()});
  bytes_.append(key);
  return true;
}

std::vector<std::string_view> DedupeKeys::Views() const {
  std::vector<std::string_view> out;
  out.reserve(spans_.size());
  for (uint32_t i = 0; i < spans_.size(); ++i) out.push_back(KeyAt(i));
  return out;
}

void DedupeKeys::Grow() {
  std::vector<Slot> old(slots_.empty() ? 1024 : slots_.size() * 2);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.index == kFree) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].index != kFree) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace rapport::projections
