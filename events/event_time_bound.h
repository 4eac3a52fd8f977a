#pragma once
// DOMAIN.md §7, "Event time must be believable": an event that claims to have
// happened further in the future than a small clock skew is refused, so that no
// single event can move a projection's event-time watermark (and with it every
// customer's recency, state and tier) into the future. Old dates are fine.
//
// The gateway checks against its clock when it receives the event (400); every
// projector checks events it consumes against its clock at that moment (a dead
// letter), which catches what was written to Kafka directly. Rebuilds and replays
// of the journal do not check: they re-fold what was accepted, and must reach the
// same state whenever they run.

#include <cstdint>

#include "events/event.h"
#include "events/status.h"

namespace rapport::events {

inline constexpr int64_t kDefaultMaxFutureSkewMs = 3'600'000;  // ingest.max_future_skew

// InvalidArgument naming "occurred_at" when event.occurred_at_ms > now_ms +
// max_skew_ms; `clock` names whose clock now_ms is ("gateway", "consumer").
Status CheckEventTimeBound(const Event& event, int64_t now_ms, int64_t max_skew_ms, const char* clock);

}  // namespace rapport::events
