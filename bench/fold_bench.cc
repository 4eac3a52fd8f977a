// In-process fold rates with a real RocksDB store, no Kafka:
//   - each registered projection folding decoded events (checkpoint every 10,000),
//     over the subset (the history's first SUBSET events, a consistent cut in time);
//   - a rebuild from the event journal: scan, verify + decode, fold, write; every
//     projection over the subset, and the customer view over the whole history (the
//     `rebuild_seconds` target);
//   - the same rebuilds through `rapport replay` (services/replay.h): the journal as a
//     secondary, partitions merged in event time, decode on a reader thread, the
//     projector's own fold (dedupe reads, offsets, resumable checkpoints); every
//     projection over the subset, the customer view over the whole history;
//   - the raw RocksDB WriteBatch rate for RAW events' worth of writes of the same
//     number and size (the storage limit a projection runs against; bench/run.sh
//     passes the Kafka window's size, so the limit covers the same work).
// Whole-history runs are single runs; subset folds and the raw rate are medians of
// bench::ExpensiveRepeats() / bench::Repeats() runs.
//   fold_bench [customers] [subset_events] [raw_events]

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "bench/bench_util.h"
#include "events/wire_codec.h"
#include "projections/journal.h"
#include "projections/projector.h"
#include "services/gateway.h"
#include "services/projection_registry.h"
#include "services/replay.h"
#include "services/sample_data.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace rapport;
constexpr size_t kCheckpointEvery = 10'000;
constexpr int32_t kPartitions = 12;

// Folds events through a fresh projection into a fresh store, checkpointing like
// the projector does (state + dedupe keys in one batch). Returns seconds.
template <typename NextEvent>
Result<double> FoldInto(const std::string& name, const std::filesystem::path& dir, size_t count, NextEvent next) {
  auto store = projections::Store::Open(dir, projections::OpenMode::kReadWrite);
  if (!store.ok()) return store.status();
  auto projection = services::MakeProjection(name, **store, projections::DomainSettings{});
  if (!projection.ok()) return projection.status();
  auto start = bench::Clock::now();
  rocksdb::WriteBatch batch;
  for (size_t i = 0; i < count; ++i) {
    auto event = next(i);
    if (!event.ok()) return event.status();
    RAPPORT_RETURN_IF_ERROR((*projection)->Apply(*event, {Partition(0), Offset(static_cast<int64_t>(i))}));
    batch.Put((*store)->handle(projections::Family::kDedupe), projections::DedupeKey(*event), "");
    if ((i + 1) % kCheckpointEvery == 0 || i + 1 == count) {
      RAPPORT_RETURN_IF_ERROR((*projection)->Checkpoint(batch));
      RAPPORT_RETURN_IF_ERROR((*store)->Write(batch));
      (*projection)->Committed();
      batch.Clear();
    }
  }
  return bench::SecondsSince(start);
}

// The journal as the gateway writes it, 12 partitions by customer, under
// <data_dir>/journal (where `rapport replay` looks for it).
Status WriteJournal(std::span<const events::Event> history, const std::filesystem::path& data_dir) {
  auto journal = projections::Journal::Open(data_dir / "journal", projections::OpenMode::kReadWrite);
  if (!journal.ok()) return journal.status();
  std::vector<projections::JournalEntry> entries;
  std::vector<int64_t> next_offset(kPartitions, 0);
  for (const auto& event : history) {
    const auto partition = static_cast<int32_t>(std::hash<std::string>{}(event.customer_id.str()) % kPartitions);
    entries.push_back({Partition(partition), Offset(next_offset[partition]++), event.customer_id.str(),
                       events::EncodeWire(event), event.occurred_at_ms, "event"});
    if (entries.size() == kCheckpointEvery) {
      RAPPORT_RETURN_IF_ERROR((*journal)->Append(entries, false));
      entries.clear();
    }
  }
  return (*journal)->Append(entries, false);
}

// Scan + decode + fold + write from <data_dir>/journal. Returns {events, seconds}.
Result<std::pair<double, double>> Rebuild(const std::string& name, const std::filesystem::path& data_dir,
                                          const std::filesystem::path& into) {
  auto journal = projections::Journal::Open(data_dir / "journal", projections::OpenMode::kReadOnly);
  if (!journal.ok()) return journal.status();
  std::vector<projections::JournalEntry> entries;
  auto start = bench::Clock::now();
  RAPPORT_RETURN_IF_ERROR((*journal)->ScanAll([&](const projections::JournalEntry& entry) {
    entries.push_back(entry);
    return Status::Ok();
  }));
  auto folded = FoldInto(name, into, entries.size(), [&](size_t i) { return events::DecodeWire(entries[i].value); });
  if (!folded.ok()) return folded.status();
  return std::pair{static_cast<double>(entries.size()), bench::SecondsSince(start)};
}

Result<services::ReplaySummary> Replay(const std::string& name, const std::filesystem::path& data_dir,
                                       const std::filesystem::path& into) {
  services::ReplayRequest request;
  request.projection = name;
  request.data_dir = data_dir;
  request.into = into;
  return services::RunReplay(request);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "fold_bench: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : 20'000;
  auto generated = bench::Clock::now();
  const auto history = bench::SampleHistory(sample);
  std::printf("history of %zu events, %d customers ready in %.1f s\n", history.size(), sample.customers,
              bench::SecondsSince(generated));
  const size_t subset_size = std::min<size_t>(history.size(), argc > 2 && std::atoll(argv[2]) > 0 ? std::strtoull(argv[2], nullptr, 10) : history.size());
  const size_t raw_size = std::min<size_t>(history.size(), argc > 3 && std::atoll(argv[3]) > 0 ? std::strtoull(argv[3], nullptr, 10) : history.size());
  const std::span<const events::Event> subset(history.data(), subset_size);
  const double n = static_cast<double>(history.size());
  const double n_subset = static_cast<double>(subset_size);
  testing::TempDir dir;
  std::printf("subset: the first %zu events (up to %s); medians of %d run(s) for the folds, %d for raw RocksDB\n",
              subset_size, std::to_string(subset.back().occurred_at_ms).c_str(), bench::ExpensiveRepeats(),
              bench::Repeats());
  bench::Result("fold_subset_events", n_subset, "events", "events in the subset the per-projection figures use");

  for (const std::string& name : services::ProjectionNames()) {
    std::vector<double> rates;
    for (int round = 0; round < bench::ExpensiveRepeats(); ++round) {
      auto seconds = FoldInto(name, dir.path() / ("fold-" + name + std::to_string(round)), subset.size(),
                              [&](size_t i) -> Result<events::Event> { return subset[i]; });
      if (!seconds.ok()) return Fail(seconds.status());
      rates.push_back(n_subset / *seconds);
    }
    bench::Result("fold_" + name + "_events_per_s", bench::Median(rates), "events/s",
                  "apply + checkpoint, in process, subset");
  }

  const auto full_dir = dir.path() / "full";
  const auto subset_dir = dir.path() / "subset";
  if (Status s = WriteJournal(history, full_dir); !s.ok()) return Fail(s);
  if (Status s = WriteJournal(subset, subset_dir); !s.ok()) return Fail(s);

  for (const std::string& name : services::ProjectionNames()) {
    auto rebuilt = Rebuild(name, subset_dir, dir.path() / ("rebuild-subset-" + name));
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    bench::Result("rebuild_" + name + "_events_per_s", rebuilt->first / rebuilt->second, "events/s",
                  "journal scan + decode + fold + write, subset");
  }
  const std::string headline = services::ProjectionNames().front();  // the customer view
  {
    auto rebuilt = Rebuild(headline, full_dir, dir.path() / "rebuild-full");
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    bench::Result("rebuild_seconds", rebuilt->second, "s", "full rebuild of the customer view from the journal");
    bench::Result("rebuild_events", rebuilt->first, "events", "");
    bench::Result("rebuild_full_events_per_s", rebuilt->first / rebuilt->second, "events/s", "");
  }

  // The analysts' replay path, end to end (what `rapport replay NAME` does).
  for (const std::string& name : services::ProjectionNames()) {
    auto summary = Replay(name, subset_dir, dir.path() / ("replay-subset-" + name));
    if (!summary.ok()) return Fail(summary.status());
    bench::Result("replay_" + name + "_events_per_s",
                  static_cast<double>(summary->read_this_run) / summary->seconds_this_run, "events/s",
                  "rapport replay: secondary journal, merged partitions, dedupe, checkpoints, ranking; subset");
  }
  {
    auto summary = Replay(headline, full_dir, dir.path() / "replay-full");
    if (!summary.ok()) return Fail(summary.status());
    bench::Result("replay_seconds", summary->seconds_this_run, "s", "rapport replay customer-view, whole history");
    bench::Result("replay_events", static_cast<double>(summary->read_this_run), "events", "");
    bench::Result("replay_full_events_per_s", static_cast<double>(summary->read_this_run) / summary->seconds_this_run,
                  "events/s", "");
  }

  // Raw storage limit: the same number of writes (one dedupe key and one state
  // value per event), the same sizes, no fold.
  std::vector<double> raw_rates;
  const std::string value(200, 'v');
  for (int round = 0; round < bench::Repeats(); ++round) {
    auto store = projections::Store::Open(dir.path() / ("raw" + std::to_string(round)), projections::OpenMode::kReadWrite);
    if (!store.ok()) return Fail(store.status());
    rocksdb::WriteBatch batch;
    auto start = bench::Clock::now();
    for (size_t i = 0; i < raw_size; ++i) {
      batch.Put((*store)->handle(projections::Family::kState), history[i].customer_id.str(), value);
      batch.Put((*store)->handle(projections::Family::kDedupe), projections::DedupeKey(history[i]), "");
      if ((i + 1) % kCheckpointEvery == 0 || i + 1 == raw_size) {
        if (Status s = (*store)->Write(batch); !s.ok()) return Fail(s);
        batch.Clear();
      }
    }
    raw_rates.push_back(static_cast<double>(raw_size) / bench::SecondsSince(start));
  }
  bench::Result("rocksdb_raw_writes_per_s", bench::Median(raw_rates), "events/s",
                "WriteBatch of 2 puts per event, 10,000 events a batch");
  bench::Result("rocksdb_raw_events", static_cast<double>(raw_size), "events", "events' worth of writes in each run");
  (void)n;
  return 0;
}
