#pragma once
// Publishes messages to Kafka and reports success only when Kafka acknowledged them
// (the delivery report, not produce()'s return). A background thread serves
// rd_kafka_poll so delivery reports flow even when nobody is waiting.
//
// Embedded mode (KafkaSettings::topic_spool_dir set): a message to one of the
// ArchivedTopics is written to the topic spool (events/topic_spool.h) before it is
// produced, so a SIGKILL right after the acknowledgement loses nothing; the spool
// file of a message Kafka surely did not store is removed again.
//
// Lifecycle: Create, use from any number of threads, destroy (flushes with a timeout).
// Idempotency: the producer is idempotent (no duplicates from its own retries);
// events also carry event_id so a client retry after a timeout counts once.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "events/kafka_handles.h"
#include "events/kafka_settings.h"
#include "events/status.h"
#include "events/strong_types.h"

namespace rapport::events {

class TopicSpool;

struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  int64_t timestamp_ms = 0;  // 0: let the producer stamp it
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<Partition> partition;  // unset: the partitioner picks by key
};

// Where Kafka stored an acknowledged message.
struct Delivery {
  Partition partition;
  Offset offset;
};

class Publisher {
 public:
  static Result<std::unique_ptr<Publisher>> Create(const KafkaSettings& settings, const std::string& client_id);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Enqueues every message and blocks until each was acknowledged or failed. OK
  // only if all were acknowledged; otherwise the first error (some messages may
  // have been written: callers retry the whole batch, and event ids de-duplicate).
  // A full local queue is back-pressure: it waits for room instead of failing.
  // With `deliveries`, it is resized to messages.size() and filled with where each
  // acknowledged message was stored.
  Status PublishAndWait(std::span<const OutgoingMessage> messages, std::vector<Delivery>* deliveries = nullptr);

  // Waits for everything in flight, at most `timeout`.
  Status Flush(std::chrono::milliseconds timeout);

  rd_kafka_t* handle() const { return producer_.get(); }

 private:
  Publisher() = default;
  void PollLoop();
  // Produces every message and waits; `stored[i]` false: message i surely did not
  // reach Kafka (never enqueued, or reported not persisted).
  Status Produce(std::span<const OutgoingMessage> messages, std::vector<Delivery>* deliveries,
                 std::vector<bool>* stored);
  // Spools the messages bound to archived topics; `ids[i]` empty for the others.
  Result<std::vector<std::string>> Spool(std::vector<OutgoingMessage>& messages);

  KafkaPtr producer_;
  std::unique_ptr<TopicSpool> spool_;       // embedded mode only
  std::vector<std::string> spooled_topics_;  // ArchivedTopics' names
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

}  // namespace rapport::events
