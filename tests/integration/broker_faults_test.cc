// Broker faults during publish and consume, injected into the embedded broker
// (brokers down, request errors, leader changes): every event the gateway
// acknowledged with 202 is in the customer views exactly once, compared with a fold
// of the acknowledged events. A 503 while brokers are down is allowed; the client
// retries the same batch with the same event ids, as a real publisher does.

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "events/json_codec.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/json_events.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using events::EmbeddedBroker;

struct Folded {
  int64_t purchases = 0;
  int64_t revenue = 0;
};

std::string Batch(int batch, int size, std::mt19937& random, std::map<std::string, Folded>& fold) {
  std::string body;
  for (int i = 0; i < size; ++i) {
    const std::string customer = "f-" + std::to_string(random() % 40);
    const int64_t amount = 1 + random() % 1000;
    fold[customer].purchases += 1;
    fold[customer].revenue += amount;
    const std::string n = std::to_string(batch) + "-" + std::to_string(i);
    body += testing::PurchaseLine("b" + n, customer, 1'772'359'200'000 + batch * 1000 + i, "o-" + n, amount);
  }
  return body;
}

Folded Projected(httplib::Client& client, const std::string& customer) {
  auto response = client.Get(("/v1/customers/" + customer).c_str());
  if (!response || response->status != 200) return {-1, -1};
  auto json = nlohmann::json::parse(response->body);
  return {json["purchases"].get<int64_t>(), json["revenue"].get<int64_t>()};
}

TEST_CASE("broker faults: every acknowledged event is projected exactly once", "[integration][faults]") {
  testing::TempDir dir;
  auto config = testing::TestConfig(dir);
  // A publish Kafka cannot take fails within seconds (503), not after 30.
  config.kafka.delivery_timeout_ms = 4000;
  auto platform = testing::StartEmbeddedPlatform(config);
  REQUIRE(testing::WaitFor([&] { return platform->ready(); }));
  EmbeddedBroker& broker = *platform->embedded_broker();
  const std::string topic = config.kafka.topics.interactions;

  constexpr int kBatches = 240;
  constexpr int kBatchSize = 25;
  std::map<std::string, Folded> fold;  // of the acknowledged events only
  std::atomic<int> acknowledged{0};
  int unavailable = 0;
  std::atomic<bool> done{false};
  std::string unexpected;

  std::thread client_thread([&] {
    auto client = testing::HttpClient(*platform);
    client.set_read_timeout(20, 0);
    std::mt19937 random(11);
    for (int b = 0; b < kBatches; ++b) {
      std::map<std::string, Folded> batch_fold;
      const std::string body = Batch(b, kBatchSize, random, batch_fold);
      for (int attempt = 0;; ++attempt) {
        auto response = client.Post("/v1/events", body, "application/x-ndjson");
        if (response && response->status == 202) break;
        if (response && response->status != 503) {
          unexpected = std::to_string(response->status) + ": " + response->body;  // Catch2 asserts on the main thread
          done = true;
          return;
        }
        ++unavailable;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      for (const auto& [customer, f] : batch_fold) {
        fold[customer].purchases += f.purchases;
        fold[customer].revenue += f.revenue;
      }
      ++acknowledged;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done = true;
  });

  // Faults while the client publishes and the projector consumes.
  auto at_batch = [&](int n) { testing::WaitFor([&] { return acknowledged >= n || done; }, std::chrono::minutes(3)); };
  at_batch(20);
  REQUIRE(broker.SetBrokerUp(2, false).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  REQUIRE(broker.SetBrokerUp(2, true).ok());
  at_batch(60);
  broker.PushRequestErrors(EmbeddedBroker::kApiProduce,
                           {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE});
  broker.PushRequestErrors(EmbeddedBroker::kApiFetch,
                           {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART});
  at_batch(100);
  for (int p = 0; p < config.kafka.partitions; ++p) REQUIRE(broker.SetPartitionLeader(topic, p, 1 + (p + 1) % 3).ok());
  at_batch(140);
  REQUIRE(broker.SetBrokerUp(1, false).ok());
  REQUIRE(broker.SetBrokerUp(3, false).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  REQUIRE(broker.SetBrokerUp(1, true).ok());
  REQUIRE(broker.SetBrokerUp(3, true).ok());
  at_batch(180);
  for (int p = 0; p < config.kafka.partitions; ++p) REQUIRE(broker.SetPartitionLeader(topic, p, 1 + p % 3).ok());
  broker.PushRequestErrors(EmbeddedBroker::kApiFetch,
                           {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
  client_thread.join();
  WARN(unavailable << " 503 answer(s) retried by the client");
  REQUIRE(unexpected.empty());
  REQUIRE(acknowledged == kBatches);

  auto client = testing::HttpClient(*platform);
  auto matches = [&] {
    for (const auto& [customer, expected] : fold) {
      Folded got = Projected(client, customer);
      if (got.purchases != expected.purchases || got.revenue != expected.revenue) return false;
    }
    return true;
  };
  CHECK(testing::WaitFor(matches, std::chrono::seconds(90)));
  for (const auto& [customer, expected] : fold) {
    Folded got = Projected(client, customer);
    INFO(customer);
    CHECK(got.purchases == expected.purchases);
    CHECK(got.revenue == expected.revenue);
  }
  auto stats = platform->ReadinessJson()["projectors"]["customer-view"];
  CHECK(stats["dead_lettered"] == 0);
  CHECK(stats["applied"] == kBatches * kBatchSize);
}

}  // namespace
}  // namespace rapport
