#pragma once
// Shared pieces of the reliability tests: the broker and gateway they start from, a
// history without cross-customer events, the stored offsets versus the journal's end,
// a config file for child processes.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "events/event.h"
#include "storage/journal.h"
#include "storage/offsets.h"
#include "storage/store.h"
#include "services/ingest/sample_data.h"
#include "services/platform/platform.h"
#include "tests/support/embedded_platform.h"
#include "tests/support/temp_dir.h"

namespace rapport::testing {

// What the crash, retention and scale-out tests start from: the broker, the gateway's
// publish path and the journal in this process, no projections (each test runs its
// projectors itself, in children it can SIGKILL or stopped on purpose). A fixture for
// TEST_CASE_METHOD, so the test reads its members like locals; `started` is when the
// test began, for its wall-time report.
struct BrokerAndGateway {
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  TempDir dir;
  services::Config config = TestConfig(dir);
  std::unique_ptr<services::Platform> platform = Start(config);
  services::Platform& p = *platform;
  const std::string topic = config.kafka.topics.interactions;
  const int partitions = config.kafka.partitions;

 private:
  static std::unique_ptr<services::Platform> Start(const services::Config& config) {
    auto started = services::Platform::Start(config, services::Roles{.embedded_broker = true, .gateway = true});
    if (!started.ok()) FAIL("broker and gateway did not start: " << started.status().ToString());
    return std::move(started).value();
  }
};

// The sample population without merges: a merge moves state between customers,
// whose partitions interleave in no fixed order, so only merge-free histories
// fold to one answer whatever the interleaving.
inline std::vector<events::Event> MergeFreeHistory(int customers, uint64_t seed = 7) {
  services::SampleOptions options;
  options.customers = customers;
  options.seed = seed;
  auto history = services::GenerateSampleHistory(options);
  std::erase_if(history, [](const events::Event& e) { return std::holds_alternative<events::CustomersMerged>(e.payload); });
  return history;
}

// Partitions whose stored next offset is below the journal's end.
inline int PartitionsBehind(const projections::Store& store, const projections::Journal& journal,
                            const std::string& topic, int partitions, int64_t* behind = nullptr) {
  int count = 0;
  if (behind) *behind = 0;
  for (int p = 0; p < partitions; ++p) {
    auto end = journal.EndOffset(Partition(p));
    auto next = projections::ReadNextOffset(store, {topic, Partition(p)});
    if (!end.ok() || !next.ok()) return partitions;
    const int64_t at = next->value_or(Offset(0)).value();
    if (at < end->value()) {
      ++count;
      if (behind) *behind += end->value() - at;
    }
  }
  return count;
}

// The sum of the stored next offsets of `topic`: grows with every checkpoint.
inline int64_t StoredProgress(const projections::Store& store, const std::string& topic) {
  auto offsets = projections::ReadAllOffsets(store);
  if (!offsets.ok()) return -1;
  int64_t sum = 0;
  for (const auto& po : *offsets) sum += po.tp.topic == topic ? po.next_offset.value() : 0;
  return sum;
}

// A config file for `rapport` children: short session timeouts, so a SIGKILLed
// member leaves the group in seconds, not the production default. Not below 4 s:
// the embedded broker holds a new group's first JoinGroup for 3 s and meanwhile
// expires members by the session timeout, so a shorter one never joins.
inline std::filesystem::path WriteChildConfig(const std::filesystem::path& dir, const std::string& extra = "") {
  const auto path = dir / "child.yaml";
  std::ofstream out(path);
  out << "kafka:\n"
         "  session_timeout_ms: 4000\n"
      << extra;
  return path;
}

}  // namespace rapport::testing
