// A rebuild (`rapport replay`, services/analyst/replay.h: dedupe keys in memory through a
// projections::DedupeFilter, checkpoints ingested as SST files) equals the live
// projector's fold of the same journal, duplicates included: every family byte for
// byte per key, each duplicate folded once. The reference is the live runtime's own
// fold (BatchApplier without a filter, a WriteBatch per batch, the store read for
// every dedupe key), over the records in the order a replay reads them.

#include <map>

#include <catch2/catch.hpp>

#include "projections/runtime/batch_applier.h"
#include "storage/journal.h"
#include "storage/journal_merge.h"
#include "services/platform/projection_registry.h"
#include "services/analyst/replay.h"
#include "services/ingest/sample_data.h"
#include "tests/support/journal_entries.h"
#include "tests/support/store_contents.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

using projections::Store;
using testing::RequireSameStores;

constexpr int kPartitions = 4;
constexpr size_t kCheckpointEvery = 1000;
// The replay's own bookkeeping in its meta family, which the live fold has not.
constexpr std::string_view kReplayMeta = "replay/";

struct Journaled {
  int64_t records = 0;
  int64_t duplicates = 0;
};

// The sample population journaled 4 partitions by customer, with retried publishes:
// every 97th event again right after itself (a duplicate inside one checkpoint),
// every 89th again at the end of its partition (read thousands of records later,
// after the original's checkpoint: only the store knows it then).
Journaled WriteJournal(const std::filesystem::path& data_dir) {
  services::SampleOptions sample;
  sample.customers = 300;
  const auto history = services::GenerateSampleHistory(sample);
  testing::GatewayEntries make(kPartitions);
  std::vector<projections::JournalEntry> entries;
  Journaled out;
  std::vector<const events::Event*> late;
  for (size_t i = 0; i < history.size(); ++i) {
    entries.push_back(make.Next(history[i]));
    if (i % 97 == 5) {
      entries.push_back(make.Next(history[i]));
      ++out.duplicates;
    }
    if (i % 89 == 3) late.push_back(&history[i]);
  }
  for (const events::Event* e : late) entries.push_back(make.Next(*e));
  out.duplicates += static_cast<int64_t>(late.size());
  out.records = static_cast<int64_t>(entries.size());
  testing::WriteNewJournal(data_dir, entries);
  return out;
}

// What the live projector does with the same records: Fold a batch (store read for
// every dedupe key), Checkpoint it in a WriteBatch; then the projection's final work.
struct Folded {
  int64_t applied = 0;
  int64_t duplicates = 0;
};
Folded FoldLikeTheLiveProjector(const std::filesystem::path& data_dir, const std::string& name,
                                const std::filesystem::path& into) {
  auto journal = projections::Journal::Open(data_dir / "journal", projections::OpenMode::kReadOnly);
  REQUIRE(journal.ok());
  std::map<Partition, projections::OffsetRange> ranges;
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto end = (*journal)->EndOffset(Partition(p));
    REQUIRE(end.ok());
    ranges[Partition(p)] = {Offset(0), *end};
  }
  auto store = Store::Open(into, projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  services::ProjectionDeps deps;
  deps.partitions = kPartitions;
  projections::DomainSettings settings;
  settings.value.ranking_time_share = 1.0;
  auto projection = services::MakeProjection(name, **store, settings, deps);
  REQUIRE(projection.ok());
  projections::BatchApplier applier(**store, **projection);
  projections::JournalMerge merge(**journal, ranges);
  Folded out;
  for (;;) {
    std::vector<projections::JournalEntry> entries;
    auto more = merge.Next(kCheckpointEvery, entries);
    REQUIRE(more.ok());
    if (!*more) break;
    std::vector<events::Record> records;
    for (const auto& e : entries) {
      records.push_back({"rapport.interactions", e.partition, e.offset, e.key, e.value, e.timestamp_ms, false});
    }
    auto folded = applier.Fold(records);
    REQUIRE(folded.ok());
    REQUIRE(folded->rejected.empty());
    out.applied += folded->applied;
    out.duplicates += folded->duplicates;
    REQUIRE(applier.Checkpoint(*folded).ok());
  }
  REQUIRE((*projection)->Finish().ok());
  return out;
}

// The same checkpoint boundaries as the reference (the satisfaction fold reads the
// tier ranking rebuilt at checkpoints), folded in batches of 250 between them.
services::ReplayRequest Request(const std::filesystem::path& data_dir, const std::string& projection,
                                const std::filesystem::path& into) {
  services::ReplayRequest request;
  request.projection = projection;
  request.data_dir = data_dir;
  request.into = into;
  request.batch_events = 250;
  request.ingest_events = kCheckpointEvery;
  request.config.kafka.partitions = kPartitions;
  request.config.domain.value.ranking_time_share = 1.0;
  return request;
}

TEST_CASE("a rebuild with in-memory dedupe equals the live fold of the same journal, duplicates included",
          "[integration][replay][rebuild]") {
  testing::TempDir dir;
  const Journaled journaled = WriteJournal(dir.path());
  REQUIRE(journaled.duplicates > 40);
  for (const std::string& name : services::ProjectionNames()) {
    DYNAMIC_SECTION(name) {
      const Folded live = FoldLikeTheLiveProjector(dir.path(), name, dir.path() / ("live-" + name));
      CHECK(live.duplicates == journaled.duplicates);
      auto rebuilt = services::RunReplay(Request(dir.path(), name, dir.path() / "rebuilt"));
      REQUIRE(rebuilt.ok());
      REQUIRE(rebuilt->complete);
      CHECK(rebuilt->read == journaled.records);
      CHECK(rebuilt->duplicates == journaled.duplicates);
      CHECK(rebuilt->applied == live.applied);
      CHECK(rebuilt->applied == journaled.records - journaled.duplicates);
      RequireSameStores(dir.path() / ("live-" + name), rebuilt->store_dir, kReplayMeta);
    }
  }
}

TEST_CASE("a rebuild resumed after a stop still folds each retried event once", "[integration][replay][rebuild]") {
  testing::TempDir dir;
  const Journaled journaled = WriteJournal(dir.path());
  FoldLikeTheLiveProjector(dir.path(), "customer-view", dir.path() / "live");

  // Stopped mid-way: the late retries come after the stop, so the resumed run finds
  // their originals only in the store (its filter is loaded from the output).
  std::atomic<bool> stop{false};
  services::ReplayControl control;
  control.stop = &stop;
  control.on_progress = [&](const services::ReplayProgress& progress) {
    if (progress.done >= progress.total / 2) stop = true;
  };
  auto first = services::RunReplay(Request(dir.path(), "customer-view", dir.path() / "two"), control);
  REQUIRE(first.ok());
  REQUIRE_FALSE(first->complete);
  auto second = services::RunReplay(Request(dir.path(), "customer-view", dir.path() / "two"));
  REQUIRE(second.ok());
  REQUIRE(second->complete);
  CHECK(second->resumed);
  CHECK(second->duplicates == journaled.duplicates);
  CHECK(second->applied == journaled.records - journaled.duplicates);
  RequireSameStores(dir.path() / "live", second->store_dir, kReplayMeta);
}

}  // namespace
}  // namespace rapport
