#pragma once
// The FlatBuffers form of events (schemas/interaction.fbs): one Envelope per Kafka
// message value. Readers verify the buffer before touching it.

#include <cstdint>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"
#include "events/validation.h"

namespace rapport::events {

inline constexpr uint16_t kSchemaVersion = 1;
// Kafka header names carried with every message.
inline constexpr std::string_view kHeaderEventType = "rapport-event-type";
inline constexpr std::string_view kHeaderSchemaVersion = "rapport-schema-version";

// Serializes an event into a finished, size-prefix-free Envelope buffer.
std::string EncodeWire(const Event& event);

// Runs the FlatBuffers verifier, checks the identifier and schema version, converts
// and validates. Never throws; truncated or random bytes give kCorruption, a valid
// buffer with bad values gives kInvalidArgument naming the field.
Result<Event> DecodeWire(std::string_view bytes, const Limits& limits = {});

}  // namespace rapport::events
