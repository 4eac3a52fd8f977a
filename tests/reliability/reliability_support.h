#pragma once
// Shared pieces of the reliability tests: a history without cross-customer events,
// the stored offsets versus the journal's end, a config file for child processes.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "events/event.h"
#include "storage/journal.h"
#include "storage/offsets.h"
#include "storage/store.h"
#include "services/ingest/sample_data.h"

namespace rapport::testing {

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
