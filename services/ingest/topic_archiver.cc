#include "services/ingest/topic_archiver.h"

#include <spdlog/spdlog.h>

#include "events/record.h"
#include "events/topic_reader.h"

namespace rapport::services {

Result<std::unique_ptr<TopicArchiver>> TopicArchiver::Create(const events::KafkaSettings& kafka,
                                                             const std::vector<events::ArchivedTopic>& topics,
                                                             projections::TopicLog& log) {
  std::unique_ptr<TopicArchiver> archiver(new TopicArchiver(log));
  std::vector<std::string> names;
  for (const events::ArchivedTopic& topic : topics) {
    names.push_back(topic.name);
    if (topic.compacted) archiver->compacted_.insert(topic.name);
  }
  auto consumer = events::Consumer::Create(kafka, "rapport.topic-archive", "rapport-topic-archive", archiver.get());
  if (!consumer.ok()) return consumer.status();
  archiver->consumer_ = std::move(consumer).value();
  RAPPORT_RETURN_IF_ERROR(archiver->consumer_->Subscribe(names));
  return archiver;
}

std::vector<std::optional<Offset>> TopicArchiver::OnAssigned(const std::vector<events::TopicPartition>& partitions) {
  std::vector<std::optional<Offset>> starts;
  for (const auto& tp : partitions) {
    auto next = log_.Progress(tp);
    if (!next.ok()) {
      spdlog::error("topic archive: {}", next.status().ToString());
      stopping_ = true;
    }
    // Offset 0, never "beginning": a head already gone from the broker is an error.
    starts.push_back(next.ok() ? next->value_or(Offset(0)) : Offset(0));
    assigned_[tp] = false;
  }
  ready_ = false;
  return starts;
}

void TopicArchiver::OnRevoked(const std::vector<events::TopicPartition>& partitions) {
  for (const auto& tp : partitions) assigned_.erase(tp);
}

Status TopicArchiver::Archive(std::vector<events::ConsumedMessage>& messages) {
  std::vector<events::TopicRecord> records;
  std::map<events::TopicPartition, Offset> progress;
  for (auto& message : messages) {
    events::TopicPartition tp{std::string(message.topic()), message.partition()};
    if (message.error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      assigned_[tp] = true;
      bool all = true;
      for (const auto& [_, reached] : assigned_) all = all && reached;
      ready_ = all;
      continue;
    }
    if (message.error() != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Out of range: the broker dropped what was not archived yet (it keeps
      // ~5 MiB a partition); nothing brings it back, so say so loudly.
      spdlog::error("topic archive: {} [{}]: {}", tp.topic, tp.partition.value(), message.error_text());
      continue;
    }
    progress[tp] = Offset(message.offset().value() + 1);
    if (message.value().empty() && message.header(events::kHeaderFiller)) continue;
    records.push_back(events::ToTopicRecord(message.raw()));
  }
  if (progress.empty()) return Status::Ok();
  std::vector<events::PartitionOffset> offsets;
  for (const auto& [tp, next] : progress) offsets.push_back({tp, next});
  RAPPORT_RETURN_IF_ERROR(log_.Append(records, compacted_, offsets));
  archived_ += static_cast<int64_t>(records.size());
  return Status::Ok();
}

Status TopicArchiver::Run() {
  Status result;
  while (!stopping_ && result.ok()) {
    auto messages = consumer_->Poll(10'000, std::chrono::milliseconds(100));
    result = Archive(messages);
  }
  // Drain: what the writers published up to the stop is archived before it.
  const auto drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (result.ok() && std::chrono::steady_clock::now() < drain_until) {
    auto messages = consumer_->Poll(10'000, std::chrono::milliseconds(200));
    bool data = false;
    for (const auto& message : messages) data = data || message.error() == RD_KAFKA_RESP_ERR_NO_ERROR;
    result = Archive(messages);
    if (!data) break;
  }
  Status closed = consumer_->Close();
  if (!closed.ok()) spdlog::warn("topic archive close: {}", closed.ToString());
  return result;
}

}  // namespace rapport::services
