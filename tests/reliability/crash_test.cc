// Crash: a projector in its own process is SIGKILLed at random points while events
// are published; restarted each time, its store ends equal to a clean rebuild.

#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "services/platform/platform.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/child_process.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/fold.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

TEST_CASE_METHOD(testing::BrokerAndGateway,
                 "crash: a projector SIGKILLed at random points ends equal to a clean rebuild",
                 "[reliability][crash]") {
  // The broker, the gateway's publish path and the journal live in this process;
  // the projector is `rapport project customer-view` in a child we can SIGKILL.
  const auto child_config = testing::WriteChildConfig(dir.path());
  auto spawn = [&](int n) {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::kRapportBinary, "project", "customer-view", "--brokers",
                                 p.bootstrap_servers(), "--data-dir", dir.str(), "--listen", "127.0.0.1:0",
                                 "--config", child_config.string()},
        dir.path() / ("projector-" + std::to_string(n) + ".log"));
  };

  auto history = testing::MergeFreeHistory(18'000);
  REQUIRE(history.size() >= 200'000);
  constexpr size_t kBatch = 1'000;
  std::atomic<bool> published{false};
  double publish_seconds = 0;  // written before `published`
  std::atomic<int64_t> sent{0};
  int64_t republished = 0;
  std::string publish_error;  // Catch2 assertions belong to the test thread
  // Paced so the publishing spans the kills; every 25th batch is sent twice, as a
  // client retrying after a timeout would (event ids make the retry count once).
  std::thread publisher([&] {
    for (size_t begin = 0, n = 0; begin < history.size(); begin += kBatch, ++n) {
      std::vector<events::Event> batch(history.begin() + static_cast<std::ptrdiff_t>(begin),
                                       history.begin() + static_cast<std::ptrdiff_t>(std::min(history.size(), begin + kBatch)));
      std::vector<events::Event> again = batch;
      if (Status s = p.gateway()->Publish(batch); !s.ok()) {
        publish_error = s.ToString();
        break;
      }
      if (n % 25 == 24) {
        if (Status s = p.gateway()->Publish(again); !s.ok()) {
          publish_error = s.ToString();
          break;
        }
        republished += static_cast<int64_t>(again.size());
      }
      sent += static_cast<int64_t>(batch.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    publish_seconds = Seconds(started);
    published = true;
  });

  // Each run is killed at a random moment after it has started applying events
  // (so every kill lands in the middle of consuming, folding or checkpointing).
  std::mt19937 random(20261201);
  std::uniform_int_distribution<int> pause_ms(0, 1'200);
  int kills = 0;
  int64_t behind_at_kill_total = 0;
  std::unique_ptr<projections::Store> follower;
  auto follow = [&]() -> projections::Store* {
    if (!follower && std::filesystem::exists(dir.path() / "customer-view" / "CURRENT")) {
      auto opened = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kSecondary,
                                             dir.path() / "secondary");
      if (opened.ok()) follower = std::move(opened).value();
    }
    if (follower) REQUIRE(follower->CatchUp().ok());
    return follower.get();
  };
  while (!published || kills < 10) {
    auto* store = follow();
    const int64_t progress_at_spawn = store ? testing::StoredProgress(*store, topic) : 0;
    auto child = spawn(kills);
    testing::WaitFor(
        [&] {
          auto* s = follow();
          return !child->running() || (s && testing::StoredProgress(*s, topic) > progress_at_spawn) ||
                 (published && s && testing::PartitionsBehind(*s, *p.journal(), topic, partitions) == 0);
        },
        std::chrono::seconds(30));
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    INFO(child->output());
    REQUIRE(child->running());
    child->Kill(SIGKILL);
    ++kills;
    if (auto* s = follow()) {
      int64_t behind = 0;
      testing::PartitionsBehind(*s, *p.journal(), topic, partitions, &behind);
      behind_at_kill_total += behind;
    }
  }
  publisher.join();
  REQUIRE(publish_error.empty());
  const int64_t events = sent.load();
  REQUIRE(follower);

  const double kill_phase = Seconds(started);
  // The last run catches up and is stopped cleanly (once it is up: SIGTERM before
  // main blocks it would just kill it).
  auto last = spawn(kills);
  INFO(last->output());
  REQUIRE(last->WaitForHttpPort() > 0);
  REQUIRE(testing::WaitFor(
      [&] { return testing::PartitionsBehind(*follow(), *p.journal(), topic, partitions) == 0; },
      std::chrono::seconds(120)));
  CHECK(last->Kill(SIGTERM) == 0);
  follower.reset();
  const double caught_up = Seconds(started);

  auto store = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kReadOnly);
  REQUIRE(store.ok());
  auto rebuilt = testing::FoldJournal(*p.journal(), dir.path() / "rebuild");
  const testing::ViewComparison comparison = testing::CheckSameViews(*rebuilt, **store);
  CHECK(comparison.customers > 15'000);
  auto watermark = projections::ReadWatermark(**store);
  auto rebuilt_watermark = projections::ReadWatermark(*rebuilt);
  REQUIRE(watermark.ok());
  CHECK(*watermark == *rebuilt_watermark);

  std::printf("crash: %lld events (+%lld re-sent duplicates) published, projector SIGKILLed %d times "
              "(%lld events behind on average at a kill), %lld customers equal to the clean rebuild, "
              "%lld differ; published by %.1f s, kills done at %.1f s, caught up at %.1f s, wall %.1f s\n",
              static_cast<long long>(events), static_cast<long long>(republished), kills,
              static_cast<long long>(behind_at_kill_total / kills), static_cast<long long>(comparison.customers),
              static_cast<long long>(comparison.mismatches), publish_seconds, kill_phase, caught_up, Seconds(started));
}

}  // namespace
}  // namespace rapport
