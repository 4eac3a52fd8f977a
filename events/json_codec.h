#pragma once
// The JSON form of events, as the HTTP gateway takes them and `rapport export`
// writes them: one flat object with the common fields of DOMAIN.md §1, "type" in
// snake_case and that type's fields beside them (see docs/events.md).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "events/event.h"
#include "events/status.h"
#include "events/validation.h"

namespace rapport::events {

// Parses and checks one JSON event. Never throws: every problem is an error value
// that names the field. Unknown fields are rejected (a typo must not lose data).
// "recorded_at" is accepted (exports carry it); the gateway overwrites it.
Result<Event> DecodeJsonEvent(std::string_view json, const Limits& limits = {});
Result<Event> DecodeJsonObject(const nlohmann::json& object, const Limits& limits = {});

// The flat JSON object of an event; recorded_at is included when non-zero.
nlohmann::json EventToJson(const Event& event);
std::string EncodeJsonEvent(const Event& event);

// A batch as application/x-ndjson: one event per non-empty line.
struct NdjsonError {
  size_t line = 0;  // 1-based
  Status status;
};
struct NdjsonBatch {
  std::vector<Event> events;
  std::vector<size_t> lines;  // the 1-based line of each event (blank lines count)
  std::optional<NdjsonError> error;  // set: the whole batch is rejected
};
// Decodes every line; stops at the first invalid one. More than max_lines events is
// an error on line max_lines + 1; a line over kMaxNdjsonLineBytes is an error naming
// it (a valid event is a few hundred bytes; the longest field, complaint text, 4 KiB).
inline constexpr size_t kMaxNdjsonLineBytes = 64 * 1024;
NdjsonBatch DecodeNdjson(std::string_view body, size_t max_lines, const Limits& limits = {});

}  // namespace rapport::events
