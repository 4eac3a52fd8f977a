// Embedded restart: `rapport up` SIGKILLed mid-stream and started again on the same
// data dir. Every event acknowledged (202) before the kill is back, at the offset
// it had in every partition, and the customer view equals a fold of the journal.

#include <atomic>
#include <map>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "events/consumer.h"
#include "events/json_codec.h"
#include "events/wire_codec.h"
#include "services/platform/platform.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fold.h"
#include "tests/support/admin_token.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace rapport {
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// partition -> offset -> message bytes (a restore filler is empty).
using TopicContents = std::map<int, std::map<int64_t, std::string>>;

// Assigns every partition from offset 0, whatever the group committed.
struct FromStart : events::RebalanceListener {
  std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& p) override {
    return std::vector<std::optional<Offset>>(p.size(), Offset(0));
  }
  void OnRevoked(const std::vector<events::TopicPartition>&) override {}
};

// A consumer of `topic` in its own `group`, reading every partition from its start;
// null when it cannot be created or subscribed. `listener` must outlive it.
std::unique_ptr<events::Consumer> SubscribeFromStart(const std::string& bootstrap, const std::string& topic,
                                                     const std::string& group, FromStart& listener) {
  events::KafkaSettings settings;
  settings.bootstrap_servers = bootstrap;
  settings.session_timeout_ms = 6000;
  auto consumer = events::Consumer::Create(settings, group, group, &listener);
  if (!consumer.ok() || !(*consumer)->Subscribe({topic}).ok()) return nullptr;
  return std::move(consumer).value();
}

// Reads every partition of `topic` from offset 0 to its end.
TopicContents ReadTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                        const std::string& group) {
  FromStart listener;
  auto consumer = SubscribeFromStart(bootstrap, topic, group, listener);
  REQUIRE(consumer != nullptr);
  TopicContents contents;
  std::set<int> at_end;
  REQUIRE(testing::WaitFor([&] {
    for (auto& m : consumer->Poll(10'000, std::chrono::milliseconds(100))) {
      if (m.error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_end.insert(m.partition().value());
      } else if (!m.error()) {
        contents[m.partition().value()][m.offset().value()] = std::string(m.value());
      }
    }
    return static_cast<int>(at_end.size()) == partitions;
  }));
  REQUIRE(consumer->Close().ok());
  return contents;
}

std::string ReadBootstrap(const testing::TempDir& dir) {
  std::ifstream in(dir.path() / "bootstrap.servers");
  std::string line;
  std::getline(in, line);
  return line;
}

std::string Ndjson(const std::vector<events::Event>& events, size_t begin, size_t end) {
  std::string body;
  for (size_t i = begin; i < end; ++i) body += events::EncodeJsonEvent(events[i]) + "\n";
  return body;
}

TEST_CASE("restart: SIGKILLed `rapport up` restarts with every acknowledged event at its offset",
          "[reliability][restart]") {
  const auto started = Clock::now();
  testing::TempDir dir;
  const auto child_config = testing::WriteChildConfig(dir.path());
  const std::string topic = "rapport.interactions";
  const int partitions = 12;
  auto up = [&](const std::string& name) {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testing::kRapportBinary, "up", "--data-dir", dir.str(), "--listen", "127.0.0.1:0",
                                 "--config", child_config.string()},
        dir.path() / (name + ".log"));
  };

  auto history = testing::MergeFreeHistory(6'000);
  constexpr size_t kBatch = 500;
  const size_t first_part = history.size() / 3;

  auto first = up("up-1");
  const int port = first->WaitForHttpPort();
  INFO(first->output());
  REQUIRE(port > 0);
  // Watches the first broker until the kill: where each message was numbered.
  TopicContents before;
  std::atomic<bool> watching{true};
  std::thread watcher([&] {
    FromStart listener;
    auto consumer = SubscribeFromStart(ReadBootstrap(dir), topic, "watch-before", listener);
    if (!consumer) return;
    while (watching) {
      for (auto& m : consumer->Poll(10'000, std::chrono::milliseconds(50))) {
        if (!m.error()) before[m.partition().value()][m.offset().value()] = std::string(m.value());
      }
    }
    // The broker is gone: no clean close, just drop the handle.
    (void)consumer->Close();
  });
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);
  testing::UseAdminToken(client, dir.path());
  std::set<std::string> acknowledged;
  for (size_t begin = 0; begin < first_part; begin += kBatch) {
    const size_t end = std::min(first_part, begin + kBatch);
    auto response = client.Post("/v1/events", Ndjson(history, begin, end), "application/x-ndjson");
    REQUIRE(response);
    REQUIRE(response->status == 202);
    for (size_t i = begin; i < end; ++i) acknowledged.insert(history[i].event_id.str());
  }
  // Posting goes on from two clients while the process is killed.
  std::atomic<size_t> next{first_part};
  std::mutex acknowledged_mutex;
  auto post = [&] {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    testing::UseAdminToken(c, dir.path());
    for (;;) {
      const size_t begin = next.fetch_add(kBatch);
      if (begin >= history.size()) return;
      const size_t end = std::min(history.size(), begin + kBatch);
      auto response = c.Post("/v1/events", Ndjson(history, begin, end), "application/x-ndjson");
      if (!response) return;  // killed
      if (response->status != 202) continue;
      std::lock_guard lock(acknowledged_mutex);
      for (size_t i = begin; i < end; ++i) acknowledged.insert(history[i].event_id.str());
    }
  };
  std::thread poster_a(post), poster_b(post);
  REQUIRE(testing::WaitFor([&] { return next.load() >= first_part + (history.size() - first_part) / 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the watcher see the latest
  first->Kill(SIGKILL);
  watching = false;
  watcher.join();
  poster_a.join();
  poster_b.join();
  const size_t acknowledged_before_kill = acknowledged.size();

  auto second = up("up-2");
  const int port2 = second->WaitForHttpPort();
  INFO(second->output());
  REQUIRE(port2 > 0);
  const TopicContents after = ReadTopic(ReadBootstrap(dir), topic, partitions, "check-after");

  // Same offsets, same bytes, partition by partition, for every acknowledged event
  // the first broker held (one it held without a 202 may be gone: never promised).
  int64_t compared = 0, unacknowledged_moved = 0;
  for (const auto& [partition, messages] : before) {
    const auto it = after.find(partition);
    REQUIRE(it != after.end());
    for (const auto& [offset, value] : messages) {
      auto event = events::DecodeWire(value);
      REQUIRE(event.ok());
      auto found = it->second.find(offset);
      const bool same = found != it->second.end() && found->second == value;
      if (!acknowledged.contains(event->event_id.str())) {
        unacknowledged_moved += same ? 0 : 1;
        continue;
      }
      INFO("partition " << partition << " offset " << offset);
      REQUIRE(same);
      ++compared;
    }
  }
  // Every acknowledged event is there.
  std::set<std::string> present;
  int64_t fillers = 0;
  for (const auto& [partition, messages] : after) {
    for (const auto& [offset, value] : messages) {
      if (value.empty()) {
        ++fillers;
        continue;
      }
      auto event = events::DecodeWire(value);
      REQUIRE(event.ok());
      present.insert(event->event_id.str());
    }
  }
  int64_t missing = 0;
  for (const std::string& id : acknowledged) missing += present.contains(id) ? 0 : 1;
  CHECK(missing == 0);

  // The restarted projectors catch up; stopped cleanly, the view equals the fold.
  int64_t restored_total = 0;
  for (const auto& [partition, messages] : after) restored_total += static_cast<int64_t>(messages.size());
  httplib::Client client2("127.0.0.1", port2);
  testing::UseAdminToken(client2, dir.path());
  REQUIRE(testing::WaitFor([&] {
    auto ready = client2.Get("/readyz");
    return ready && ready->status == 200;
  }));
  {
    auto view = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kSecondary);
    REQUIRE(view.ok());
    REQUIRE(testing::WaitFor([&] {
      REQUIRE((*view)->CatchUp().ok());
      int64_t behind = 0;
      for (const auto& [partition, messages] : after) {
        auto stored = projections::ReadNextOffset(**view, {topic, Partition(partition)});
        REQUIRE(stored.ok());
        behind += messages.rbegin()->first + 1 - stored->value_or(Offset(0)).value();
      }
      return behind == 0;
    }));
  }
  CHECK(second->Kill(SIGTERM) == 0);
  auto journal = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadOnly);
  REQUIRE(journal.ok());
  auto store = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kReadOnly);
  REQUIRE(store.ok());
  auto rebuilt = testing::FoldJournal(**journal, dir.path() / "rebuild");
  const testing::ViewComparison comparison = testing::CheckSameViews(*rebuilt, **store);

  std::printf("restart: %zu events acknowledged before the SIGKILL (of %zu offered), %lld missing after the "
              "restart; %lld acknowledged offsets seen before the kill compared across %d partitions, all equal (%lld "
              "unacknowledged not back); %lld messages "
              "restored (%lld fillers); %lld customers equal to the fold, %lld differ; wall %.1f s\n",
              acknowledged_before_kill, history.size(), static_cast<long long>(missing),
              static_cast<long long>(compared), partitions, static_cast<long long>(unacknowledged_moved),
              static_cast<long long>(restored_total),
              static_cast<long long>(fillers), static_cast<long long>(comparison.customers),
              static_cast<long long>(comparison.mismatches), Seconds(started));
}

}  // namespace
}  // namespace rapport
