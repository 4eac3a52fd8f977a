#pragma once
// Drains the churn projection's outbox (projections/churn/churn_projection.h) to the
// alert topic: reads outbox entries in sequence order, publishes the alert log's
// FlatBuffers bytes keyed by customer with events::Publisher, and deletes the
// entries only once Kafka acknowledged them (each acknowledged entry, even when
// others of its batch failed, so a retry repeats none).
//
// Exactly once on the topic across restarts: Kafka's acknowledgement and the
// store's delete cannot be one atomic write, so a kill between them leaves
// entries that are on the topic already. Given a way to read the topic
// (`reader`), the first drain after start, when the outbox holds anything, reads
// the alert topic (whole: in embedded mode it was restored from its durable copy,
// spool included, before side processes start) and deletes, without sending,
// every entry whose alert (AlertIdentity: id and kind) is there. Belt and braces:
// every rapport reader of the topic drops repeats of an AlertIdentity too
// (`rapport alerts`), for another Kafka client that re-sent one. Only the live
// service runs it: a replay leaves the outbox alone.
//
// Lifecycle: construct, Start (own thread), Stop (finishes the current batch).

#include <atomic>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/topic_reader.h"
#include "events/status.h"
#include "storage/store.h"

namespace rapport::services {

class AlertOutbox {
 public:
  // How the outbox reads the alert topic back at start (see above); `history` is
  // the embedded mode's durable copy, or null.
  struct TopicReader {
    events::KafkaSettings kafka;
    const events::TopicHistory* history = nullptr;
  };

  AlertOutbox(projections::Store& store, events::Publisher& publisher, std::string topic, int batch,
              std::optional<TopicReader> reader = std::nullopt);
  ~AlertOutbox() { Stop(); }

  // Publishes up to one batch; *published says how many. Errors leave the entries.
  Status DrainOnce(int* published);

  void Start();
  void Stop();

 private:
  // Reads the topic once (the first drain) if the outbox holds anything: the
  // identities of its alerts from the outbox's first sequence on go to on_topic_.
  Status ReadTopicOnce();

  projections::Store& store_;
  events::Publisher& publisher_;
  std::string topic_;
  int batch_;
  std::optional<TopicReader> reader_;
  bool topic_read_ = false;
  std::set<std::string> on_topic_;  // AlertIdentity of alerts found on the topic at start
  std::string resume_from_;  // just after the last entry delivered; empty: the outbox's start
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace rapport::services
