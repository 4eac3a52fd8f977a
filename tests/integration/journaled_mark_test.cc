// In embedded mode the gateway journals its own events and marks them, so the
// archiver does not write them a second time (services/ingest/archiver.h). The mark is
// this process's own: a message from another client that carries the header (with
// any other value) is still journaled, next to the gateway's own events.

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "events/publisher.h"
#include "services/ingest/archiver.h"
#include "services/ingest/gateway.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/event_builders.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

events::Event Visit(const std::string& customer, const std::string& event_id) {
  events::Event event = testing::Visit(customer, testing::Day(10));
  event.event_id = EventId(event_id);
  return event;
}

std::map<std::string, int> JournaledKeys(const projections::Journal& journal) {
  std::map<std::string, int> keys;
  REQUIRE(journal
              .ScanAll([&](const projections::JournalEntry& entry) {
                ++keys[entry.key];
                return Status::Ok();
              })
              .ok());
  return keys;
}

TEST_CASE("the archiver skips only what this process's gateway journaled", "[integration][journal]") {
  CHECK(services::ProcessJournaledMark().size() == 16);

  testing::ReadyPlatform ready;
  auto& [dir, platform, client] = ready;

  testing::ExternalClient external(*platform, "external-client");
  std::vector<events::OutgoingMessage> messages;
  for (int i = 0; i < 10; ++i) {
    messages.push_back(services::ToKafkaMessage(
        Visit("forged-" + std::to_string(i), "f-" + std::to_string(i)), external.kafka.topics.interactions));
    // Another client copying the header name: its value is not this process's mark.
    messages.back().headers.emplace_back(services::kHeaderJournaled, i % 2 ? "1" : "");
  }
  REQUIRE(external.publisher->PublishAndWait(messages).ok());

  std::string body;
  for (int i = 0; i < 20; ++i)
    body += events::EncodeJsonEvent(Visit("posted-" + std::to_string(i), "p-" + std::to_string(i))) + "\n";
  auto posted = client.Post("/v1/events", body, "application/x-ndjson");
  REQUIRE(posted);
  REQUIRE(posted->status == 202);

  // The gateway's 20 are in the journal when it answers; the 10 others arrive via
  // the archiver, forged header or not.
  REQUIRE(testing::WaitFor([&] { return JournaledKeys(*platform->journal()).size() == 30; }));
  const auto keys = JournaledKeys(*platform->journal());
  for (int i = 0; i < 10; ++i) CHECK(keys.count("forged-" + std::to_string(i)) == 1);
  external.publisher.reset();
}

}  // namespace
}  // namespace rapport
