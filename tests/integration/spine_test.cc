// The spine end to end: HTTP gateway -> Kafka (embedded mock cluster) -> projector
// -> RocksDB -> query API, checked against a fold of the same events in the test.

#include <map>
#include <random>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "events/time_format.h"
#include "projections/customer_view/customer_view.h"
#include "projections/customer_view/customer_view_json.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using events::Event;

// 10,000 events of every type for 500 customers, each customer's in time order.
std::vector<Event> RandomHistory(int customers, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> out;
  std::map<int, int64_t> clock;
  for (int i = 0; i < count; ++i) {
    const int c = static_cast<int>(rng() % customers);
    int64_t& at = clock[c];
    at = (at == 0 ? 1'740'000'000'000 : at) + static_cast<int64_t>(rng() % 5) * events::kMillisPerDay + 1000;
    Event e;
    e.event_id = EventId("ev-" + std::to_string(i));
    e.customer_id = CustomerId("cust-" + std::to_string(c));
    e.occurred_at_ms = at;
    e.channel = static_cast<events::Channel>(rng() % events::kChannelCount);
    switch (rng() % 8) {
      case 0: e.payload = events::CustomerRegistered{"Name " + std::to_string(c), "x@example.com", "+1", "north", "1000", "25-34", std::nullopt}; break;
      case 1: case 2: e.payload = events::Purchase{"o-" + std::to_string(i), static_cast<int64_t>(rng() % 50000), static_cast<int64_t>(rng() % 20000), "EUR", 2, "shoes"}; break;
      case 3: e.payload = events::Refund{"o-" + std::to_string(i), static_cast<int64_t>(rng() % 1000)}; break;
      case 4: e.payload = events::Complaint{"k-" + std::to_string(i), events::ComplaintCategory::kService, 1 + static_cast<int>(rng() % 5), "late"}; break;
      case 5: e.payload = events::Visit{"store-1", 60, events::VisitOutcome::kBrowsed}; break;
      case 6: {
        events::CareContact contact;
        contact.survey.nps = static_cast<int>(rng() % 11);
        contact.survey.expectation = 5;
        contact.survey.perception = 1 + static_cast<int>(rng() % 10);
        e.payload = contact;
        break;
      }
      default: e.payload = events::Referral{"cust-x" + std::to_string(i)}; break;
    }
    out.push_back(std::move(e));
  }
  return out;
}

// The folded part of an answer: without the fields evaluated at read time
// (state, tier, RFM...), which tests/integration/value_test.cc checks.
nlohmann::json Folded(const std::string& body) {
  nlohmann::json answer = nlohmann::json::parse(body);
  for (const char* derived : {"state", "lifecycle_stage", "tier", "rfm", "historic_value", "pyramid_value", "as_of",
                              "ranking_as_of", "p_alive", "expected_purchases_12m", "predictive_value"}) {
    answer.erase(derived);
  }
  return answer;
}

TEST_CASE("every customer view equals a fold of the events posted over HTTP", "[integration][spine]") {
  testing::ReadyPlatform ready;
  auto& [dir, platform, client] = ready;

  const auto history = RandomHistory(500, 10'000, 7);
  // Batches of NDJSON, and the last 200 events one by one as single JSON posts.
  for (size_t begin = 0; begin < history.size() - 200; begin += 1000) {
    std::string body;
    for (size_t i = begin; i < std::min(history.size() - 200, begin + 1000); ++i) {
      body += events::EncodeJsonEvent(history[i]) + "\n";
    }
    auto response = client.Post("/v1/events", body, "application/x-ndjson");
    REQUIRE(response);
    REQUIRE(response->status == 202);
  }
  for (size_t i = history.size() - 200; i < history.size(); ++i) {
    auto response = client.Post("/v1/events", events::EncodeJsonEvent(history[i]), "application/json");
    REQUIRE(response);
    REQUIRE(response->status == 202);
    CHECK(nlohmann::json::parse(response->body)["accepted"] == 1);
  }
  // A publisher retry: the same 100 events again must count once.
  std::string retry;
  for (size_t i = 0; i < 100; ++i) retry += events::EncodeJsonEvent(history[i]) + "\n";
  REQUIRE(client.Post("/v1/events", retry, "application/x-ndjson")->status == 202);

  std::map<std::string, projections::CustomerView> expected;
  for (const Event& e : history) {
    expected[e.customer_id.str()] = projections::Apply(expected[e.customer_id.str()], e, platform->config().domain);
  }
  REQUIRE(expected.size() == 500);

  std::set<std::string> pending;
  for (const auto& [id, view] : expected) pending.insert(id);
  testing::WaitFor([&] {
    for (auto it = pending.begin(); it != pending.end();) {
      auto response = client.Get("/v1/customers/" + *it);
      if (response && response->status == 200 &&
          Folded(response->body) == projections::CustomerViewToJson(expected.at(*it))) {
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    return pending.empty();
  });
  for (const std::string& id : pending) {
    auto response = client.Get("/v1/customers/" + id);
    INFO("customer " << id);
    REQUIRE(response);
    CHECK(Folded(response->body) == projections::CustomerViewToJson(expected.at(id)));
  }
  CHECK(pending.empty());
}

TEST_CASE("an invalid line rejects the whole batch and publishes nothing", "[integration][spine]") {
  testing::TempDir dir;
  auto platform = testing::StartEmbeddedPlatform(testing::TestConfig(dir));
  auto client = testing::HttpClient(*platform);
  const std::string good =
      R"({"event_id":"e-1","customer_id":"c-1","occurred_at":"2026-03-01T10:15:00Z","channel":"web","type":"purchase","order_id":"o-1","amount":100,"cost":50,"currency":"EUR","items":1,"category":"x"})";
  const std::string bad =
      R"({"event_id":"e-2","customer_id":"c-2","occurred_at":"2026-03-01T10:15:00Z","channel":"web","type":"purchase","order_id":"o-2","amount":-5,"cost":50,"currency":"EUR","items":1,"category":"x"})";
  auto response = client.Post("/v1/events", good + "\n" + bad + "\n", "application/x-ndjson");
  REQUIRE(response);
  CHECK(response->status == 400);
  auto body = nlohmann::json::parse(response->body);
  CHECK(body["line"] == 2);
  CHECK(body["field"] == "amount");

  // Nothing of the rejected batch arrives, while a later good event does.
  REQUIRE(client.Post("/v1/events", R"({"event_id":"e-3","customer_id":"c-3","occurred_at":1772360100000,"channel":"web","type":"visit","location":"/","duration_seconds":5,"outcome":"browsed"})", "application/json")->status == 202);
  REQUIRE(testing::WaitFor([&] { return client.Get("/v1/customers/c-3")->status == 200; }));
  CHECK(client.Get("/v1/customers/c-1")->status == 404);
}

TEST_CASE("bodies over the limit get 413", "[integration][spine]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  config.gateway.max_body_bytes = 1024;
  auto platform = testing::StartEmbeddedPlatform(config);
  auto client = testing::HttpClient(*platform);
  auto response = client.Post("/v1/events", std::string(4096, ' '), "application/x-ndjson");
  REQUIRE(response);
  CHECK(response->status == 413);
}

TEST_CASE("health, readiness and unknown customers", "[integration][spine]") {
  testing::TempDir dir;
  auto platform = testing::StartEmbeddedPlatform(testing::TestConfig(dir));
  auto client = testing::HttpClient(*platform);
  CHECK(client.Get("/healthz")->status == 200);
  REQUIRE(testing::WaitFor([&] { return client.Get("/readyz")->status == 200; }));
  auto response = client.Get("/v1/customers/nobody");
  CHECK(response->status == 404);
}

}  // namespace
}  // namespace rapport
