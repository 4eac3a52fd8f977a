#include "services/ingest/topic_restore.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "events/record.h"

namespace rapport::services {
namespace {

constexpr size_t kChunk = 10'000;

events::OutgoingMessage ToMessage(const events::TopicRecord& record) {
  events::OutgoingMessage message;
  message.topic = record.topic;
  message.partition = record.partition;
  message.key = record.key.value_or("");
  message.value = record.value.value_or("");
  message.timestamp_ms = record.timestamp_ms;
  message.headers = record.headers;
  return message;
}

events::OutgoingMessage Filler(const std::string& topic, Partition partition) {
  events::OutgoingMessage message;
  message.topic = topic;
  message.partition = partition;
  message.headers = {{std::string(events::kHeaderFiller), "1"}};
  return message;
}

// Publishes `messages` in chunks; returns where the broker put each.
Result<std::vector<Offset>> PublishAll(events::Publisher& publisher, const std::vector<events::OutgoingMessage>& messages) {
  std::vector<Offset> offsets;
  offsets.reserve(messages.size());
  for (size_t begin = 0; begin < messages.size(); begin += kChunk) {
    const size_t count = std::min(kChunk, messages.size() - begin);
    std::vector<events::Delivery> deliveries;
    RAPPORT_RETURN_IF_ERROR(publisher.PublishAndWait(std::span(messages).subspan(begin, count), &deliveries));
    for (const events::Delivery& delivery : deliveries) offsets.push_back(delivery.offset);
  }
  return offsets;
}

// A topic kept whole: every record at its offset; fillers in holes and up to `next`.
Result<int64_t> RestoreWhole(events::Publisher& publisher, const std::string& topic, Partition partition,
                             const std::vector<events::TopicRecord>& records, int64_t next) {
  std::vector<events::OutgoingMessage> messages;
  for (const events::TopicRecord& record : records) {
    while (static_cast<int64_t>(messages.size()) < record.offset.value()) messages.push_back(Filler(topic, partition));
    messages.push_back(ToMessage(record));
  }
  while (static_cast<int64_t>(messages.size()) < next) messages.push_back(Filler(topic, partition));
  auto offsets = PublishAll(publisher, messages);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < offsets->size(); ++i) {
    if ((*offsets)[i].value() != static_cast<int64_t>(i)) {
      return Status::Internal("restore of " + topic + "[" + std::to_string(partition.value()) + "]: offset " +
                              std::to_string(i) + " came back as " + std::to_string((*offsets)[i].value()) +
                              " (was the topic empty?)");
    }
  }
  return static_cast<int64_t>(records.size());
}

// A compacted topic: what compaction left, numbered anew; the log follows.
Result<int64_t> RestoreCompacted(projections::TopicLog& log, events::Publisher& publisher, const std::string& topic,
                                 Partition partition, std::vector<events::TopicRecord> records) {
  std::vector<events::OutgoingMessage> messages;
  for (const events::TopicRecord& record : records) messages.push_back(ToMessage(record));
  auto offsets = PublishAll(publisher, messages);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < records.size(); ++i) records[i].offset = (*offsets)[i];
  const Offset next(records.empty() ? 0 : records.back().offset.value() + 1);
  RAPPORT_RETURN_IF_ERROR(log.ReplacePartition(topic, partition, records, next));
  return static_cast<int64_t>(records.size());
}

}  // namespace

Result<int64_t> RestoreTopics(projections::TopicLog& log, events::Publisher& publisher,
                              const std::vector<events::ArchivedTopic>& topics) {
  int64_t total = 0;
  for (const events::ArchivedTopic& topic : topics) {
    std::map<int32_t, std::vector<events::TopicRecord>> by_partition;
    auto progress = log.Visit(topic.name, [&](events::TopicRecord&& record) {
      by_partition[record.partition.value()].push_back(std::move(record));
      return Status::Ok();
    });
    if (!progress.ok()) return progress.status();
    for (const auto& [partition, next] : *progress) {
      auto& records = by_partition[partition];
      auto restored = topic.compacted
                          ? RestoreCompacted(log, publisher, topic.name, Partition(partition), std::move(records))
                          : RestoreWhole(publisher, topic.name, Partition(partition), records, next);
      if (!restored.ok()) return restored.status();
      total += *restored;
    }
    if (!progress->empty()) spdlog::info("restored {} from its durable copy", topic.name);
  }
  if (total > 0) spdlog::info("restored {} record(s) of {} topic(s) from the topic log", total, topics.size());
  return total;
}

Result<int64_t> RepublishSpooled(projections::TopicLog& log, const events::TopicSpool& spool,
                                 events::Publisher& publisher) {
  auto spooled = spool.ReadAll();
  if (!spooled.ok()) return spooled.status();
  std::vector<events::OutgoingMessage> again;
  std::vector<std::string> logged;
  for (events::SpooledMessage& entry : *spooled) {
    auto held = log.HoldsSpooled(entry.id);
    if (!held.ok()) return held.status();
    if (!*held) {
      again.push_back(std::move(entry.message));
    } else if (spool.Remove(entry.id)) {
      logged.push_back(entry.id);
    }
  }
  RAPPORT_RETURN_IF_ERROR(log.ForgetSpooled(logged));
  for (size_t begin = 0; begin < again.size(); begin += kChunk) {
    const size_t count = std::min(kChunk, again.size() - begin);
    RAPPORT_RETURN_IF_ERROR(publisher.PublishAndWait(std::span(again).subspan(begin, count)));
  }
  if (!again.empty()) spdlog::info("published {} spooled record(s) the topic log did not hold yet", again.size());
  return static_cast<int64_t>(again.size());
}

}  // namespace rapport::services
