#pragma once
// Who owns which partition, for N projector+query instances in one consumer group
// (scale-out, docs/scaling.md). Each instance publishes its record — id, HTTP
// address, assigned partitions, and those it serves (caught up with their end once
// since assigned) — to the compacted topic `rapport.instances` (one partition,
// key = instance id) whenever that changes, and reads the whole topic. The owner
// of a partition is the instance whose latest record claiming it is the newest in
// the topic: a single partition orders every claim, so a new owner's claim beats
// the stale one of an instance that was SIGKILLed and never said goodbye.
//
// Records are signed with the cluster secret (KafkaSettings::record_secret) and
// verified: an unsigned or forged one is logged and ignored.
//
// Production-valid: plain produce and consume on a compacted topic; nothing
// depends on the embedded broker. A customer's partition is murmur2 of its id, the
// producer's partitioner (murmur2_random, events/kafka_settings.cc).
//
// Lifecycle: Start, SetAddress once the HTTP port is known, SetAssignment from the
// projector's callback (any thread, never blocks), destroy (publishes an empty
// record so the others forget this instance at once). Thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/consumer.h"
#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "events/strong_types.h"

namespace rapport::services {

struct InstanceRecord {
  std::string id;
  std::string address;  // host:port of its HTTP listener
  std::vector<int32_t> partitions;
  std::vector<int32_t> serving;
  int64_t topic_offset = -1;  // where the record is in rapport.instances: newer wins
};

// The partition of `key` among `partitions`, as the producer's murmur2 partitioner
// places it (Java-compatible).
Partition PartitionOfKey(std::string_view key, int32_t partitions);

class InstanceRegistry final : private events::RebalanceListener {
 public:
  // `instance_id` empty: the advertised address is the id (stable across restarts
  // on the same address, so the topic keeps one record per instance).
  static Result<std::unique_ptr<InstanceRegistry>> Start(const events::KafkaSettings& kafka,
                                                         std::string instance_id);
  ~InstanceRegistry() override;

  // Where the others reach this instance; records are published from then on.
  void SetAddress(std::string address);
  void SetAssignment(const std::vector<Partition>& assigned, const std::vector<Partition>& serving);

  struct Owner {
    std::string id;
    std::string address;
    bool serving = false;
    bool self = false;
  };
  std::optional<Owner> OwnerOf(Partition partition) const;
  Partition PartitionOf(std::string_view customer_id) const { return PartitionOfKey(customer_id, partitions_); }
  int32_t partition_count() const { return partitions_; }
  // GET /v1/cluster/instances: every known record and the owner of each partition.
  nlohmann::json ToJson() const;

 private:
  InstanceRegistry() = default;
  std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<events::TopicPartition>&) override {}
  // Reads the topic to its end (events/topic_reader.h) into records_.
  Status LoadToEnd(const events::KafkaSettings& kafka);
  // Keeps `value` (offset `offset`) if it is a validly signed record
  // (events/record_signature.h) newer than the one held.
  void Take(std::string_view key, std::string_view value, std::optional<std::string_view> signature,
            int64_t offset);  // holds mutex_
  void Run();
  Status PublishOwn();

  std::string topic_;
  std::string secret_;  // the cluster secret: signs and verifies the records
  std::string id_;
  int32_t partitions_ = 0;
  std::unique_ptr<events::Publisher> publisher_;
  std::unique_ptr<events::Consumer> consumer_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string address_;
  std::vector<int32_t> assigned_, serving_;
  bool dirty_ = false;
  std::map<std::string, InstanceRecord> records_;  // by instance id, latest record each
  std::map<int32_t, int64_t> loaded_end_;          // partition -> one past the last record LoadToEnd read

  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace rapport::services
