#pragma once
// Events as a producer posts them to /v1/events: one JSON object a line of an
// application/x-ndjson body.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace rapport::testing {

// One purchase in euros, as an ndjson line (ending in "\n").
inline std::string PurchaseLine(const std::string& event_id, const std::string& customer, int64_t occurred_at_ms,
                                const std::string& order_id, int64_t amount, const std::string& channel = "web") {
  return nlohmann::json{{"event_id", event_id},
                        {"customer_id", customer},
                        {"occurred_at", occurred_at_ms},
                        {"channel", channel},
                        {"type", "purchase"},
                        {"order_id", order_id},
                        {"amount", amount},
                        {"currency", "EUR"}}
             .dump() +
         "\n";
}

}  // namespace rapport::testing
