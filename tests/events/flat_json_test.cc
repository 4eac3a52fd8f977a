#include "events/flat_json.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/json_codec.h"

namespace rapport::events {
namespace {

using nlohmann::json;

// The reference: nlohmann's document, read by the same field rules.
Result<Event> ViaDocument(const std::string& text) {
  json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return Status::InvalidArgument("", "body is not valid JSON");
  return DecodeJsonObject(object);
}

void CheckSameAsDocument(const std::string& text) {
  INFO(text);
  auto fast = DecodeJsonEvent(text);
  auto reference = ViaDocument(text);
  REQUIRE(fast.ok() == reference.ok());
  if (fast.ok()) {
    CHECK(*fast == *reference);
  } else {
    CHECK(fast.status().code() == reference.status().code());
    CHECK(fast.status().field() == reference.status().field());
    CHECK(fast.status().message() == reference.status().message());
  }
}

const std::string kPurchase =
    R"({"event_id":"e-1","customer_id":"c-42","occurred_at":"2026-03-01T10:15:00Z","channel":"web",)"
    R"("type":"purchase","order_id":"o-9","amount":1250,"cost":800,"currency":"EUR","items":2,"category":"shoes"})";

// kPurchase with `member` ("\"name\":value") in place of the category.
std::string PurchaseWith(const std::string& member) {
  std::string text = kPurchase;
  text.replace(text.find(R"("category":"shoes")"), 18, member);
  return text;
}

TEST_CASE("flat json: reads a flat object in place", "[json]") {
  FlatJsonObject object;
  REQUIRE(ParseFlatJson(R"( {"s":"text", "n":-5, "u":18446744073709551615, "t":true, "f":false, "z":null} )",
                        &object));
  REQUIRE(object.members().size() == 6);
  CHECK(object.Find("s")->value.text == "text");
  CHECK(object.Find("n")->value.kind == FlatJsonObject::Kind::kInteger);
  CHECK(object.Find("n")->value.integer == -5);
  CHECK(object.Find("u")->value.kind == FlatJsonObject::Kind::kUnsigned);
  CHECK(object.Find("u")->value.unsigned_value == 18446744073709551615u);
  CHECK(object.Find("t")->value.boolean);
  CHECK_FALSE(object.Find("f")->value.boolean);
  CHECK(object.Find("z")->value.kind == FlatJsonObject::Kind::kNull);
  CHECK(object.Find("missing") == nullptr);
}

TEST_CASE("flat json: escapes are decoded, repeated keys keep the last value", "[json]") {
  FlatJsonObject object;
  REQUIRE(ParseFlatJson(R"({"a":"x","te\"xt":"line\none\t\\ \/ \"q\"","a":"y"})", &object));
  REQUIRE(object.members().size() == 2);
  CHECK(object.Find("a")->value.text == "y");
  CHECK(object.Find("te\"xt")->value.text == "line\none\t\\ / \"q\"");
}

TEST_CASE("flat json: leaves to the full parser what it does not read", "[json]") {
  for (std::string text : {"",
                           "{",
                           "[]",
                           "42",
                           "null",
                           "{\"a\":1.5}",
                           "{\"a\":1e3}",
                           "{\"a\":[1]}",
                           "{\"a\":{}}",
                           "{\"a\":\"\\u00e9\"}",
                           "{\"a\":01}",
                           "{\"a\":-}",
                           "{\"a\":18446744073709551616}",
                           "{\"a\":-9223372036854775809}",
                           "{\"a\":1,}",
                           "{\"a\" 1}",
                           "{\"a\":tru}",
                           "{\"a\":truex}",
                           "{\"a\":1}x",
                           "\xef\xbb\xbf{\"a\":1}",
                           "{\"a\":\"\xc3\x28\"}",
                           "{\"a\":\"\xed\xa0\x80\"}",
                           "{\"a\":\"\x01\"}",
                           "{\"a\":\"\\q\"}",
                           "{\"a\":\"open}"}) {
    INFO(text);
    FlatJsonObject object;
    CHECK_FALSE(ParseFlatJson(text, &object));
  }
}

TEST_CASE("flat json: events decode exactly as through a JSON document", "[json]") {
  std::vector<std::string> cases = {
      kPurchase,
      " \r\n\t" + kPurchase + " \n",
      PurchaseWith(R"("category":"sh\u00f6es")"),  // \u: the full parser
      PurchaseWith(R"("category":"shöes 😀")"),
      PurchaseWith(R"("category":"tab\there")"),
      PurchaseWith(R"("category":null)"),
      PurchaseWith(R"("category":7)"),
      PurchaseWith(R"("category":["shoes"])"),
      PurchaseWith(R"("category":{"a":1})"),
      PurchaseWith(R"("category":"shoes","ammount":1)"),
      PurchaseWith(R"("category":"shoes","aaa":1,"zzz":2)"),
      PurchaseWith(R"("category":"shoes","amount":99)"),  // repeated: the last wins
      PurchaseWith(R"("category":"shoes","amount":-1)"),
      PurchaseWith(R"("category":"shoes","amount":-0)"),
      PurchaseWith(R"("category":"shoes","amount":12.5)"),
      PurchaseWith(R"("category":"shoes","amount":1e2)"),
      PurchaseWith(R"("category":"shoes","amount":9223372036854775808)"),
      PurchaseWith(R"("category":"shoes","amount":18446744073709551616)"),
      PurchaseWith(R"("category":"shoes","amount":"1250")"),
      PurchaseWith(R"("category":"shoes","amount":true)"),
      PurchaseWith(R"("category":"shoes","items":4294967296)"),
      PurchaseWith(R"("category":"shoes","occurred_at":1772360100000)"),
      PurchaseWith(R"("category":"shoes","occurred_at":"2026-02-30T10:00:00Z")"),
      PurchaseWith(R"("category":"shoes","occurred_at":false)"),
      PurchaseWith(R"("category":"shoes","recorded_at":null)"),
      PurchaseWith(R"("category":"shoes","channel":"fax")"),
      PurchaseWith(R"("category":"shoes","type":"purchse")"),
      PurchaseWith(R"("category":"shoes","event_id":"e 1")"),
      PurchaseWith(R"("category":"shoes","customer_id":null)"),
      R"({"event_id":"a","customer_id":"c","occurred_at":1,"channel":"web","type":"customer_registered","display_name":"Ana \"A\"","email":"a@x.io","wallet_estimate":5000})",
      R"({"event_id":"d","customer_id":"c","occurred_at":3,"channel":"email","type":"complaint","complaint_id":"k","category":"billing","severity":4,"text":"line one\nline two"})",
      R"({"event_id":"e","customer_id":"c","occurred_at":4,"channel":"mobile","type":"complaint_resolved","complaint_id":"k","accepted":1})",
      R"({"event_id":"g","customer_id":"c","occurred_at":6,"channel":"call_centre","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","nps":11})",
      R"({"event_id":"j","customer_id":"c","occurred_at":9,"channel":"other","type":"customer_erased"})",
      R"({})",
      R"([])",
      R"({"event_id":)",
      "",
  };
  for (const std::string& text : cases) CheckSameAsDocument(text);
}

}  // namespace
}  // namespace rapport::events
