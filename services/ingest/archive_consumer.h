#pragma once
// The loop both archivers share (services/ingest/archiver.h: the interactions into
// the journal; topic_archiver.h: the other topics into the topic log): poll a batch,
// keep its records, write them and the partitions' next offsets in one store write,
// so a crash re-reads exactly what was not written, and start every assigned
// partition where the store's progress says. A subclass says where its progress
// lives, which messages it keeps and how a batch is written.
//
// Lifecycle: Connect (from the subclass's Create), Run on one thread, Stop from any
// thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/consumer.h"
#include "events/kafka_settings.h"

namespace rapport::services {

class ArchiveConsumer : private events::RebalanceListener {
 public:
  struct Options {
    std::string name;             // names the archiver in its log lines ("archive")
    bool commit_offsets = false;  // also commit each written batch's offsets to Kafka
    // After Stop, archive what is still on the broker until a poll brings no
    // record, at most this long; zero stops at once.
    std::chrono::milliseconds drain{0};
    // The next offset the store holds for a partition, nullopt when it holds none
    // yet. A function, not a hook: the consumer (and its rebalance callbacks) may
    // outlive the subclass while it closes.
    std::function<Result<std::optional<Offset>>(const events::TopicPartition&)> stored_progress;
  };

  ~ArchiveConsumer() override = default;

  Status Run();
  void Stop() { stopping_ = true; }
  // Every assigned partition reached its end once.
  bool ready() const { return ready_; }
  int64_t archived() const { return archived_; }

 protected:
  explicit ArchiveConsumer(Options options) : options_(std::move(options)) {}

  Status Connect(const events::KafkaSettings& kafka, const std::string& group, const std::string& client_id,
                 const std::vector<std::string>& topics);
  events::Consumer& consumer() { return *consumer_; }

  // A message carrying an error other than a partition's end. A failure ends the
  // batch (what came before it is still written) and then Run.
  virtual Status OnMessageError(const events::ConsumedMessage& message, const events::TopicPartition& tp) = 0;
  // Takes one good message into the pending batch, or passes over it: its offset
  // counts as archived either way.
  virtual void Keep(events::ConsumedMessage& message) = 0;
  // Writes the pending batch and `progress` in one write, empties the batch and
  // returns how many records it wrote.
  virtual Result<int64_t> WriteBatch(const std::vector<events::PartitionOffset>& progress) = 0;

 private:
  std::vector<std::optional<Offset>> OnAssigned(
      const std::vector<events::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<events::TopicPartition>& partitions) override;
  void MarkEndReached(const events::TopicPartition& tp);
  // Archives one polled batch.
  Status Archive(std::vector<events::ConsumedMessage>& messages);
  Status Drain();

  Options options_;
  std::unique_ptr<events::Consumer> consumer_;
  std::map<events::TopicPartition, bool> assigned_;  // -> reached the end once
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> archived_{0};
};

}  // namespace rapport::services
