#pragma once
// The gateway's outbox with a real Kafka cluster: while Kafka does not acknowledge,
// accepted events wait in a bounded RocksDB queue under the data dir (synced before
// the 202), and a drainer thread publishes them, oldest first, when Kafka returns.
//
// Order: once anything waits in the outbox, every new batch queues behind it
// instead of going straight to Kafka, so an event never overtakes an earlier
// accepted one (per customer, hence per partition). The drainer deletes entries only
// after Kafka acknowledged them; a crash before the delete re-sends them, and the
// projections count them once (events are de-duplicated by customer and event id).
//
// Full (max_events) is back-pressure: Publish fails with kResourceExhausted and the
// gateway answers 503; nothing accepted is dropped.
//
// Lifecycle: Open (starts draining what a previous run left), Publish from any
// thread, destroy (stops the drainer; what is left stays on disk for the next run).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "services/config/outbox_settings.h"

namespace rocksdb {
class DB;
}

namespace rapport::services {

class Outbox {
 public:
  static Result<std::unique_ptr<Outbox>> Open(const std::filesystem::path& dir, const events::KafkaSettings& kafka,
                                              const OutboxSettings& settings);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // OK once every message is acknowledged by Kafka or durably queued here.
  Status Publish(std::span<const events::OutgoingMessage> messages);

  int64_t size() const { return size_; }
  // Messages published by the drainer since Open.
  int64_t drained() const { return drained_; }

 private:
  Outbox() = default;
  Status Enqueue(std::span<const events::OutgoingMessage> messages);  // caller holds mutex_
  void DrainLoop();
  Status DrainOnce(bool& drained_any);

  OutboxSettings settings_;
  std::unique_ptr<events::Publisher> publisher_;
  std::unique_ptr<rocksdb::DB> db_;
  std::mutex mutex_;  // orders Enqueue, the empty check and the drainer's deletes
  std::condition_variable wake_;
  uint64_t next_sequence_ = 0;
  std::atomic<int64_t> size_{0};
  std::atomic<int64_t> drained_{0};
  std::atomic<bool> stopping_{false};
  std::thread drainer_;
};

// The on-disk form of one queued message (exposed for tests).
std::string EncodeOutboxMessage(const events::OutgoingMessage& message);
Result<events::OutgoingMessage> DecodeOutboxMessage(std::string_view bytes);

}  // namespace rapport::services
