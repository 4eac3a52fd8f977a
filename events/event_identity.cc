#include "events/event_identity.h"

#include <flatbuffers/flatbuffers.h>

#include "events/aligned_bytes.h"
#include "schemas/interaction_generated.h"

namespace rapport::events {

std::optional<EventIdentity> PeekEventIdentity(std::string_view bytes) {
  if (bytes.size() < 8) return std::nullopt;
  bytes = AlignedForFlatBuffers(bytes);
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
