#include "tests/example_projection/channel_counts/channel_counts.h"

#include <nlohmann/json.hpp>

namespace rapport::example {

std::string EncodeChannelCounts(const ChannelCounts& counts) {
  return nlohmann::json{{"customer_id", counts.customer_id}, {"channels", counts.channels}}.dump();
}

Result<ChannelCounts> DecodeChannelCounts(std::string_view bytes) {
  const nlohmann::json json = nlohmann::json::parse(bytes, nullptr, false);
  if (json.is_discarded() || !json.contains("channels") || json["channels"].size() != events::kChannelCount) {
    return Status::Corruption("channel counts: malformed state");
  }
  ChannelCounts counts;
  counts.customer_id = json.value("customer_id", "");
  for (size_t i = 0; i < counts.channels.size(); ++i) counts.channels[i] = json["channels"][i].get<int64_t>();
  return counts;
}

Result<std::optional<ChannelCounts>> ReadChannelCounts(const projections::Store& store, std::string_view customer_id) {
  auto stored = store.Get(projections::Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<ChannelCounts>();
  auto counts = DecodeChannelCounts(**stored);
  if (!counts.ok()) return counts.status().WithContext("state of " + std::string(customer_id));
  return std::optional<ChannelCounts>(std::move(counts).value());
}

Status ChannelCountsProjection::Apply(const events::Event& event, const projections::EventSource&) {
  const std::string id = event.customer_id.str();
  auto found = changed_.find(id);
  if (found == changed_.end()) {
    auto stored = ReadChannelCounts(store_, id);
    if (!stored.ok()) return stored.status();
    ChannelCounts fresh;
    fresh.customer_id = id;
    found = changed_.emplace(id, stored->value_or(fresh)).first;
  }
  ++found->second.channels[static_cast<size_t>(event.channel)];
  return Status::Ok();
}

Status ChannelCountsProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  for (const auto& [id, counts] : changed_) {
    batch.Put(store_.handle(projections::Family::kState), id, EncodeChannelCounts(counts));
  }
  changed_.clear();
  return Status::Ok();
}

}  // namespace rapport::example
