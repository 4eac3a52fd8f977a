// The customer-view fold, pinned on small hand-computed histories.

#include <catch2/catch.hpp>

#include "events/json_codec.h"
#include "events/time_format.h"
#include "projections/customer_view/customer_view.h"

namespace rapport::projections {
namespace {

events::Event Parse(const std::string& json) {
  auto event = events::DecodeJsonEvent(json);
  REQUIRE(event.ok());
  return *event;
}

CustomerView Fold(const std::vector<std::string>& lines) {
  CustomerView view;
  for (const auto& line : lines) view = Apply(std::move(view), Parse(line), DomainSettings{});
  return view;
}

TEST_CASE("customer view: counts, money and first/last seen follow event time", "[customer_view]") {
  CustomerView view = Fold({
      R"({"event_id":"1","customer_id":"c","occurred_at":"2026-01-10T00:00:00Z","channel":"web","type":"purchase","order_id":"o1","amount":1000,"cost":600,"currency":"EUR"})",
      R"({"event_id":"2","customer_id":"c","occurred_at":"2026-01-05T00:00:00Z","channel":"store","type":"visit","location":"s1","outcome":"browsed"})",
      R"({"event_id":"3","customer_id":"c","occurred_at":"2026-01-20T00:00:00Z","channel":"call_centre","type":"complaint","complaint_id":"k","category":"staff","severity":3})",
      R"({"event_id":"4","customer_id":"c","occurred_at":"2026-01-21T00:00:00Z","channel":"call_centre","type":"refund","order_id":"o1","amount":200})",
      R"({"event_id":"5","customer_id":"c","occurred_at":"2026-01-15T00:00:00Z","channel":"web","type":"purchase","order_id":"o2","amount":500,"cost":100,"currency":"EUR"})",
  });
  CHECK(view.customer_id == "c");
  CHECK(view.events == 5);
  CHECK(view.purchases == 2);
  CHECK(view.revenue == 1500);
  CHECK(view.profit() == 800);
  CHECK(view.refunds == 1);
  CHECK(view.refunded_amount == 200);
  CHECK(view.complaints == 1);
  CHECK(view.open_complaints == 1);
  CHECK(view.visits == 1);
  CHECK(events::FormatRfc3339(view.first_seen_ms) == "2026-01-05T00:00:00Z");  // late arrival moves it back
  CHECK(events::FormatRfc3339(view.last_seen_ms) == "2026-01-21T00:00:00Z");
  CHECK(events::FormatRfc3339(view.last_contact_ms[static_cast<size_t>(events::Channel::kWeb)]) ==
        "2026-01-15T00:00:00Z");
  CHECK(events::FormatRfc3339(view.first_purchase_ms) == "2026-01-10T00:00:00Z");
}

TEST_CASE("customer view: resolution closes a complaint, surveys keep the latest answers", "[customer_view]") {
  CustomerView view = Fold({
      R"({"event_id":"1","customer_id":"c","occurred_at":1000,"channel":"web","type":"complaint","complaint_id":"k","category":"price","severity":2})",
      R"({"event_id":"2","customer_id":"c","occurred_at":2000,"channel":"web","type":"complaint_resolved","complaint_id":"k","accepted":true})",
      R"({"event_id":"3","customer_id":"c","occurred_at":5000,"channel":"email","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","nps":9})",
      R"({"event_id":"4","customer_id":"c","occurred_at":4000,"channel":"email","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","nps":2})",
  });
  CHECK(view.complaints == 1);
  CHECK(view.open_complaints == 0);
  CHECK(view.care_contacts == 2);
  CHECK(view.last_survey.nps == 9);  // the older answer arrived late and does not win
}

TEST_CASE("customer view: erasure removes personal data for good, aggregates stay", "[customer_view]") {
  CustomerView view = Fold({
      R"({"event_id":"1","customer_id":"c","occurred_at":1000,"channel":"web","type":"customer_registered","display_name":"Ana","email":"a@x.io","phone":"+1","region":"north"})",
      R"({"event_id":"2","customer_id":"c","occurred_at":2000,"channel":"web","type":"purchase","order_id":"o","amount":10,"currency":"EUR"})",
      R"({"event_id":"3","customer_id":"c","occurred_at":3000,"channel":"web","type":"customer_erased"})",
      R"({"event_id":"4","customer_id":"c","occurred_at":4000,"channel":"web","type":"customer_registered","display_name":"Ana again","email":"b@x.io"})",
  });
  CHECK(view.erased);
  CHECK(view.profile.display_name.empty());
  CHECK(view.profile.email.empty());
  CHECK(view.profile.phone.empty());
  CHECK(view.revenue == 10);
}

TEST_CASE("customer view: the storage codec round-trips and rejects damage", "[customer_view]") {
  CustomerView view = Fold({
      R"({"event_id":"1","customer_id":"c","occurred_at":1000,"channel":"web","type":"customer_registered","display_name":"Ana","wallet_estimate":90000})",
      R"({"event_id":"3","customer_id":"c","occurred_at":5000,"channel":"email","type":"care_contact","stage":"after_sale","purpose":"survey","direction":"outbound","nps":0,"csat":4})",
  });
  std::string bytes = EncodeCustomerView(view);
  auto decoded = DecodeCustomerView(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == view);
  CHECK_FALSE(DecodeCustomerView(std::string_view(bytes).substr(0, bytes.size() / 2)).ok());
  CHECK_FALSE(DecodeCustomerView("").ok());
}

}  // namespace
}  // namespace rapport::projections
