#pragma once
// Drains the churn projection's outbox (projections/churn/churn_projection.h) to the
// alert topic: reads outbox entries in sequence order, publishes the alert log's
// FlatBuffers bytes keyed by customer with events::Publisher, and deletes the
// entries only once Kafka acknowledged them. A crash between the acknowledgement
// and the delete publishes those alerts again, with the same alert ids and
// sequence numbers (at least once; consumers recognise repeats). Only the live
// service runs it: a replay leaves the outbox alone.
//
// Lifecycle: construct, Start (own thread), Stop (finishes the current batch).

#include <atomic>
#include <string>
#include <thread>

#include "events/publisher.h"
#include "events/status.h"
#include "storage/store.h"

namespace rapport::services {

class AlertOutbox {
 public:
  AlertOutbox(projections::Store& store, events::Publisher& publisher, std::string topic, int batch);
  ~AlertOutbox() { Stop(); }

  // Publishes up to one batch; *published says how many. Errors leave the entries.
  Status DrainOnce(int* published);

  void Start();
  void Stop();

 private:
  projections::Store& store_;
  events::Publisher& publisher_;
  std::string topic_;
  int batch_;
  std::string resume_from_;  // just after the last entry delivered; empty: the outbox's start
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace rapport::services
