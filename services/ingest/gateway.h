#pragma once
// The HTTP/JSON door for call-centre and web channels: POST /v1/events takes one
// JSON event, or an application/x-ndjson batch, validates ALL of it, stamps
// recorded_at, publishes every event as a FlatBuffers envelope keyed by customer,
// and answers 202 only after Kafka acknowledged every one. An invalid line rejects
// the whole batch (400 naming line, field and reason) before anything is published.
//
// With a journal (embedded mode) every acknowledged event is also written, synced,
// to the event journal at the partition and offset Kafka gave it, before the 202:
// the embedded broker forgets, the journal does not.
//
// With an outbox (a real cluster), events Kafka does not acknowledge in time wait
// there, durably, and the 202 still holds; 503 only once the outbox is full.
//
// Thread-safe: HTTP worker threads call Accept concurrently.

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "storage/journal.h"
#include "services/config/config.h"
#include "services/http/http_response.h"
#include "services/ingest/outbox.h"

namespace rapport::services {

// Where recorded_at comes from: the wall clock in production, fixed in tests.
using Clock = std::function<int64_t()>;
int64_t WallClockMillis();

// Whether the caller holds the admin role, which the admin-only event types
// (customers_merged, customer_erased) need; unset: no check (sample data, tests).
using AdminCheck = std::function<bool()>;

class Gateway {
 public:
  Gateway(events::Publisher& publisher, events::TopicNames topics, GatewayLimits limits,
          projections::Journal* journal = nullptr, Clock clock = WallClockMillis);

  // 403 naming the line (NDJSON) when an admin-only event comes from a caller
  // `is_admin` says no to: nothing of the batch is published.
  HttpResponse Accept(std::string_view body, std::string_view content_type, const AdminCheck& is_admin = {});

  // Publishes through `outbox` from now on (non-embedded mode; see outbox.h).
  void UseOutbox(std::unique_ptr<Outbox> outbox) { outbox_ = std::move(outbox); }
  const Outbox* outbox() const { return outbox_.get(); }

  // Publishes already-validated events (sample data, tests); stamps recorded_at.
  Status Publish(std::vector<events::Event>& events);

 private:
  events::Publisher& publisher_;
  events::TopicNames topics_;
  GatewayLimits limits_;
  projections::Journal* journal_;
  Clock clock_;
  std::unique_ptr<Outbox> outbox_;
};

// The Kafka message for one event: key = customer id, timestamp = occurred_at,
// headers = event type and schema version.
events::OutgoingMessage ToKafkaMessage(const events::Event& event, const std::string& topic);

}  // namespace rapport::services
