#include "events/json_codec.h"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/time_format.h"
#include "events/wire_codec.h"

namespace rapport::events {
namespace {

using nlohmann::json;

json PurchaseJson() {
  return json{{"event_id", "e-1"},  {"customer_id", "c-42"}, {"occurred_at", "2026-03-01T10:15:00Z"},
              {"channel", "call_centre"}, {"type", "purchase"},  {"order_id", "o-9"},
              {"amount", 1250},     {"cost", 800},           {"currency", "EUR"},
              {"items", 2},         {"category", "shoes"}};
}

Status DecodeError(const json& object) {
  auto result = DecodeJsonEvent(object.dump());
  REQUIRE_FALSE(result.ok());
  return result.status();
}

TEST_CASE("json codec: the README's purchase decodes into the model", "[json]") {
  auto event = DecodeJsonEvent(PurchaseJson().dump());
  REQUIRE(event.ok());
  CHECK(event->event_id.str() == "e-1");
  CHECK(event->customer_id.str() == "c-42");
  CHECK(event->occurred_at_ms == 1772360100000);
  CHECK(event->channel == Channel::kCallCentre);
  REQUIRE(event->type() == EventType::kPurchase);
  const auto& purchase = std::get<Purchase>(event->payload);
  CHECK(purchase.order_id == "o-9");
  CHECK(purchase.amount == 1250);
  CHECK(purchase.cost == 800);
  CHECK(purchase.currency == "EUR");
  CHECK(purchase.items == 2);
  CHECK(purchase.category == "shoes");
}

TEST_CASE("json codec: every event type round-trips JSON -> FlatBuffers -> JSON", "[json][wire]") {
  const std::string lines[] = {
      R"({"event_id":"a","customer_id":"c","occurred_at":1,"channel":"web","type":"customer_registered","display_name":"Ana","email":"a@x.io","wallet_estimate":5000})",
      R"({"event_id":"b","customer_id":"c","occurred_at":2,"channel":"store","type":"refund","order_id":"o","amount":5})",
      R"({"event_id":"p","customer_id":"c","occurred_at":2,"channel":"store","type":"purchase","order_id":"o","amount":5,"cost":2,"currency":"USD","items":3,"category":"hats"})",
      R"({"event_id":"d","customer_id":"c","occurred_at":3,"channel":"email","type":"complaint","complaint_id":"k","category":"billing","severity":4,"text":"line one\nline two"})",
      R"({"event_id":"e","customer_id":"c","occurred_at":4,"channel":"mobile","type":"complaint_resolved","complaint_id":"k","accepted":true})",
      R"({"event_id":"f","customer_id":"c","occurred_at":5,"channel":"web","type":"visit","location":"/shoes","duration_seconds":30,"outcome":"intent"})",
      R"({"event_id":"g","customer_id":"c","occurred_at":6,"channel":"call_centre","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","expectation":7,"perception":9,"nps":10,"csat":5,"effort":2,"agent_id":"ag-1"})",
      R"({"event_id":"h","customer_id":"c","occurred_at":7,"channel":"other","type":"referral","referred_customer_id":"c2"})",
      R"({"event_id":"i","customer_id":"c","occurred_at":8,"channel":"other","type":"customers_merged","merged_customer_id":"c3"})",
      R"({"event_id":"j","customer_id":"c","occurred_at":9,"channel":"other","type":"customer_erased"})",
  };
  for (const auto& line : lines) {
    INFO(line);
    auto event = DecodeJsonEvent(line);
    REQUIRE(event.ok());
    auto from_wire = DecodeWire(EncodeWire(*event));
    REQUIRE(from_wire.ok());
    CHECK(*from_wire == *event);
    json original = json::parse(line);
    original["occurred_at"] = FormatRfc3339(original["occurred_at"].get<int64_t>());
    json again = EventToJson(*from_wire);
    CHECK(again == original);
  }
}

TEST_CASE("json codec: errors name the field and the reason", "[json]") {
  SECTION("negative amount") {
    json body = PurchaseJson();
    body["amount"] = -5;
    Status status = DecodeError(body);
    CHECK(status.field() == "amount");
    CHECK(status.message() == "must be >= 0, got -5");
  }
  SECTION("missing required field") {
    json body = PurchaseJson();
    body.erase("order_id");
    CHECK(DecodeError(body).field() == "order_id");
  }
  SECTION("wrong JSON type") {
    json body = PurchaseJson();
    body["amount"] = "1250";
    Status status = DecodeError(body);
    CHECK(status.field() == "amount");
    CHECK(status.message().find("integer") != std::string::npos);
  }
  SECTION("fractional money") {
    json body = PurchaseJson();
    body["amount"] = 12.5;
    CHECK(DecodeError(body).field() == "amount");
  }
  SECTION("unknown field is a typo, not silently dropped") {
    json body = PurchaseJson();
    body["ammount"] = 1;
    Status status = DecodeError(body);
    CHECK(status.field() == "ammount");
  }
  SECTION("field of another type") {
    json body = PurchaseJson();
    body["severity"] = 3;
    CHECK(DecodeError(body).field() == "severity");
  }
  SECTION("unknown type") {
    json body = PurchaseJson();
    body["type"] = "purchse";
    CHECK(DecodeError(body).field() == "type");
  }
  SECTION("unknown channel") {
    json body = PurchaseJson();
    body["channel"] = "fax";
    CHECK(DecodeError(body).field() == "channel");
  }
  SECTION("bad currency") {
    json body = PurchaseJson();
    body["currency"] = "eur";
    CHECK(DecodeError(body).field() == "currency");
  }
  SECTION("bad timestamp") {
    json body = PurchaseJson();
    body["occurred_at"] = "2026-02-30T10:00:00Z";
    CHECK(DecodeError(body).field() == "occurred_at");
  }
  SECTION("event id with a space") {
    json body = PurchaseJson();
    body["event_id"] = "e 1";
    CHECK(DecodeError(body).field() == "event_id");
  }
  SECTION("customer id too long") {
    json body = PurchaseJson();
    body["customer_id"] = std::string(65, 'x');
    CHECK(DecodeError(body).field() == "customer_id");
  }
  SECTION("survey answer out of range") {
    json body = json::parse(
        R"({"event_id":"g","customer_id":"c","occurred_at":6,"channel":"web","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","nps":11})");
    CHECK(DecodeError(body).field() == "nps");
  }
  SECTION("referral to oneself") {
    json body = json::parse(
        R"({"event_id":"h","customer_id":"c","occurred_at":7,"channel":"other","type":"referral","referred_customer_id":"c"})");
    CHECK(DecodeError(body).field() == "referred_customer_id");
  }
}

TEST_CASE("json codec: malformed documents are errors, not exceptions", "[json]") {
  for (std::string body : {"", "{", "[]", "42", "{\"event_id\":", "\xff\xfe", "null"}) {
    INFO(body);
    CHECK_FALSE(DecodeJsonEvent(body).ok());
  }
  std::string invalid_utf8 = PurchaseJson().dump();
  invalid_utf8.replace(invalid_utf8.find("shoes"), 5, "\xc3\x28");
  CHECK_FALSE(DecodeJsonEvent(invalid_utf8).ok());
}

TEST_CASE("ndjson: the first invalid line rejects the batch and is named", "[ndjson]") {
  json good = PurchaseJson();
  json bad = PurchaseJson();
  bad["amount"] = -1;
  std::string body = good.dump() + "\n\n" + good.dump() + "\r\n" + bad.dump() + "\n";
  NdjsonBatch batch = DecodeNdjson(body, 100);
  REQUIRE(batch.error.has_value());
  CHECK(batch.error->line == 4);  // blank lines count, so numbers match the file
  CHECK(batch.error->status.field() == "amount");
  CHECK(batch.events.empty());

  NdjsonBatch ok = DecodeNdjson(good.dump() + "\n" + good.dump(), 100);
  CHECK_FALSE(ok.error.has_value());
  CHECK(ok.events.size() == 2);
}

TEST_CASE("ndjson: more lines than the limit is an error on the first extra line", "[ndjson]") {
  std::string line = PurchaseJson().dump() + "\n";
  NdjsonBatch batch = DecodeNdjson(line + line + line, 2);
  REQUIRE(batch.error.has_value());
  CHECK(batch.error->line == 3);
  CHECK(batch.error->status.code() == StatusCode::kResourceExhausted);
}

TEST_CASE("time: RFC 3339 with offsets and fractions, formatted back in UTC", "[time]") {
  CHECK(ParseRfc3339("1970-01-01T00:00:00Z", "t").value() == 0);
  CHECK(ParseRfc3339("2026-03-01T11:15:00+01:00", "t").value() == ParseRfc3339("2026-03-01T10:15:00Z", "t").value());
  CHECK(ParseRfc3339("2026-03-01T10:15:00.25Z", "t").value() % 1000 == 250);
  CHECK(ParseRfc3339("2024-02-29T00:00:00Z", "t").ok());
  CHECK_FALSE(ParseRfc3339("2023-02-29T00:00:00Z", "t").ok());
  CHECK_FALSE(ParseRfc3339("2026-03-01 10:15", "t").ok());
  CHECK_FALSE(ParseRfc3339("2026-03-01T10:15:00", "t").ok());  // no zone: ambiguous
  CHECK(ParseRfc3339("nonsense", "occurred_at").status().field() == "occurred_at");
  CHECK(FormatRfc3339(1772360100000) == "2026-03-01T10:15:00Z");
  CHECK(FormatRfc3339(1772360100250) == "2026-03-01T10:15:00.250Z");
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59.999Z");             // before the epoch
  CHECK(FormatRfc3339(946689234007) == "2000-01-01T01:13:54.007Z");   // zero-padded fields
  CHECK(FormatRfc3339(253402300799000) == "9999-12-31T23:59:59Z");    // the last four-digit year
  for (int64_t ms : {int64_t{0}, int64_t{951782400000}, int64_t{4102444799999}}) {
    CHECK(ParseRfc3339(FormatRfc3339(ms), "t").value() == ms);
  }
}

}  // namespace
}  // namespace rapport::events
