// Partitions that move away and come back: two projectors in one group, each with
// its own store. When B leaves, A gets B's partitions back with its own, older,
// state and stored offsets for them (its write-back cache was dropped when they
// were revoked); it must resume from its stored offsets and end equal to a fold of
// every event, count for count.

#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "projections/customer_view/customer_view_projection.h"
#include "storage/offsets.h"
#include "projections/runtime/projector.h"
#include "services/ingest/gateway.h"
#include "tests/support/broker_with_publisher.h"
#include "tests/support/event_builders.h"
#include "tests/support/fold.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

constexpr int kPartitions = 6;
const std::string kTopic = "rapport.interactions";

struct Member {
  Member(const events::KafkaSettings& settings, events::Publisher& dead, const std::filesystem::path& dir) {
    auto opened = projections::Store::Open(dir, projections::OpenMode::kReadWrite);
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    projection = std::make_unique<projections::CustomerViewProjection>(*store, projections::DomainSettings{});
    projections::ProjectorOptions options;
    options.on_assignment = [this](const std::vector<Partition>& now, const std::vector<Partition>&) {
      std::lock_guard lock(mutex);
      assigned = now;
    };
    auto created = projections::Projector::Create(settings, options, *store, *projection, dead);
    REQUIRE(created.ok());
    projector = std::move(created).value();
    thread = std::thread([this] { (void)projector->Run(); });
  }
  ~Member() { Stop(); }
  void Stop() {
    if (!thread.joinable()) return;
    projector->Stop();
    thread.join();
  }
  size_t assigned_count() {
    std::lock_guard lock(mutex);
    return assigned.size();
  }
  // Applied everything the topic holds in every partition it owns now.
  bool CaughtUp(events::Publisher& publisher) {
    std::vector<Partition> now;
    {
      std::lock_guard lock(mutex);
      now = assigned;
    }
    if (now.empty()) return false;
    for (Partition p : now) {
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(publisher.handle(), kTopic.c_str(), p.value(), &low, &high, 5'000)) {
        return false;
      }
      auto next = projections::ReadNextOffset(*store, {kTopic, p});
      if (!next.ok() || next->value_or(Offset(0)).value() != high) return false;
    }
    return true;
  }

  std::unique_ptr<projections::Store> store;
  std::unique_ptr<projections::CustomerViewProjection> projection;
  std::unique_ptr<projections::Projector> projector;
  std::thread thread;
  std::mutex mutex;
  std::vector<Partition> assigned;
};

TEST_CASE("rebalance: partitions that move away and back end equal to the fold", "[integration][rebalance]") {
  testing::BrokerWithPublisher cluster(3, {{kTopic, kPartitions, 3}, {"rapport.dead-letter", 1, 3}}, "test", 6000);
  const events::KafkaSettings& settings = cluster.kafka;
  events::Publisher& publisher = *cluster.publisher;
  testing::TempDir dir;
  auto journal = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  services::Gateway gateway(publisher, settings.topics, services::GatewayLimits{}, journal->get());
  int64_t day = 0;
  auto publish = [&](int count) {
    std::vector<events::Event> batch;
    for (int i = 0; i < count; ++i) {
      const std::string customer = "c-" + std::to_string(i % 300);
      batch.push_back(i % 3 ? testing::Purchase(customer, testing::Day(static_cast<double>(day)), 100 + i)
                            : testing::Visit(customer, testing::Day(static_cast<double>(day))));
      if (i % 300 == 299) ++day;
    }
    REQUIRE(gateway.Publish(batch).ok());
  };

  Member a(settings, publisher, dir.path() / "a");
  publish(3'000);
  REQUIRE(testing::WaitFor([&] { return a.assigned_count() == kPartitions && a.CaughtUp(publisher); }));

  {
    Member b(settings, publisher, dir.path() / "b");
    REQUIRE(testing::WaitFor([&] { return b.assigned_count() > 0 && a.assigned_count() < kPartitions; }));
    publish(3'000);
    REQUIRE(testing::WaitFor([&] { return a.CaughtUp(publisher) && b.CaughtUp(publisher); }));
    CHECK(a.assigned_count() + b.assigned_count() == kPartitions);
  }  // B leaves: its partitions go back to A, whose state for them is older

  publish(3'000);
  REQUIRE(testing::WaitFor([&] { return a.assigned_count() == kPartitions && a.CaughtUp(publisher); }));
  a.Stop();

  auto rebuilt = testing::FoldJournal(**journal, dir.path() / "rebuild");
  const testing::ViewComparison comparison = testing::CheckSameViews(*rebuilt, *a.store);
  CHECK(comparison.customers == 300);
}

}  // namespace
}  // namespace rapport
