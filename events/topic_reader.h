#pragma once
// The one way rapport reads a topic to its end: every partition from its low to its
// high watermark as they are at the call, in offset order within a partition, with
// no consumer group (a plain assignment; nothing is committed). Used by the
// dead-letter tool, the model parameters reader, `rapport alerts` and the instance
// registry.
//
// In embedded mode a topic's durable copy (storage/topic_log.h) may hold more than
// the broker, which keeps ~5 MiB a partition: given a TopicHistory, the reader
// visits the copy's records first, then the broker's records from where the copy
// ends, so a compacted topic larger than the broker's memory is still read whole.
// Fillers (events/record.h) are skipped. Thread-compatible: one call, one consumer.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/kafka_handles.h"
#include "events/kafka_settings.h"
#include "events/status.h"
#include "events/strong_types.h"

namespace rapport::events {

// One message of a topic, owned.
struct TopicRecord {
  std::string topic;
  Partition partition{0};
  Offset offset{0};
  std::optional<std::string> key;    // nullopt: a message without a key
  std::optional<std::string> value;  // nullopt: a tombstone (compacted topics)
  int64_t timestamp_ms = 0;
  std::vector<std::pair<std::string, std::string>> headers;

  // The last header named `name`, or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  bool operator==(const TopicRecord&) const = default;
};

using TopicVisitor = std::function<Status(TopicRecord&&)>;

// A durable copy of topics (the embedded mode's topic log). Visit calls `visit` for
// every record of `topic` the copy holds, partition by partition in offset order,
// and returns, per partition it knows, the broker offset from which the broker
// holds what the copy does not yet (the archiver's progress).
class TopicHistory {
 public:
  virtual ~TopicHistory() = default;
  virtual Result<std::map<int32_t, int64_t>> Visit(const std::string& topic, const TopicVisitor& visit) const = 0;
};

struct TopicReadOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  std::string client_id = "rapport-topic-reader";
  const TopicHistory* history = nullptr;  // embedded mode: the durable copy
  // Set: past the end, keep reading new records until *follow_until is true (no
  // timeout then; `rapport alerts --follow`).
  const std::atomic<bool>* follow_until = nullptr;
};

// Reads `topic` to its end (see above). A topic that does not exist reads as empty
// (NotFound only when `missing_is_error`). Unavailable when Kafka does not answer,
// or the end is not reached, within options.timeout. Stops at the first error
// `visit` returns.
Status ReadTopicToEnd(const KafkaSettings& kafka, const std::string& topic, const TopicReadOptions& options,
                      const TopicVisitor& visit, bool missing_is_error = false);

// The number of partitions of `topic` (0 when it does not exist), asked through
// `handle` (any producer or consumer).
Result<int32_t> TopicPartitionCount(rd_kafka_t* handle, const std::string& topic, std::chrono::milliseconds timeout);

// A record from a librdkafka message (copies key, value and headers).
TopicRecord ToTopicRecord(const rd_kafka_message_t& message);

}  // namespace rapport::events
