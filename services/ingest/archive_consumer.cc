#include "services/ingest/archive_consumer.h"

#include <spdlog/spdlog.h>

namespace rapport::services {

Status ArchiveConsumer::Connect(const events::KafkaSettings& kafka, const std::string& group,
                                const std::string& client_id, const std::vector<std::string>& topics) {
  auto consumer = events::Consumer::Create(kafka, group, client_id, this);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(consumer).value();
  return consumer_->Subscribe(topics);
}

std::vector<std::optional<Offset>> ArchiveConsumer::OnAssigned(
    const std::vector<events::TopicPartition>& partitions) {
  std::vector<std::optional<Offset>> starts;
  for (const auto& tp : partitions) {
    auto next = options_.stored_progress(tp);
    if (!next.ok()) {
      spdlog::error("{}: {}", options_.name, next.status().ToString());
      stopping_ = true;
    }
    // Offset 0, never "beginning": a head already gone from the broker is an error.
    starts.push_back(next.ok() ? next->value_or(Offset(0)) : Offset(0));
    assigned_[tp] = false;
  }
  ready_ = false;
  return starts;
}

void ArchiveConsumer::OnRevoked(const std::vector<events::TopicPartition>& partitions) {
  for (const auto& tp : partitions) assigned_.erase(tp);
}

void ArchiveConsumer::MarkEndReached(const events::TopicPartition& tp) {
  assigned_[tp] = true;
  bool all = true;
  for (const auto& [_, reached] : assigned_) all = all && reached;
  ready_ = all;
}

Status ArchiveConsumer::Archive(std::vector<events::ConsumedMessage>& messages) {
  Status failed;
  std::map<events::TopicPartition, Offset> progress;
  for (auto& message : messages) {
    events::TopicPartition tp{std::string(message.topic()), message.partition()};
    if (message.error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      MarkEndReached(tp);
      continue;
    }
    if (message.error() != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failed = OnMessageError(message, tp);
      if (!failed.ok()) break;
      continue;
    }
    progress[tp] = Offset(message.offset().value() + 1);
    Keep(message);
  }
  if (progress.empty()) return failed;
  std::vector<events::PartitionOffset> offsets;
  for (const auto& [tp, next] : progress) offsets.push_back({tp, next});
  auto written = WriteBatch(offsets);
  if (!written.ok()) return written.status();
  archived_ += *written;
  if (options_.commit_offsets) (void)consumer_->CommitAsync(offsets);
  return failed;
}

Status ArchiveConsumer::Drain() {
  const auto drain_until = std::chrono::steady_clock::now() + options_.drain;
  Status result;
  while (result.ok() && std::chrono::steady_clock::now() < drain_until) {
    auto messages = consumer_->Poll(10'000, std::chrono::milliseconds(200));
    bool data = false;
    for (const auto& message : messages) data = data || message.error() == RD_KAFKA_RESP_ERR_NO_ERROR;
    result = Archive(messages);
    if (!data) break;
  }
  return result;
}

Status ArchiveConsumer::Run() {
  Status result;
  while (!stopping_ && result.ok()) {
    auto messages = consumer_->Poll(10'000, std::chrono::milliseconds(100));
    result = Archive(messages);
  }
  // Drain: what the writers published up to the stop is archived before it.
  if (result.ok() && options_.drain.count() > 0) result = Drain();
  Status closed = consumer_->Close();
  if (!closed.ok()) spdlog::warn("{} close: {}", options_.name, closed.ToString());
  return result;
}

}  // namespace rapport::services
