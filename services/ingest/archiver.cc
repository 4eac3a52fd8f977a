#include "services/ingest/archiver.h"

#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

#include "events/wire_codec.h"

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
  std::unique_ptr<Archiver> archiver(new Archiver(journal, skip_journaled));
  RAPPORT_RETURN_IF_ERROR(
      archiver->Connect(kafka, "rapport.archive", "rapport-archive", {kafka.topics.interactions}));
  return archiver;
}

Status Archiver::OnMessageError(const events::ConsumedMessage& message, const events::TopicPartition& tp) {
  if (message.error() == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
      message.error() == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
    // In embedded mode the gateway journals its own events, so under heavy
    // ingest the topic may drop what the archiver had yet to read although the
    // journal already has it: then continue where the topic starts.
    Status skipped = SkipJournaledGap(tp);
    if (skipped.ok()) return Status::Ok();
    return Status::Unavailable("archive: " + message.error_text() + ": " + skipped.ToString());
  }
  spdlog::warn("archive: {}", message.error_text());
  return Status::Ok();
}

void Archiver::Keep(events::ConsumedMessage& message) {
  if (skip_journaled_) {
    auto mark = message.header(kHeaderJournaled);
    if (mark && *mark == ProcessJournaledMark()) return;
  }
  auto type = message.header(events::kHeaderEventType);
  entries_.push_back({message.partition(), message.offset(), std::string(message.key()),
                      std::string(message.value()), message.timestamp_ms(),
                      type ? std::string(*type) : std::string()});
}

Result<int64_t> Archiver::WriteBatch(const std::vector<events::PartitionOffset>& progress) {
  std::vector<projections::JournalEntry> entries = std::move(entries_);
  entries_.clear();
  RAPPORT_RETURN_IF_ERROR(journal_.AppendWithProgress(entries, progress));
  return static_cast<int64_t>(entries.size());
}

Status Archiver::SkipJournaledGap(const events::TopicPartition& tp) {
  int64_t low = 0, high = 0;
  RAPPORT_RETURN_IF_ERROR(
      events::FromKafka(rd_kafka_query_watermark_offsets(consumer().handle(), tp.topic.c_str(),
                                                         tp.partition.value(), &low, &high, 10'000),
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
  return consumer().Seek(tp, Offset(low));
}

}  // namespace rapport::services
