#include "events/event_identity.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "schemas/interaction_generated.h"

namespace rapport::events {

std::optional<EventIdentity> PeekEventIdentity(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  // FlatBuffers reads scalars in place: a misaligned buffer is copied first (as
  // DecodeWire does).
  thread_local std::vector<uint64_t> aligned;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) != 0) {
    aligned.resize(bytes.size() / sizeof(uint64_t) + 1);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    bytes = std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
  }
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (!flatbuffers::BufferHasIdentifier(data, wire::EnvelopeIdentifier())) return std::nullopt;
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!wire::VerifyEnvelopeBuffer(verifier)) return std::nullopt;
  const wire::Envelope* envelope = wire::GetEnvelope(data);
  if (envelope->event_id() == nullptr || envelope->customer_id() == nullptr) return std::nullopt;
  return EventIdentity{envelope->customer_id()->str(), envelope->event_id()->str()};
}

std::string IdentityKey(const EventIdentity& identity) {
  std::string key = identity.customer_id;
  key.push_back('\0');
  key += identity.event_id;
  return key;
}

}  // namespace rapport::events
