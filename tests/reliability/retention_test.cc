// Retention: far more is published than the embedded broker keeps (~5 MiB a
// partition) while a projector is stopped; restarted, it reads the gap from the
// event journal (Projector::FillGapFromJournal), continues on the topic, and ends
// equal to a clean rebuild.

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "events/publisher.h"
#include "projections/customer_view/customer_view_projection.h"
#include "projections/runtime/projector.h"
#include "services/platform/platform.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/fold.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Deterministic, cheap events: 100,000 customers, purchases, refunds and visits.
std::vector<events::Event> SyntheticBatch(int64_t first, int64_t count) {
  std::vector<events::Event> batch;
  batch.reserve(static_cast<size_t>(count));
  for (int64_t i = first; i < first + count; ++i) {
    events::Event e;
    e.event_id = EventId("r-" + std::to_string(i));
    e.customer_id = CustomerId("c-" + std::to_string(i % 100'000));
    e.occurred_at_ms = 1'767'225'600'000 + i * 1'000;  // one a second from 2026-01-01
    e.channel = static_cast<events::Channel>(i % 3);
    switch (i % 5) {
      case 0:
      case 1:
        e.payload = events::Purchase{"o-" + std::to_string(i), 1'000 + i % 9'000, 400 + i % 3'000, "EUR",
                                     1 + static_cast<int32_t>(i % 4), "shoes"};
        break;
      case 2:
        e.payload = events::Refund{"o-" + std::to_string(i - 2), 100 + i % 500};
        break;
      default:
        e.payload = events::Visit{"store-" + std::to_string(i % 20), 30 + static_cast<int32_t>(i % 600),
                                  events::VisitOutcome::kBrowsed};
    }
    batch.push_back(std::move(e));
  }
  return batch;
}

// A projector of the customer view over `store`, on its own thread.
struct RunningProjector {
  RunningProjector(services::Platform& p, projections::Store& store)
      : projection(store, projections::DomainSettings{}) {
    auto created = projections::Projector::Create(p.config().kafka, {}, store, projection, *p.publisher(),
                                                  p.journal());
    REQUIRE(created.ok());
    projector = std::move(created).value();
    thread = std::thread([this] {
      result = projector->Run();
      finished = true;
    });
  }
  ~RunningProjector() {
    projector->Stop();
    thread.join();
  }
  projections::CustomerViewProjection projection;
  std::unique_ptr<projections::Projector> projector;
  std::thread thread;
  Status result;
  std::atomic<bool> finished{false};  // Run returned: stopped, or failed
};

int64_t LowWatermark(events::Publisher& publisher, const std::string& topic, int partition) {
  int64_t low = 0, high = 0;
  REQUIRE(rd_kafka_query_watermark_offsets(publisher.handle(), topic.c_str(), partition, &low, &high, 10'000) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  return low;
}

TEST_CASE_METHOD(testing::BrokerAndGateway,
                 "retention: a stopped projector catches up through the journal past the broker's retention",
                 "[reliability][retention]") {
  auto opened = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kReadWrite);
  REQUIRE(opened.ok());
  projections::Store& store = **opened;

  constexpr int64_t kBatch = 10'000;
  constexpr int64_t kHead = 20'000;
  constexpr int64_t kTotal = 2'000'000;
  // Two publishing threads, as two HTTP clients would: Kafka round trips and
  // journal syncs overlap.
  auto publish = [&](int64_t from, int64_t to) {
    std::atomic<int64_t> next{from};
    std::atomic<bool> failed{false};
    auto worker = [&] {
      for (int64_t i = next.fetch_add(kBatch); i < to && !failed; i = next.fetch_add(kBatch)) {
        auto batch = SyntheticBatch(i, std::min(kBatch, to - i));
        if (!p.gateway()->Publish(batch).ok()) failed = true;
      }
    };
    std::thread a(worker), b(worker);
    a.join();
    b.join();
    REQUIRE_FALSE(failed);
  };

  // The projector sees the head of the history, then stops.
  publish(0, kHead);
  {
    RunningProjector running(p, store);
    REQUIRE(testing::WaitFor([&] { return testing::PartitionsBehind(store, *p.journal(), topic, partitions) == 0; }));
  }

  // Stopped, it misses far more than the broker keeps.
  const auto publish_started = Clock::now();
  publish(kHead, kTotal);
  const double publish_seconds = Seconds(publish_started);
  int dropped_partitions = 0;
  for (int partition = 0; partition < partitions; ++partition) {
    auto next = projections::ReadNextOffset(store, {topic, Partition(partition)});
    REQUIRE(next.ok());
    if (LowWatermark(*p.publisher(), topic, partition) > next->value_or(Offset(0)).value()) ++dropped_partitions;
  }
  REQUIRE(dropped_partitions == partitions);  // the gap really is gone from Kafka

  // Resumed: the gap comes from the journal, the rest from the topic.
  const auto catch_up_started = Clock::now();
  int64_t from_journal = 0;
  int64_t applied = 0;
  {
    RunningProjector running(p, store);
    testing::WaitFor(
        [&] {
          return running.finished || testing::PartitionsBehind(store, *p.journal(), topic, partitions) == 0;
        },
        std::chrono::seconds(300));
    INFO("projector: " << (running.finished ? running.result.ToString() : std::string("running")));
    REQUIRE_FALSE(running.finished);  // Run stopped early: it failed
    REQUIRE(testing::PartitionsBehind(store, *p.journal(), topic, partitions) == 0);
    from_journal = running.projector->stats().from_journal;
    applied = running.projector->stats().applied;
  }
  const double catch_up_seconds = Seconds(catch_up_started);
  CHECK(from_journal > 0);
  CHECK(applied == kTotal - kHead);

  // The archive consumer (it runs in embedded mode too) survived the broker
  // dropping what it had not read yet: the gateway had journaled it.
  CHECK(testing::WaitFor([&] { return p.ready(); }, std::chrono::seconds(120)));

  const auto fold_started = Clock::now();
  auto rebuilt = testing::FoldJournal(*p.journal(), dir.path() / "rebuild");
  const double fold_seconds = Seconds(fold_started);
  const testing::ViewComparison comparison = testing::CheckSameViews(*rebuilt, store);
  CHECK(comparison.customers == 100'000);

  std::printf("retention: %lld events published (%.0f events/s through the gateway's publish path with the "
              "journal); the stopped projector missed %lld, of which %lld were gone from the broker and read "
              "from the journal; caught up in %.1f s = %.0f events/s; clean rebuild %.1f s; %lld customers "
              "equal, %lld differ; wall %.1f s\n",
              static_cast<long long>(kTotal), static_cast<double>(kTotal - kHead) / publish_seconds,
              static_cast<long long>(kTotal - kHead), static_cast<long long>(from_journal), catch_up_seconds,
              static_cast<double>(applied) / catch_up_seconds, fold_seconds,
              static_cast<long long>(comparison.customers), static_cast<long long>(comparison.mismatches),
              Seconds(started));
}

}  // namespace
}  // namespace rapport
