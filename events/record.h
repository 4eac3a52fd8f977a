#pragma once
// One message of the interactions topic as the runtime processes it, whether it
// came from Kafka or from the event journal. Views: valid while the source lives.

#include <cstdint>
#include <string_view>

#include "events/consumer.h"
#include "events/strong_types.h"

namespace rapport::events {

// A filler keeps Kafka's offsets equal to the journal's when the journal has a
// hole (a message Kafka acknowledged but the gateway could not journal before a
// crash; its client got no 202 and retries). Consumers skip fillers.
inline constexpr std::string_view kHeaderFiller = "rapport-filler";

struct Record {
  std::string_view topic;
  Partition partition;
  Offset offset;
  std::string_view key;
  std::string_view value;
  int64_t timestamp_ms = 0;
  bool filler = false;
};

inline Record FromConsumed(const ConsumedMessage& message) {
  return Record{message.topic(),
                message.partition(),
                message.offset(),
                message.key(),
                message.value(),
                message.timestamp_ms(),
                message.value().empty() && message.header(kHeaderFiller).has_value()};
}

}  // namespace rapport::events
