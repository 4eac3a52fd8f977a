#include "events/wire_codec.h"

#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "events/json_codec.h"

namespace rapport::events {
namespace {

Event SampleEvent() {
  auto event = DecodeJsonEvent(
      R"({"event_id":"g","customer_id":"c-1","occurred_at":"2026-03-01T10:15:00Z","recorded_at":1772360101000,"channel":"call_centre","agent_id":"ag-7","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","expectation":7,"perception":9,"nps":0})");
  REQUIRE(event.ok());
  return *event;
}

TEST_CASE("wire codec: an envelope round-trips every field, optional answers included", "[wire]") {
  Event event = SampleEvent();
  std::string bytes = EncodeWire(event);
  CHECK(bytes.substr(4, 4) == "RPEV");
  auto decoded = DecodeWire(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == event);
  const auto& care = std::get<CareContact>(decoded->payload);
  CHECK(care.survey.nps == 0);  // zero is an answer, not "absent"
  CHECK_FALSE(care.survey.csat.has_value());
}

TEST_CASE("wire codec: a payload at an odd address decodes (Kafka does not align)", "[wire]") {
  Event event = SampleEvent();
  std::string padded = "x" + EncodeWire(event);
  auto decoded = DecodeWire(std::string_view(padded).substr(1));
  REQUIRE(decoded.ok());
  CHECK(*decoded == event);
}

TEST_CASE("wire codec: truncated and random bytes are corruption, never a crash", "[wire]") {
  std::string bytes = EncodeWire(SampleEvent());
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = DecodeWire(std::string_view(bytes).substr(0, length));
    CHECK_FALSE(decoded.ok());
  }
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string noise(random() % 200, '\0');
    for (char& c : noise) c = static_cast<char>(random());
    if (round % 2 == 0 && noise.size() >= 8) noise.replace(4, 4, "RPEV");  // get past the identifier
    CHECK_FALSE(DecodeWire(noise).ok());
  }
}

TEST_CASE("wire codec: a valid buffer with a bad value names the field", "[wire]") {
  Event event = SampleEvent();
  event.payload = Purchase{"o-1", -10, 0, "EUR", 1, ""};
  auto decoded = DecodeWire(EncodeWire(event));
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
  CHECK(decoded.status().field() == "amount");
}

TEST_CASE("wire codec: flipping any byte never crashes the reader", "[wire]") {
  const std::string bytes = EncodeWire(SampleEvent());
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string mutated = bytes;
    mutated[i] = static_cast<char>(mutated[i] ^ 0x5a);
    auto decoded = DecodeWire(mutated);
    if (!decoded.ok()) ++rejected;
  }
  CHECK(rejected > 0);  // some flips land in string bytes and stay valid; many must not
}

}  // namespace
}  // namespace rapport::events
