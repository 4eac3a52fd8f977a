// Events published straight to Kafka (as kcat, Java or kafkajs clients do, in the
// published FlatBuffers format) are projected, journaled and survive a restart of
// the embedded platform, like events that came through the HTTP gateway.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "events/publisher.h"
#include "services/ingest/gateway.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

events::Event Purchase(const std::string& customer, const std::string& event_id, int64_t amount) {
  auto event = events::DecodeJsonEvent(nlohmann::json{{"event_id", event_id},
                                                      {"customer_id", customer},
                                                      {"occurred_at", "2026-03-01T10:15:00Z"},
                                                      {"channel", "web"},
                                                      {"type", "purchase"},
                                                      {"order_id", "o-" + event_id},
                                                      {"amount", amount},
                                                      {"currency", "EUR"}}
                                           .dump());
  REQUIRE(event.ok());
  return *event;
}

int64_t Revenue(httplib::Client& client, const std::string& customer) {
  auto response = client.Get(("/v1/customers/" + customer).c_str());
  if (!response || response->status != 200) return -1;
  return nlohmann::json::parse(response->body)["revenue"].get<int64_t>();
}

int64_t JournalEntries(const projections::Journal& journal) {
  int64_t count = 0;
  REQUIRE(journal.ScanAll([&](const projections::JournalEntry&) {
                   ++count;
                   return Status::Ok();
                 }).ok());
  return count;
}

TEST_CASE("events published straight to Kafka are journaled and survive a restart", "[integration][journal]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  {
    auto platform = testing::StartReadyPlatform(config);
    auto client = testing::HttpClient(*platform);

    // A separate Kafka client, knowing only the bootstrap address.
    testing::ExternalClient external(*platform, "external-client");
    std::vector<events::OutgoingMessage> messages;
    for (int i = 0; i < 50; ++i) {
      messages.push_back(services::ToKafkaMessage(Purchase("direct-" + std::to_string(i % 5), "d-" + std::to_string(i), 100),
                                                  external.kafka.topics.interactions));
    }
    REQUIRE(external.publisher->PublishAndWait(messages).ok());
    auto posted = client.Post("/v1/events", events::EncodeJsonEvent(Purchase("via-http", "h-1", 7)), "application/json");
    REQUIRE(posted);
    REQUIRE(posted->status == 202);

    REQUIRE(testing::WaitFor([&] { return Revenue(client, "direct-0") == 1000; }));
    REQUIRE(testing::WaitFor([&] { return JournalEntries(*platform->journal()) == 51; }));
    external.publisher.reset();
    platform->Stop();
  }
  auto platform = testing::StartEmbeddedPlatform(config);
  CHECK(platform->restored() == 51);
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
  auto client = testing::HttpClient(*platform);
  for (int c = 0; c < 5; ++c) CHECK(Revenue(client, "direct-" + std::to_string(c)) == 1000);
  CHECK(Revenue(client, "via-http") == 7);

  // New events after the restart continue the same history, counted once.
  auto posted = client.Post("/v1/events", events::EncodeJsonEvent(Purchase("direct-0", "d-after", 1)), "application/json");
  REQUIRE(posted);
  CHECK(posted->status == 202);
  CHECK(testing::WaitFor([&] { return Revenue(client, "direct-0") == 1001; }));
  CHECK(testing::WaitFor([&] { return JournalEntries(*platform->journal()) == 52; }));
}

}  // namespace
}  // namespace rapport
