#include "services/ingest/archiver.h"

#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

#include "events/wire_codec.h"
#include "storage/offsets.h"

namespace rapport::services {

const std::string& ProcessJournaledMark() {
  static const std::string mark = [] {
    std::random_device random;
    char text[17];
    std::snprintf(text, sizeof(text), "%08x%08x", random(), random());
    return std::string(text);
  }();
  return mark;
}

Result<std::unique_ptr<Archiver>> Archiver::Create(const events::KafkaSettings& kafka,
                                                   projections::Journal& journal, bool skip_journaled) {
  std::unique_ptr<Archiver> archiver(new Archiver(journal));
  archiver->skip_journaled_ = skip_journaled;
  auto consumer = events::Consumer::Create(kafka, "rapport.archive", "rapport-archive", archiver.get());
  if (!consumer.ok()) return consumer.status();
  archiver->consumer_ = std::move(consumer).value();
  RAPPORT_RETURN_IF_ERROR(archiver->consumer_->Subscribe({kafka.topics.interactions}));
  return archiver;
}

std::vector<std::optional<Offset>> Archiver::OnAssigned(const std::vector<events::TopicPartition>& partitions) {
  std::vector<std::optional<Offset>> starts;
  for (const auto& tp : partitions) {
    auto next = projections::ReadNextOffset(journal_.store(), tp);
    if (!next.ok()) {
      spdlog::error("archive: {}", next.status().ToString());
      stopping_ = true;
    }
    // Offset 0, never "beginning": a head already gone from Kafka is an error.
    starts.push_back(next.ok() ? next->value_or(Offset(0)) : Offset(0));
    assigned_[tp] = false;
  }
  ready_ = false;
  return starts;
}

void Archiver::OnRevoked(const std::vector<events::TopicPartition>& partitions) {
  for (const auto& tp : partitions) assigned_.erase(tp);
}

Status Archiver::SkipJournaledGap(const events::TopicPartition& tp) {
  int64_t low = 0, high = 0;
  RAPPORT_RETURN_IF_ERROR(events::FromKafka(
      rd_kafka_query_watermark_offsets(consumer_->handle(), tp.topic.c_str(), tp.partition.value(), &low, &high,
                                       10'000),
      "watermarks of " + tp.topic));
  auto end = journal_.EndOffset(tp.partition);
  if (!end.ok()) return end.status();
  if (end->value() < low) {
    return Status::Unavailable("messages left the topic before they were archived (partition " +
                               std::to_string(tp.partition.value()) + ": journal ends at " +
                               std::to_string(end->value()) + ", topic starts at " + std::to_string(low) + ")");
  }
  spdlog::info("archive: {}[{}] starts at {} on the topic; the journal already holds up to {}", tp.topic,
               tp.partition.value(), low, end->value());
  return consumer_->Seek(tp, Offset(low));
}

Status Archiver::Run() {
  Status result;
  while (!stopping_ && result.ok()) {
    auto messages = consumer_->Poll(10'000, std::chrono::milliseconds(100));
    std::vector<projections::JournalEntry> entries;
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
      if (message.error() == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
          message.error() == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
        // In embedded mode the gateway journals its own events, so under heavy
        // ingest the topic may drop what the archiver had yet to read although the
        // journal already has it: then continue where the topic starts.
        Status skipped = SkipJournaledGap(tp);
        if (!skipped.ok()) {
          result = Status::Unavailable("archive: " + message.error_text() + ": " + skipped.ToString());
          break;
        }
        continue;
      }
      if (message.error() != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn("archive: {}", message.error_text());
        continue;
      }
      progress[tp] = Offset(message.offset().value() + 1);
      if (skip_journaled_) {
        auto mark = message.header(kHeaderJournaled);
        if (mark && *mark == ProcessJournaledMark()) continue;
      }
      auto type = message.header(events::kHeaderEventType);
      entries.push_back({message.partition(), message.offset(), std::string(message.key()),
                         std::string(message.value()), message.timestamp_ms(),
                         type ? std::string(*type) : std::string()});
    }
    if (progress.empty()) continue;
    std::vector<events::PartitionOffset> offsets;
    for (const auto& [tp, next] : progress) offsets.push_back({tp, next});
    Status written = journal_.AppendWithProgress(entries, offsets);
    if (!written.ok()) {
      result = written;
      break;
    }
    archived_ += static_cast<int64_t>(entries.size());
    (void)consumer_->CommitAsync(offsets);
  }
  Status closed = consumer_->Close();
  if (!closed.ok()) spdlog::warn("archive close: {}", closed.ToString());
  return result;
}

}  // namespace rapport::services
