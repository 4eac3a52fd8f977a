#pragma once
// A Kafka consumer in a consumer group, with the assignment decided by the caller:
// on each rebalance the listener is told which partitions arrive (and returns the
// offsets to start from, kept in the caller's own store) or leave. Cooperative-
// sticky, so a rebalance moves only the partitions that must move.
//
// Lifecycle: Create, Subscribe, call Poll from ONE thread, Close before destroying
// (the destructor closes if you forgot). Poll serves the rebalance callbacks.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/kafka_handles.h"
#include "events/kafka_settings.h"
#include "events/status.h"
#include "events/strong_types.h"

namespace rapport::events {

struct TopicPartition {
  std::string topic;
  Partition partition;
  auto operator<=>(const TopicPartition&) const = default;
};

struct PartitionOffset {
  TopicPartition tp;
  Offset next_offset;  // the offset of the next message to read
};

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Partitions now assigned; returns where to start each (nullopt: the beginning).
  virtual std::vector<std::optional<Offset>> OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // Partitions about to leave: finish and persist their work now.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

// One consumed message. Owns the librdkafka message; views are valid while it lives.
class ConsumedMessage {
 public:
  explicit ConsumedMessage(KafkaMessagePtr message) : message_(std::move(message)) {}

  rd_kafka_resp_err_t error() const { return message_->err; }
  std::string_view topic() const;
  Partition partition() const { return Partition(message_->partition); }
  Offset offset() const { return Offset(message_->offset); }
  std::string_view key() const;
  std::string_view value() const;
  int64_t timestamp_ms() const;
  std::optional<std::string_view> header(std::string_view name) const;
  std::string error_text() const;
  // The librdkafka message itself (for a full copy: events/topic_reader.h).
  const rd_kafka_message_t& raw() const { return *message_; }

 private:
  KafkaMessagePtr message_;
};

class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> Create(const KafkaSettings& settings, const std::string& group_id,
                                                  const std::string& client_id, RebalanceListener* listener);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  Status Subscribe(const std::vector<std::string>& topics);
  // Up to `max_messages`, waiting at most `timeout` for the first. Includes error
  // and partition-EOF messages: the caller switches on error().
  std::vector<ConsumedMessage> Poll(size_t max_messages, std::chrono::milliseconds timeout);
  // Commits offsets to the group (monitoring only; the store is the source of truth).
  Status CommitAsync(const std::vector<PartitionOffset>& offsets);
  // Re-positions an assigned partition.
  Status Seek(const TopicPartition& tp, Offset offset);
  // Leaves the group cleanly (revocation is delivered to the listener).
  Status Close();

  rd_kafka_t* handle() const { return consumer_.get(); }

 private:
  Consumer() = default;
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

  KafkaPtr consumer_;
  KafkaQueuePtr queue_;
  RebalanceListener* listener_ = nullptr;
  bool closed_ = false;
};

}  // namespace rapport::events
