#pragma once
// Who an event is without decoding all of it: its customer and event id, read from
// a verified FlatBuffers envelope (events/wire_codec.h). The pair is what makes an
// event unique (a publisher's retry repeats it), for the journal's idempotent
// append and its readers' de-duplication.

#include <optional>
#include <string>
#include <string_view>

namespace rapport::events {

struct EventIdentity {
  std::string customer_id;
  std::string event_id;
};

// nullopt when `bytes` is no verifiable envelope (a filler, a poison message).
std::optional<EventIdentity> PeekEventIdentity(std::string_view bytes);

// "customer NUL event id": the identity as one key (ids are printable, so NUL ends
// the customer id).
std::string IdentityKey(const EventIdentity& identity);

}  // namespace rapport::events
