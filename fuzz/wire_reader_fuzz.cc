// libFuzzer target: the FlatBuffers reader every projector runs on every Kafka
// message. Whatever bytes arrive, it answers an error or an event; an event it
// accepts must encode back to bytes that decode to the same event.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "events/json_codec.h"
#include "events/wire_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto event = rapport::events::DecodeWire(bytes);
  if (!event.ok()) return 0;
  auto again = rapport::events::DecodeWire(rapport::events::EncodeWire(*event));
  if (!again.ok() || !(*again == *event)) {
    std::fprintf(stderr, "wire round trip broken\n");
    std::abort();
  }
  // What a projector accepts, the JSON side (exports, the query API) must express.
  auto json = rapport::events::DecodeJsonEvent(rapport::events::EncodeJsonEvent(*event));
  if (!json.ok() || !(*json == *event)) {
    std::fprintf(stderr, "wire -> JSON round trip broken: %s\n",
                 json.ok() ? "changed" : json.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
