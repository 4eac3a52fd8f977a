#include "projections/runtime/projection_meta.h"

#include <charconv>

namespace rapport::projections {

Result<int64_t> ReadWatermarkOf(const Store& store, std::string_view projection) {
  auto stored = store.Get(Family::kMeta, WatermarkKey(projection));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return int64_t{0};
  int64_t value = 0;
  const std::string& text = **stored;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status::Corruption(std::string(projection) + ": stored watermark is not a number: " + text);
  }
  return value;
}

Result<std::optional<ValueSnapshot>> ReadSnapshotOf(const Store& store, std::string_view projection) {
  auto stored = store.Get(Family::kMeta, SnapshotKey(projection));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<ValueSnapshot>();
  auto snapshot = DecodeValueSnapshot(**stored);
  if (!snapshot.ok()) return snapshot.status();
  return std::optional<ValueSnapshot>(std::move(snapshot).value());
}

Result<std::shared_ptr<const ValueSnapshot>> ReadSharedSnapshotOf(const Store& store, std::string_view projection) {
  struct Decoded {
    std::string bytes;
    std::shared_ptr<const ValueSnapshot> snapshot;
  };
  // One entry per projection a thread reads (three today), replaced round-robin.
  constexpr size_t kKept = 4;
  thread_local std::vector<Decoded> kept;
  thread_local size_t next_replaced = 0;
  static const auto kEmpty = std::make_shared<const ValueSnapshot>();

  auto stored = store.Get(Family::kMeta, SnapshotKey(projection));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return kEmpty;
  const std::string& bytes = **stored;
  for (const auto& entry : kept) {
    if (entry.bytes == bytes) return entry.snapshot;
  }
  auto snapshot = DecodeValueSnapshot(bytes);
  if (!snapshot.ok()) return snapshot.status();
  Decoded entry{bytes, std::make_shared<const ValueSnapshot>(std::move(snapshot).value())};
  auto shared = entry.snapshot;
  if (kept.size() < kKept) {
    kept.push_back(std::move(entry));
  } else {
    kept[next_replaced++ % kKept] = std::move(entry);
  }
  return shared;
}

}  // namespace rapport::projections
