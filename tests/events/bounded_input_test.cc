// Bounded input (issue 16): what the event codecs refuse beyond types and ranges,
// each an error value naming the field (or the line), never an exception.

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/event_time_bound.h"
#include "events/json_codec.h"
#include "events/json_nesting.h"
#include "events/utf8.h"
#include "events/validation.h"
#include "events/wire_codec.h"

namespace rapport::events {
namespace {

using nlohmann::json;

json PurchaseJson() {
  return json{{"event_id", "e-1"},  {"customer_id", "c-42"}, {"occurred_at", "2026-03-01T10:15:00Z"},
              {"channel", "web"},   {"type", "purchase"},    {"order_id", "o-9"},
              {"amount", 1250},     {"cost", 800},           {"currency", "EUR"}};
}

Status DecodeError(const std::string& body) {
  auto result = DecodeJsonEvent(body);
  REQUIRE_FALSE(result.ok());
  return result.status();
}

TEST_CASE("bounded: customer ids with '/', control characters or invalid UTF-8 are refused", "[json][bounded]") {
  for (const char* field : {"customer_id", "referred_customer_id", "merged_customer_id"}) {
    for (const std::string bad : {std::string("a/b"), std::string("a\x01" "b"), std::string("a\x7f"),
                                  std::string("a\xff\xfe"), std::string("\xc3")}) {
      INFO(field << " = " << bad);
      Event event = *DecodeJsonEvent(PurchaseJson().dump());
      if (std::string(field) == "referred_customer_id") event.payload = Referral{bad};
      if (std::string(field) == "merged_customer_id") event.payload = CustomersMerged{bad};
      if (std::string(field) == "customer_id") event.customer_id = CustomerId(bad);
      Status status = ValidateEvent(event);
      CHECK(status.field() == field);
      // The FlatBuffers door refuses it the same way (a direct Kafka client).
      CHECK(DecodeWire(EncodeWire(event)).status().field() == field);
    }
  }
  json slash = PurchaseJson();
  slash["customer_id"] = "shop/42";
  Status status = DecodeError(slash.dump());
  CHECK(status.field() == "customer_id");
  CHECK(status.message() == "must not contain '/'");
  CHECK(ValidateCustomerId("c-42 Zoë", "customer_id").ok());
}

TEST_CASE("bounded: money fields above 10^15 minor units are refused", "[json][bounded]") {
  for (const char* field : {"amount", "cost"}) {
    json body = PurchaseJson();
    body[field] = 1'000'000'000'000'000;
    CHECK(DecodeJsonEvent(body.dump()).ok());
    body[field] = 1'000'000'000'000'001;
    Status status = DecodeError(body.dump());
    CHECK(status.field() == field);
    CHECK(status.message() == "must be at most 1000000000000000 minor units, got 1000000000000001");
  }
  const std::string refund =
      R"({"event_id":"r","customer_id":"c","occurred_at":1,"channel":"web","type":"refund","order_id":"o","amount":9223372036854775807})";
  CHECK(DecodeError(refund).field() == "amount");
  const std::string registered =
      R"({"event_id":"r","customer_id":"c","occurred_at":1,"channel":"web","type":"customer_registered","wallet_estimate":2000000000000000})";
  CHECK(DecodeError(registered).field() == "wallet_estimate");
}

TEST_CASE("bounded: JSON nested deeper than 8 levels is refused before it is parsed", "[json][bounded]") {
  auto nested = [](int levels) {
    std::string value = "1";
    for (int i = 0; i < levels; ++i) value = "[" + value + "]";
    return value;
  };
  // The event object is level 1: 7 more levels are allowed (and then refused as the
  // wrong type), 8 more are too deep.
  std::string seven = PurchaseJson().dump();
  seven.insert(seven.size() - 1, ",\"category\":" + nested(7));
  CHECK(DecodeError(seven).message() == "must be a string, got an array");
  std::string eight = PurchaseJson().dump();
  eight.insert(eight.size() - 1, ",\"category\":" + nested(8));
  Status status = DecodeError(eight);
  CHECK(status.field() == "category");
  CHECK(status.message() == "JSON nests deeper than 8 levels");
  // A million brackets: refused by the scan, fast, without a parse.
  CHECK(DecodeError(std::string(1'000'000, '[')).message() == "JSON nests deeper than 8 levels");
  // Brackets inside strings are text.
  CHECK_FALSE(FindDeepNesting(R"({"text":"[[[[[[[[[[[[[[[[[[[[", "a":{"b":"\"[[[[[[[[[["}})").has_value());
  REQUIRE(FindDeepNesting(R"({"deep":[[[[[[[[1]]]]]]]]})").has_value());
  CHECK(FindDeepNesting(R"({"deep":[[[[[[[[1]]]]]]]]})")->field == "deep");
}

TEST_CASE("bounded: an NDJSON line over 64 KiB is an error naming the line", "[ndjson][bounded]") {
  const std::string good = PurchaseJson().dump();
  std::string padded = good;
  padded.append(kMaxNdjsonLineBytes - good.size(), ' ');  // exactly 64 KiB: fine
  NdjsonBatch fits = DecodeNdjson(good + "\n" + padded + "\n", 10);
  CHECK_FALSE(fits.error.has_value());
  CHECK(fits.lines == std::vector<size_t>{1, 2});
  NdjsonBatch batch = DecodeNdjson(good + "\n\n" + padded + " \n" + good, 10);
  REQUIRE(batch.error.has_value());
  CHECK(batch.error->line == 3);
  CHECK(batch.error->status.code() == StatusCode::kInvalidArgument);
  CHECK(batch.error->status.message() == "line is 65537 bytes; a line holds at most 65536");
  CHECK(batch.events.empty());
}

TEST_CASE("bounded: an error quoting input is cut on a UTF-8 boundary", "[json][bounded]") {
  // 39 ASCII bytes, then 'é' (2 bytes) across the 40-byte cut.
  json body = PurchaseJson();
  body["channel"] = std::string(39, 'x') + "\xc3\xa9tail";
  Status status = DecodeError(body.dump());
  CHECK(status.field() == "channel");
  CHECK(status.message().ends_with("got \"" + std::string(39, 'x') + "\""));
  // The message is valid UTF-8: the strict JSON writer does not throw on it.
  CHECK_NOTHROW(json({{"reason", status.message()}}).dump());
  json time = PurchaseJson();
  time["occurred_at"] = std::string(38, '2') + "\xe2\x82\xac\xe2\x82\xac";  // '€' across the cut
  CHECK_NOTHROW(json({{"reason", DecodeError(time.dump()).message()}}).dump());

  CHECK(Utf8Prefix("ab\xc3\xa9", 3) == "ab");
  CHECK(Utf8Prefix("ab\xc3\xa9", 4) == "ab\xc3\xa9");
  CHECK(Utf8Prefix("\xf0\x9f\x98\x80!", 3).empty());
  CHECK(Utf8Prefix("abc", 10) == "abc");
}

TEST_CASE("bounded: occurred_at more than the skew after the clock is refused", "[bounded]") {
  Event event = *DecodeJsonEvent(PurchaseJson().dump());
  const int64_t now = event.occurred_at_ms;
  constexpr int64_t kHour = 3'600'000;
  CHECK(CheckEventTimeBound(event, now - kHour, kHour, "gateway").ok());  // exactly the skew
  Status late = CheckEventTimeBound(event, now - kHour - 1, kHour, "gateway");
  CHECK(late.field() == "occurred_at");
  CHECK_THAT(late.message(), Catch::Contains("after the gateway's clock"));
  // Old dates are fine: importing history is normal.
  CHECK(CheckEventTimeBound(event, now + 50LL * 365 * 86'400'000, kHour, "consumer").ok());
}

}  // namespace
}  // namespace rapport::events
