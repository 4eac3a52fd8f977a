// In-process fold rates with a real RocksDB store, no Kafka:
//   - each registered projection folding decoded events (checkpoint every 10,000),
//     over the subset (the history's first SUBSET events, a consistent cut in time);
//   - a rebuild from the event journal through the product's own path, `rapport
//     replay` (services/analyst/replay.h): the journal as a secondary, partitions merged in
//     event time, verify + decode on a reader thread, the projector's fold with the
//     output's dedupe keys in memory, checkpoints ingested as sorted SST files
//     (storage/bulk_ingest.h), the final ranking; every projection over the
//     subset, and the customer view over the whole history (the `rebuild_seconds`
//     target; `replay_*` are the same runs);
//   - the raw RocksDB WriteBatch rate for RAW events' worth of writes of the same
//     number and size (the storage limit a projection runs against; bench/run.sh
//     passes the Kafka window's size, so the limit covers the same work).
// Whole-history runs are single runs; subset folds and the raw rate are medians of
// bench::ExpensiveRepeats() / bench::Repeats() runs.
//   fold_bench [customers] [subset_events] [raw_events]

#include <unistd.h>

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include "bench/bench_util.h"
#include "events/wire_codec.h"
#include "projections/runtime/batch_applier.h"
#include "storage/journal.h"
#include "projections/runtime/projector.h"
#include "services/ingest/gateway.h"
#include "services/platform/projection_registry.h"
#include "services/analyst/replay.h"
#include "services/ingest/sample_data.h"
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

// CPU seconds of the whole process (every thread: RocksDB's flushes and compactions
// too): on a shared machine a steadier figure than the wall time.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// A full rebuild of NAME from <data_dir>/journal into `into`, the product's own
// path: `rapport replay NAME` (services/analyst/replay.h) with its defaults (the journal as
// a secondary, partitions merged in event time, verify + decode on a reader thread,
// the projector's fold with in-memory dedupe, checkpoints of 500,000 records
// ingested as sorted SST files, the final ranking).
struct Rebuilt {
  double read = 0;     // records read from the journal
  double applied = 0;  // events folded
  double seconds = 0;
  double cpu_seconds = 0;  // every thread of the process
};
Result<Rebuilt> Rebuild(const std::string& name, const std::filesystem::path& data_dir,
                        const std::filesystem::path& into) {
  services::ReplayRequest request;
  request.projection = name;
  request.data_dir = data_dir;
  request.into = into;
  const auto start = bench::Clock::now();
  const double cpu_start = CpuSeconds();
  auto summary = services::RunReplay(request);
  if (!summary.ok()) return summary.status();
  if (!summary->complete) return Status::Internal("replay of " + name + " stopped early");
  return Rebuilt{static_cast<double>(summary->read_this_run), static_cast<double>(summary->applied),
                 bench::SecondsSince(start), CpuSeconds() - cpu_start};
}

// BENCH_ONLY=fold,rebuild,raw runs only the named parts (default all);
// BENCH_PROJECTION=NAME only that projection's subset figures (for profiling).
bool Wanted(const char* part) {
  const char* only = std::getenv("BENCH_ONLY");
  if (only == nullptr || *only == '\0') return true;
  const std::string list = std::string(",") + only + ",";
  return list.find(std::string(",") + part + ",") != std::string::npos;
}

std::vector<std::string> SubsetProjections() {
  const char* only = std::getenv("BENCH_PROJECTION");
  if (only == nullptr || *only == '\0') return services::ProjectionNames();
  return {only};
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

  for (const std::string& name : Wanted("fold") ? SubsetProjections() : std::vector<std::string>{}) {
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

  // Rebuilds through `rapport replay` (one run each; the replay_* names are the
  // same runs, kept for results.json readers).
  for (const std::string& name : Wanted("rebuild") ? SubsetProjections() : std::vector<std::string>{}) {
    auto rebuilt = Rebuild(name, subset_dir, dir.path() / ("rebuild-subset-" + name));
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    bench::Result("rebuild_" + name + "_events_per_s", rebuilt->read / rebuilt->seconds, "events/s",
                  "rapport replay: journal scan, decode, dedupe, fold, ingested checkpoints, ranking; subset");
    bench::Result("replay_" + name + "_events_per_s", rebuilt->read / rebuilt->seconds, "events/s", "(the same run)");
  }
  const std::string headline = services::ProjectionNames().front();  // the customer view
  if (Wanted("rebuild")) {
    // What opening the journal as a secondary costs (the unflushed tail of its
    // write-ahead log replayed into memory), part of the rebuild below.
    const auto open_start = bench::Clock::now();
    {
      auto journal = projections::Journal::Open(full_dir / "journal", projections::OpenMode::kSecondary,
                                                dir.path() / "journal-secondary");
      if (!journal.ok()) return Fail(journal.status());
    }
    bench::Result("rebuild_journal_open_seconds", bench::SecondsSince(open_start), "s",
                  "of which opening the journal as a secondary (any unflushed log replayed; none after a clean close)");
    // The journal's pages on disk first, as for any journal written earlier: else
    // the kernel writes back its ~250 MB during the timed run.
    ::sync();
    auto rebuilt = Rebuild(headline, full_dir, dir.path() / "rebuild-full");
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    bench::Result("rebuild_seconds", rebuilt->seconds, "s",
                  "full rebuild of the customer view from the journal (rapport replay customer-view)");
    bench::Result("rebuild_events", rebuilt->read, "events", "records read from the journal");
    bench::Result("rebuild_applied_events", rebuilt->applied, "events", "of which folded (not duplicates)");
    bench::Result("rebuild_full_events_per_s", rebuilt->read / rebuilt->seconds, "events/s", "");
    bench::Result("rebuild_cpu_seconds", rebuilt->cpu_seconds, "s", "CPU time of every thread during the rebuild");
    bench::Result("replay_seconds", rebuilt->seconds, "s", "(the same run)");
    bench::Result("replay_events", rebuilt->read, "events", "");
    bench::Result("replay_full_events_per_s", rebuilt->read / rebuilt->seconds, "events/s", "");
  }

  // Raw storage limit: the same number of writes (one dedupe key and one state
  // value per event), the same sizes, no fold.
  std::vector<double> raw_rates;
  const std::string value(200, 'v');
  for (int round = 0; round < (Wanted("raw") ? bench::Repeats() : 0); ++round) {
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
  if (!raw_rates.empty()) bench::Result("rocksdb_raw_writes_per_s", bench::Median(raw_rates), "events/s",
                "WriteBatch of 2 puts per event, 10,000 events a batch");
  if (!raw_rates.empty()) bench::Result("rocksdb_raw_events", static_cast<double>(raw_size), "events", "events' worth of writes in each run");
  (void)n;
  return 0;
}
