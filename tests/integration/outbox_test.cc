// The gateway's outbox with a real cluster: the mock cluster is started here and
// used as an external one (only its bootstrap servers are passed, as --brokers
// would). With every broker down, accepted events wait in the outbox (202), 503
// once it is full, survive a restart of the gateway, and are drained in order when
// the brokers return.

#include <map>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/embedded_broker.h"
#include "events/json_codec.h"
#include "events/kafka_handles.h"
#include "events/wire_codec.h"
#include "services/ingest/outbox.h"
#include "tests/support/credentials.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/json_events.h"
#include "tests/support/topic_reader.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

constexpr int kPartitions = 6;

std::string PurchaseLine(const std::string& customer, int n) {
  return testing::PurchaseLine("e-" + std::to_string(n), customer, 1'772'359'200'000 + n * 1000,
                               "o-" + std::to_string(n), n, "store");
}

// Event ids per customer in the topic's order (partition order, offsets rising).
std::map<std::string, std::vector<std::string>> TopicOrder(const std::string& brokers, const std::string& topic) {
  events::KafkaSettings kafka;
  kafka.bootstrap_servers = brokers;
  events::KafkaPtr consumer = testing::AssignFromBeginning(kafka, "order-reader", topic, kPartitions);
  std::map<std::string, std::vector<std::string>> order;
  std::set<int> at_end;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (at_end.size() < kPartitions && std::chrono::steady_clock::now() < deadline) {
    events::KafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 200));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) at_end.insert(m->partition);
    if (m->err) continue;
    auto event = events::DecodeWire(std::string_view(static_cast<const char*>(m->payload), m->len));
    REQUIRE(event.ok());
    order[event->customer_id.str()].push_back(event->event_id.str());
  }
  rd_kafka_consumer_close(consumer.get());
  REQUIRE(at_end.size() == kPartitions);
  return order;
}

int64_t Purchases(httplib::Client& client, const std::string& customer) {
  auto response = client.Get(("/v1/customers/" + customer).c_str());
  if (!response || response->status != 200) return -1;
  return nlohmann::json::parse(response->body)["purchases"].get<int64_t>();
}

TEST_CASE("outbox: an unreachable cluster queues accepted events, 503 when full, drained in order",
          "[integration][outbox]") {
  auto started = events::EmbeddedBroker::Start(3, {{"rapport.interactions", kPartitions, 3},
                                                   {"rapport.dead-letter", 1, 3},
                                                   {"rapport.credentials", 1, 3}});
  REQUIRE(started.ok());
  auto& broker = **started;
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  config.brokers = broker.bootstrap_servers();  // an external cluster, as --brokers
  config.kafka.bootstrap_servers = config.brokers;
  config.kafka.partitions = kPartitions;
  config.gateway.outbox.max_events = 240;
  config.gateway.outbox.publish_timeout_ms = 1000;
  config.gateway.outbox.retry_ms = 100;
  const services::Roles roles{.gateway = true, .query = true, .projections = {"customer-view"}};
  testing::ProvisionAdminCredential(config);

  std::vector<std::string> accepted;  // event ids in the order their 202 came
  const std::vector<std::string> customers = {"a", "b", "c", "d"};
  int n = 0;
  auto post = [&](httplib::Client& client, int events) {
    std::string body;
    std::vector<std::string> ids;
    for (int i = 0; i < events; ++i, ++n) {
      body += PurchaseLine(customers[n % customers.size()], n);
      ids.push_back("e-" + std::to_string(n));
    }
    auto response = client.Post("/v1/events", body, "application/x-ndjson");
    REQUIRE(response);
    if (response->status == 202) accepted.insert(accepted.end(), ids.begin(), ids.end());
    return *response;
  };

  {
    // The gateway alone: its projector would wait in consumer close for a group
    // coordinator that is down when this platform stops.
    auto platform = services::Platform::Start(config, services::Roles{.gateway = true});
    REQUIRE(platform.ok());
    auto client = testing::HttpClient(**platform);
    CHECK(post(client, 8).status == 202);
    CHECK((*platform)->gateway()->outbox()->size() == 0);  // Kafka took them directly

    for (int id = 1; id <= 3; ++id) REQUIRE(broker.SetBrokerUp(id, false).ok());
    // Accepted while Kafka is away: the first waits for the publish timeout, the
    // rest queue behind it at once.
    for (int batch = 0; batch < 4; ++batch) {
      auto response = post(client, 50);
      CHECK(response.status == 202);
    }
    const services::Outbox* outbox = (*platform)->gateway()->outbox();
    REQUIRE(outbox != nullptr);
    CHECK(outbox->size() == 200);
    CHECK((*platform)->ReadinessJson()["outbox"]["waiting"] == 200);
    // Full (200 + 41 > 240): back-pressure, not loss.
    auto full = post(client, 41);
    CHECK(full.status == 503);
    CHECK_THAT(full.body, Catch::Contains("outbox is full"));
    n -= 41;  // those events were not accepted; their ids are free again
    (*platform)->Stop();
  }

  // The outbox is on disk: a new gateway picks it up and drains it once Kafka is back.
  auto platform = services::Platform::Start(config, roles);
  REQUIRE(platform.ok());
  const services::Outbox* outbox = (*platform)->gateway()->outbox();
  CHECK(outbox->size() == 200);
  auto client = testing::HttpClient(**platform);
  // New events are accepted behind the queued ones (Kafka still away), never before them.
  CHECK(post(client, 12).status == 202);
  CHECK(outbox->size() == 212);
  for (int id = 1; id <= 3; ++id) REQUIRE(broker.SetBrokerUp(id, true).ok());
  CHECK(post(client, 12).status == 202);
  REQUIRE(testing::WaitFor([&] { return outbox->size() == 0; }, std::chrono::seconds(60)));
  CHECK(outbox->drained() >= 200);
  const int64_t per_customer = static_cast<int64_t>(accepted.size() / customers.size());
  for (const std::string& customer : customers) {
    INFO(customer);
    CHECK(testing::WaitFor([&] { return Purchases(client, customer) == per_customer; }));
  }

  // Each customer's events are on the topic in the order they were accepted.
  auto order = TopicOrder(config.brokers, config.kafka.topics.interactions);
  for (const std::string& customer : customers) {
    std::vector<std::string> expected;
    for (const std::string& id : accepted) {
      if (customers[std::stoi(id.substr(2)) % customers.size()] == customer) expected.push_back(id);
    }
    std::vector<std::string> first_seen;
    std::set<std::string> seen;
    for (const std::string& id : order[customer]) {
      if (seen.insert(id).second) first_seen.push_back(id);
    }
    INFO(customer);
    CHECK(first_seen == expected);
  }
}

TEST_CASE("outbox: entries round-trip their on-disk form, and damaged ones are errors", "[integration][outbox]") {
  events::OutgoingMessage message{"t", "k", std::string("v\0v", 3), 42, {{"h", "1"}, {"x", ""}}, Partition(3)};
  auto decoded = services::DecodeOutboxMessage(services::EncodeOutboxMessage(message));
  REQUIRE(decoded.ok());
  CHECK(decoded->topic == "t");
  CHECK(decoded->value == message.value);
  CHECK(decoded->timestamp_ms == 42);
  CHECK(decoded->headers == message.headers);
  CHECK(decoded->partition == Partition(3));
  std::string bytes = services::EncodeOutboxMessage(message);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK_FALSE(services::DecodeOutboxMessage(bytes.substr(0, cut)).ok());
  }
}

}  // namespace
}  // namespace rapport
