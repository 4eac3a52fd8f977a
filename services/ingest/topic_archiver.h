#pragma once
// Embedded mode: copies every topic of events::ArchivedTopics (alerts, dead letters,
// model parameters, instances, ...) from the embedded broker into the topic log
// (storage/topic_log.h), so they survive a restart as the interactions do through
// the journal. One consumer (group "rapport.topic-archive") for all of them; each
// batch's records and the progress go to the log in one write, so a crash re-reads
// exactly what was not written. Fillers (events/record.h) advance the progress
// and are not kept. A record rapport's own writers spooled (events/topic_spool.h,
// header kHeaderSpoolId) is marked in the log with its batch, and its spool file
// removed after the write; the marks are forgotten in the next batch.
//
// Lifecycle: Create, Run on one thread, Stop from any thread (Run drains first).

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "events/kafka_settings.h"
#include "events/topic_spool.h"
#include "services/ingest/archive_consumer.h"
#include "storage/topic_log.h"

namespace rapport::services {

class TopicArchiver final : public ArchiveConsumer {
 public:
  static Result<std::unique_ptr<TopicArchiver>> Create(const events::KafkaSettings& kafka,
                                                       const std::vector<events::ArchivedTopic>& topics,
                                                       projections::TopicLog& log);

  // Stop (inherited) archives what is still on the broker (until a poll brings
  // nothing, at most ~5 s), then stops: a clean shutdown loses no record written
  // before it.

 private:
  explicit TopicArchiver(projections::TopicLog& log)
      : ArchiveConsumer({.name = "topic archive",
                         .commit_offsets = false,
                         .drain = std::chrono::seconds(5),
                         .stored_progress = [log = &log](const events::TopicPartition& tp) {
                           return log->Progress(tp);
                         }}),
        log_(log) {}
  // Removes the spool files of the batch just written; what is gone is forgotten next.
  void RemoveSpooled(const std::vector<std::string>& ids);

  // Logged loudly and passed over: nothing brings a dropped record back.
  Status OnMessageError(const events::ConsumedMessage& message, const events::TopicPartition& tp) override;
  void Keep(events::ConsumedMessage& message) override;
  Result<int64_t> WriteBatch(const std::vector<events::PartitionOffset>& progress) override;

  projections::TopicLog& log_;
  std::set<std::string> compacted_;
  std::vector<events::TopicRecord> records_;  // the batch being built
  std::unique_ptr<events::TopicSpool> spool_;  // embedded mode's write-ahead, when set
  std::vector<std::string> spooled_;          // spool ids in the batch being built
  std::vector<std::string> forget_;           // marks whose spool files are gone
};

}  // namespace rapport::services
