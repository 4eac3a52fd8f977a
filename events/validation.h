#pragma once
// The rules every event must satisfy, whichever door it came in by (JSON at the
// gateway, FlatBuffers from Kafka). Both decoders call ValidateEvent, so an event
// that passes one passes the other.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace rapport::events {

struct Limits {
  size_t max_id_length = 64;        // event_id, customer_id, order_id, complaint_id, ...
  size_t max_short_text = 256;      // names, emails, categories, locations
  size_t max_free_text = 4096;      // complaint text
  int64_t min_occurred_at_ms = 0;                     // 1970-01-01
  int64_t max_occurred_at_ms = 253402300799999;       // 9999-12-31T23:59:59.999Z
  // amount, cost, wallet_estimate (DOMAIN.md §7: amounts are capped at 10^15 minor
  // units; with the cap, 9,223 maximal amounts are needed to overflow an int64 sum).
  int64_t max_money_minor_units = 1'000'000'000'000'000;
};

// A customer id (customer_id, referred_customer_id, merged_customer_id, and the id in
// a query path): 1 to max_id_length bytes of UTF-8 without control characters or
// '/'. The error names `field`.
Status ValidateCustomerId(std::string_view id, const char* field, const Limits& limits = {});

// Checks ranges, lengths, enum values and UTF-8 of every field. The error names the
// field in the JSON spelling ("amount", "severity", "customer_id").
Status ValidateEvent(const Event& event, const Limits& limits = {});

}  // namespace rapport::events
