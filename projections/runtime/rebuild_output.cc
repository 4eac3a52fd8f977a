#include "projections/runtime/rebuild_output.h"

#include <utility>

namespace rapport::projections {
namespace {

using nlohmann::json;

std::string Padded(int64_t value, int width) {
  std::string text = std::to_string(value);
  return std::string(width > static_cast<int>(text.size()) ? width - text.size() : 0, '0') + text;
}

}  // namespace

json RebuildCounters::ToJson() const {
  return {{"read", read}, {"applied", applied}, {"duplicates", duplicates}, {"filtered", filtered},
          {"dead_lettered", dead_lettered}};
}

RebuildCounters RebuildCounters::From(const json& j) {
  return {j.value("read", int64_t{0}), j.value("applied", int64_t{0}), j.value("duplicates", int64_t{0}),
          j.value("filtered", int64_t{0}), j.value("dead_lettered", int64_t{0})};
}

std::string RebuildDeadLetterKey(Partition partition, Offset offset) {
  return std::string(kRebuildDeadLetterPrefix) + Padded(partition.value(), 10) + "/" + Padded(offset.value(), 20);
}

Result<std::vector<RebuildDeadLetter>> ReadRebuildDeadLetters(const Store& store, size_t limit) {
  std::vector<RebuildDeadLetter> out;
  auto it = store.NewIterator(Family::kMeta);
  for (it->Seek(std::string(kRebuildDeadLetterPrefix));
       it->Valid() && it->key().starts_with(kRebuildDeadLetterPrefix) && out.size() < limit; it->Next()) {
    const std::string key = it->key().ToString().substr(kRebuildDeadLetterPrefix.size());
    json value = json::parse(it->value().ToString(), nullptr, false);
    if (value.is_discarded() || key.size() != 31) return Status::Corruption("malformed replay dead letter " + key);
    out.push_back({Partition(std::stoi(key.substr(0, 10))), Offset(std::stoll(key.substr(11))),
                   value.value("customer_id", ""), value.value("reason", "")});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scan replay dead letters");
  return out;
}

Result<std::optional<json>> ReadMetaJson(const Store& store, std::string_view key) {
  auto stored = store.Get(Family::kMeta, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<json>();
  json parsed = json::parse(**stored, nullptr, false);
  if (parsed.is_discarded()) return Status::Corruption(std::string(key) + " in " + store.dir().string() + " is not JSON");
  return std::optional<json>(std::move(parsed));
}

}  // namespace rapport::projections
