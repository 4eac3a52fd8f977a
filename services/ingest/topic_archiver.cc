#include "services/ingest/topic_archiver.h"

#include <spdlog/spdlog.h>

#include "events/record.h"
#include "events/topic_reader.h"

namespace rapport::services {

Result<std::unique_ptr<TopicArchiver>> TopicArchiver::Create(const events::KafkaSettings& kafka,
                                                             const std::vector<events::ArchivedTopic>& topics,
                                                             projections::TopicLog& log) {
  std::unique_ptr<TopicArchiver> archiver(new TopicArchiver(log));
  if (!kafka.topic_spool_dir.empty()) archiver->spool_ = std::make_unique<events::TopicSpool>(kafka.topic_spool_dir);
  std::vector<std::string> names;
  for (const events::ArchivedTopic& topic : topics) {
    names.push_back(topic.name);
    if (topic.compacted) archiver->compacted_.insert(topic.name);
  }
  RAPPORT_RETURN_IF_ERROR(archiver->Connect(kafka, "rapport.topic-archive", "rapport-topic-archive", names));
  return archiver;
}

Status TopicArchiver::OnMessageError(const events::ConsumedMessage& message,
                                     const events::TopicPartition& tp) {
  // Out of range: the broker dropped what was not archived yet (it keeps
  // ~5 MiB a partition); nothing brings it back, so say so loudly.
  spdlog::error("topic archive: {} [{}]: {}", tp.topic, tp.partition.value(), message.error_text());
  return Status::Ok();
}

void TopicArchiver::Keep(events::ConsumedMessage& message) {
  if (message.value().empty() && message.header(events::kHeaderFiller)) return;
  records_.push_back(events::ToTopicRecord(message.raw()));
  if (auto id = records_.back().header(events::kHeaderSpoolId); id && spool_) spooled_.emplace_back(*id);
}

Result<int64_t> TopicArchiver::WriteBatch(const std::vector<events::PartitionOffset>& progress) {
  std::vector<events::TopicRecord> records = std::move(records_);
  records_.clear();
  std::vector<std::string> spooled = std::move(spooled_);
  spooled_.clear();
  RAPPORT_RETURN_IF_ERROR(log_.Append(records, compacted_, progress, spooled, forget_));
  forget_.clear();
  RemoveSpooled(spooled);
  return static_cast<int64_t>(records.size());
}

void TopicArchiver::RemoveSpooled(const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    // A file that stays keeps its mark: the next start sees both and drops the file.
    if (spool_->Remove(id)) forget_.push_back(id);
  }
}

}  // namespace rapport::services
