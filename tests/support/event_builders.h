#pragma once
// Small event builders for tests that read like the spec:
//   Purchase("c-1", Day(10), 1200) ; Merge("c-1", "c-9", Day(20)).
// Event ids are unique per process, so any two built events are distinct events.

#include <atomic>
#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/time_format.h"

namespace rapport::testing {

// Day n of a test history, at midnight UTC; far enough from 1970 for any window.
inline int64_t Day(double n) {
  return static_cast<int64_t>((1000.0 + n) * static_cast<double>(events::kMillisPerDay));
}

inline events::Event Base(const std::string& customer, int64_t at_ms, events::Payload payload) {
  static std::atomic<int64_t> next{0};
  events::Event event;
  event.event_id = EventId("t-" + std::to_string(++next));
  event.customer_id = CustomerId(customer);
  event.occurred_at_ms = at_ms;
  event.channel = events::Channel::kWeb;
  event.payload = std::move(payload);
  return event;
}

inline events::Event Purchase(const std::string& customer, int64_t at_ms, int64_t amount, int64_t cost = 0) {
  return Base(customer, at_ms, events::Purchase{"o-" + std::to_string(at_ms), amount, cost, "EUR", 1, "shoes"});
}

inline events::Event Registered(const std::string& customer, int64_t at_ms, std::string name,
                                std::string phone = "") {
  events::CustomerRegistered payload;
  payload.display_name = std::move(name);
  payload.phone = std::move(phone);
  return Base(customer, at_ms, payload);
}

inline events::Event Visit(const std::string& customer, int64_t at_ms) {
  return Base(customer, at_ms, events::Visit{"store-1", 60, events::VisitOutcome::kBrowsed});
}

inline events::Event Merge(const std::string& survivor, const std::string& duplicate, int64_t at_ms) {
  return Base(survivor, at_ms, events::CustomersMerged{duplicate});
}

inline events::Event Erase(const std::string& customer, int64_t at_ms) {
  return Base(customer, at_ms, events::CustomerErased{});
}

}  // namespace rapport::testing
