// The projector runtime against a real (mock) Kafka cluster and a real RocksDB.

#include <thread>

#include <catch2/catch.hpp>

#include "events/dead_letter.h"
#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "events/wire_codec.h"
#include "projections/customer_view/customer_view_projection.h"
#include "projections/runtime/projector.h"
#include "services/ingest/gateway.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using events::Event;

struct Cluster {
  Cluster() {
    auto started = events::EmbeddedBroker::Start(3, {{"rapport.interactions", 4, 3}, {"rapport.dead-letter", 1, 3}});
    REQUIRE(started.ok());
    broker = std::move(started).value();
    settings.bootstrap_servers = broker->bootstrap_servers();
    settings.session_timeout_ms = 6000;
    auto created = events::Publisher::Create(settings, "test");
    REQUIRE(created.ok());
    publisher = std::move(created).value();
  }
  std::unique_ptr<events::EmbeddedBroker> broker;
  events::KafkaSettings settings;
  std::unique_ptr<events::Publisher> publisher;
};

// A projector on its own thread, stopped and joined on destruction.
class RunningProjector {
 public:
  RunningProjector(Cluster& cluster, projections::Store& store)
      : projection_(store, projections::DomainSettings{}) {
    auto created = projections::Projector::Create(cluster.settings, {}, store, projection_, *cluster.publisher);
    REQUIRE(created.ok());
    projector_ = std::move(created).value();
    thread_ = std::thread([this] { (void)projector_->Run(); });
  }
  ~RunningProjector() {
    projector_->Stop();
    thread_.join();
  }
  projections::Projector& operator*() { return *projector_; }
  projections::Projector* operator->() { return projector_.get(); }

 private:
  projections::CustomerViewProjection projection_;
  std::unique_ptr<projections::Projector> projector_;
  std::thread thread_;
};

Event PurchaseEvent(const std::string& customer, const std::string& id, int64_t amount) {
  Event e;
  e.event_id = EventId(id);
  e.customer_id = CustomerId(customer);
  e.occurred_at_ms = 1'770'000'000'000;
  e.channel = events::Channel::kWeb;
  e.payload = events::Purchase{"o-" + id, amount, 0, "EUR", 1, "x"};
  return e;
}

std::unique_ptr<projections::Store> OpenStore(const testing::TempDir& dir) {
  auto store = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  return std::move(store).value();
}

int64_t Purchases(const projections::Store& store, const std::string& customer) {
  auto view = projections::ReadCustomerView(store, customer);
  return view.ok() && view->has_value() ? (*view)->purchases : -1;
}

TEST_CASE("projector: poison messages go to the dead-letter topic and the line keeps moving",
          "[integration][projector]") {
  Cluster cluster;
  testing::TempDir dir;
  auto store = OpenStore(dir);
  RunningProjector projector(cluster, *store);

  std::vector<events::OutgoingMessage> messages;
  messages.push_back(services::ToKafkaMessage(PurchaseEvent("c-1", "e-1", 100), "rapport.interactions"));
  messages.push_back({"rapport.interactions", "c-1", "\x01\x02 not a flatbuffer", 0, {}});
  auto truncated = services::ToKafkaMessage(PurchaseEvent("c-1", "e-x", 5), "rapport.interactions");
  truncated.value.resize(truncated.value.size() / 2);
  messages.push_back(truncated);
  messages.push_back(services::ToKafkaMessage(PurchaseEvent("c-1", "e-2", 200), "rapport.interactions"));
  REQUIRE(cluster.publisher->PublishAndWait(messages).ok());

  REQUIRE(testing::WaitFor([&] { return Purchases(*store, "c-1") == 2; }));
  CHECK(projector->stats().dead_lettered == 2);

  // The dead letters carry the original bytes and say where they came from and why.
  struct NoRebalance : events::RebalanceListener {
    std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& p) override {
      return std::vector<std::optional<Offset>>(p.size());
    }
    void OnRevoked(const std::vector<events::TopicPartition>&) override {}
  } listener;
  auto reader = events::Consumer::Create(cluster.settings, "dlq-reader", "dlq-reader", &listener);
  REQUIRE(reader.ok());
  REQUIRE((*reader)->Subscribe({"rapport.dead-letter"}).ok());
  std::vector<std::string> errors;
  std::vector<std::string> values;
  testing::WaitFor([&] {
    for (auto& m : (*reader)->Poll(100, std::chrono::milliseconds(200))) {
      if (m.error()) continue;
      values.emplace_back(m.value());
      errors.emplace_back(*m.header(events::kDlqError));
      CHECK(m.header(events::kDlqSourceTopic) == "rapport.interactions");
      CHECK(m.header(events::kDlqSourceOffset).has_value());
    }
    return values.size() >= 2;
  });
  REQUIRE(values.size() == 2);
  CHECK(values[0] == messages[1].value);
  CHECK(values[1] == messages[2].value);
  CHECK(errors[0].find("corruption") != std::string::npos);
}

TEST_CASE("projector: a restarted projector resumes from its stored offsets and counts nothing twice",
          "[integration][projector]") {
  Cluster cluster;
  testing::TempDir dir;
  auto store = OpenStore(dir);
  std::vector<events::OutgoingMessage> first, second;
  for (int i = 0; i < 300; ++i) {
    first.push_back(services::ToKafkaMessage(PurchaseEvent("c-" + std::to_string(i % 30), "a-" + std::to_string(i), 10), "rapport.interactions"));
    second.push_back(services::ToKafkaMessage(PurchaseEvent("c-" + std::to_string(i % 30), "b-" + std::to_string(i), 10), "rapport.interactions"));
  }
  // The same event ids published again (a publisher retry) must not count.
  second.insert(second.end(), first.begin(), first.begin() + 50);

  REQUIRE(cluster.publisher->PublishAndWait(first).ok());
  {
    RunningProjector projector(cluster, *store);
    REQUIRE(testing::WaitFor([&] { return projector->stats().applied == 300; }));
  }
  REQUIRE(cluster.publisher->PublishAndWait(second).ok());
  {
    RunningProjector projector(cluster, *store);
    REQUIRE(testing::WaitFor([&] { return projector->stats().applied + projector->stats().duplicates == 350; }));
    CHECK(projector->stats().duplicates == 50);
  }
  for (int c = 0; c < 30; ++c) CHECK(Purchases(*store, "c-" + std::to_string(c)) == 20);
}

}  // namespace
}  // namespace rapport
