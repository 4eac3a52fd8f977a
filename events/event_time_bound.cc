#include "events/event_time_bound.h"

#include <string>

#include "events/time_format.h"

namespace rapport::events {

Status CheckEventTimeBound(const Event& event, int64_t now_ms, int64_t max_skew_ms, const char* clock) {
  // Written so that no term overflows: occurred_at is at most year 9999 (validation.h).
  if (event.occurred_at_ms - now_ms <= max_skew_ms) return Status::Ok();
  return Status::InvalidArgument(
      "occurred_at", FormatRfc3339(event.occurred_at_ms) + " is more than " + std::to_string(max_skew_ms / 1000) +
                         " s after the " + clock + "'s clock (" + FormatRfc3339(now_ms) +
                         "; the bound is ingest.max_future_skew)");
}

}  // namespace rapport::events
