#pragma once
// Settings of the gateway's outbox (services/ingest/outbox.h), bound as gateway.outbox.*.

#include <cstdint>

namespace rapport::services {

struct OutboxSettings {
  int64_t max_events = 1'000'000;  // queued events; more is 503
  int publish_timeout_ms = 5'000;  // a direct publish not acknowledged by then goes to the outbox
  int drain_batch = 1'000;         // events per publish while draining
  int retry_ms = 500;              // pause after a failed drain
};

}  // namespace rapport::services
