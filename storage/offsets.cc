#include "storage/offsets.h"

#include <charconv>

namespace rapport::projections {
namespace {

constexpr std::string_view kPrefix = "offset/";

std::string EncodeOffset(Offset offset) { return std::to_string(offset.value()); }

std::optional<Offset> DecodeOffset(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return Offset(value);
}

}  // namespace

std::string OffsetKey(const events::TopicPartition& tp) {
  return std::string(kPrefix) + tp.topic + "/" + std::to_string(tp.partition.value());
}

Result<std::optional<Offset>> ReadNextOffset(const Store& store, const events::TopicPartition& tp) {
  auto stored = store.Get(Family::kMeta, OffsetKey(tp));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<Offset>();
  auto offset = DecodeOffset(**stored);
  if (!offset) return Status::Corruption("stored offset of " + OffsetKey(tp) + " is not a number");
  return std::optional<Offset>(*offset);
}

void PutNextOffset(rocksdb::WriteBatch& batch, const Store& store, const events::TopicPartition& tp,
                   Offset next) {
  batch.Put(store.handle(Family::kMeta), OffsetKey(tp), EncodeOffset(next));
}

Result<std::vector<events::PartitionOffset>> ReadAllOffsets(const Store& store) {
  std::vector<events::PartitionOffset> out;
  auto it = store.NewIterator(Family::kMeta);
  for (it->Seek(std::string(kPrefix)); it->Valid() && it->key().starts_with(kPrefix); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    key.remove_prefix(kPrefix.size());
    size_t slash = key.rfind('/');
    auto partition = DecodeOffset(key.substr(slash + 1));
    auto offset = DecodeOffset(std::string_view(it->value().data(), it->value().size()));
    if (slash == std::string_view::npos || !partition || !offset) {
      return Status::Corruption("malformed offset entry " + it->key().ToString());
    }
    out.push_back({{std::string(key.substr(0, slash)), Partition(static_cast<int32_t>(partition->value()))},
                   *offset});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan offsets");
  return out;
}

}  // namespace rapport::projections
