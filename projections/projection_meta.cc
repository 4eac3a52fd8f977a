#include "projections/projection_meta.h"

#include <charconv>

namespace rapport::projections {

std::string WatermarkKey(std::string_view projection) { return std::string(projection) + "/watermark"; }
std::string SnapshotKey(std::string_view projection) { return std::string(projection) + "/value-snapshot"; }

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

}  // namespace rapport::projections
