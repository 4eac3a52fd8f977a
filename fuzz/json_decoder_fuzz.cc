// libFuzzer target: the JSON decoder the HTTP gateway runs on every request body.
// Besides "never crashes, never throws", it checks the round trip: whatever decodes
// must encode to FlatBuffers and JSON and decode back to the same event.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "events/json_codec.h"
#include "events/wire_codec.h"

namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "round trip broken: %s\n", what);
    std::abort();
  }
}

void RoundTrip(const rapport::events::Event& event) {
  auto wire = rapport::events::DecodeWire(rapport::events::EncodeWire(event));
  Check(wire.ok(), "an accepted event does not decode from FlatBuffers");
  Check(*wire == event, "FlatBuffers changed the event");
  auto json = rapport::events::DecodeJsonEvent(rapport::events::EncodeJsonEvent(event));
  Check(json.ok(), "an accepted event does not decode from its own JSON");
  Check(*json == event, "JSON changed the event");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto event = rapport::events::DecodeJsonEvent(body);
  if (event.ok()) RoundTrip(*event);
  auto batch = rapport::events::DecodeNdjson(body, 64);
  if (!batch.error) {
    for (const auto& e : batch.events) RoundTrip(e);
  }
  return 0;
}
