// Regression tests for what `make fuzz` found: each input that once broke a
// property stays here as a test.

#include <catch2/catch.hpp>

#include "events/json_codec.h"
#include "events/wire_codec.h"

namespace rapport::events {
namespace {

TEST_CASE("fuzz finding: a recorded_at no RFC 3339 time can express is rejected by the wire reader", "[wire][fuzz]") {
  auto event = DecodeJsonEvent(
      R"({"event_id":"e-1","customer_id":"c-84","occurred_at":1,"channel":"web","type":"customer_erased"})");
  REQUIRE(event.ok());
  event->recorded_at_ms = 16'608'000'000'000'000;  // year 528281: once accepted, then not writable as JSON
  auto decoded = DecodeWire(EncodeWire(*event));
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().field() == "recorded_at");

  event->recorded_at_ms = 253402300799999;  // the last millisecond of 9999 is fine, both ways
  auto ok = DecodeWire(EncodeWire(*event));
  REQUIRE(ok.ok());
  auto json = DecodeJsonEvent(EncodeJsonEvent(*ok));
  REQUIRE(json.ok());
  CHECK(*json == *ok);
}

}  // namespace
}  // namespace rapport::events
