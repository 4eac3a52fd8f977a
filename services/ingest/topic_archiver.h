#pragma once
// Embedded mode: copies every topic of events::ArchivedTopics (alerts, dead letters,
// model parameters, instances, ...) from the embedded broker into the topic log
// (storage/topic_log.h), so they survive a restart as the interactions do through
// the journal. One consumer (group "rapport.topic-archive") for all of them; each
// batch's records and the progress go to the log in one write, so a crash re-reads
// exactly what was not written. Fillers (events/record.h) advance the progress
// and are not kept.
//
// Lifecycle: Create, Run on one thread, Stop from any thread (Run drains first).

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "events/consumer.h"
#include "events/kafka_settings.h"
#include "storage/topic_log.h"

namespace rapport::services {

class TopicArchiver final : private events::RebalanceListener {
 public:
  static Result<std::unique_ptr<TopicArchiver>> Create(const events::KafkaSettings& kafka,
                                                       const std::vector<events::ArchivedTopic>& topics,
                                                       projections::TopicLog& log);

  Status Run();
  // Archives what is still on the broker (until a poll brings nothing, at most
  // ~5 s), then stops: a clean shutdown loses no record written before it.
  void Stop() { stopping_ = true; }
  // Every assigned partition reached its end once.
  bool ready() const { return ready_; }
  int64_t archived() const { return archived_; }

 private:
  explicit TopicArchiver(projections::TopicLog& log) : log_(log) {}
  std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<events::TopicPartition>& partitions) override;
  // Archives one polled batch.
  Status Archive(std::vector<events::ConsumedMessage>& messages);

  projections::TopicLog& log_;
  std::set<std::string> compacted_;
  std::unique_ptr<events::Consumer> consumer_;
  std::map<events::TopicPartition, bool> assigned_;  // -> reached the end once
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> archived_{0};
};

}  // namespace rapport::services
