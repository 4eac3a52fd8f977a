// In-process fold rates with a real RocksDB store, no Kafka:
//   - each registered projection folding decoded events (checkpoint every 10,000);
//   - a full rebuild from the event journal: scan, verify + decode, dedupe, fold,
//     checkpoints ingested as sorted SST files (projections/bulk_ingest.h);
//   - the same rebuild through `rapport replay` (services/replay.h): the journal as a
//     secondary, partitions merged in event time, decode on a reader thread, the
//     projector's own fold (dedupe reads, offsets, resumable checkpoints);
//   - the raw RocksDB WriteBatch rate for the same number and size of writes (the
//     storage limit a projection runs against).
//   fold_bench [customers]

#include <time.h>

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "bench/bench_util.h"
#include "events/wire_codec.h"
#include "projections/batch_applier.h"
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

// A full rebuild from the journal, as one thread does it: scan partition by
// partition, verify + decode, dedupe, fold (projections/batch_applier.h) in batches
// of 20,000; with kIngest, checkpoints of 500,000 records ingested as sorted SST
// files, else a WriteBatch per batch; then the projection's final work (rankings).
Result<int64_t> Rebuild(const std::string& name, const projections::Journal& journal, const std::filesystem::path& dir,
                        projections::WriteMode mode) {
  constexpr size_t kFoldBatch = 20'000;
  const size_t checkpoint_every = mode == projections::WriteMode::kIngest ? 500'000 : kFoldBatch;
  auto store = projections::Store::Open(dir, projections::OpenMode::kReadWrite);
  if (!store.ok()) return store.status();
  auto projection = services::MakeProjection(name, **store, projections::DomainSettings{});
  if (!projection.ok()) return projection.status();
  projections::BatchApplier applier(**store, **projection, {}, mode);
  const std::string topic = "rapport.interactions";
  std::vector<projections::JournalEntry> entries;
  std::vector<events::Record> records;
  projections::FoldedBatch pending;
  size_t pending_records = 0;
  int64_t applied = 0;
  auto fold = [&]() -> Status {
    records.clear();
    for (const auto& e : entries) {
      records.push_back({topic, e.partition, e.offset, e.key, e.value, e.timestamp_ms, e.value.empty()});
    }
    RAPPORT_RETURN_IF_ERROR(applier.FoldInto(pending, records));
    pending_records += records.size();
    entries.clear();
    if (pending_records < checkpoint_every) return Status::Ok();
    applied += pending.applied;
    RAPPORT_RETURN_IF_ERROR(applier.Checkpoint(pending));
    pending = {};
    pending_records = 0;
    return Status::Ok();
  };
  RAPPORT_RETURN_IF_ERROR(journal.ScanAll([&](const projections::JournalEntry& entry) -> Status {
    entries.push_back(entry);
    return entries.size() == kFoldBatch ? fold() : Status::Ok();
  }));
  RAPPORT_RETURN_IF_ERROR(fold());
  if (pending_records > 0) {
    applied += pending.applied;
    RAPPORT_RETURN_IF_ERROR(applier.Checkpoint(pending));
  }
  RAPPORT_RETURN_IF_ERROR((*projection)->Finish());
  return applied;
}

// CPU seconds of the whole process (every thread: RocksDB's flushes and compactions
// too): on a shared machine a steadier figure than the wall time.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// BENCH_ONLY=fold,rebuild,replay,raw runs only those parts (all by default);
// BENCH_PROJECTION=NAME only that projection. For profiling one part.
bool Wanted(const std::string& part) {
  const char* only = std::getenv("BENCH_ONLY");
  return only == nullptr || ("," + std::string(only) + ",").find("," + part + ",") != std::string::npos;
}
std::vector<std::string> Projections() {
  const char* only = std::getenv("BENCH_PROJECTION");
  if (only == nullptr) return services::ProjectionNames();
  return {only};
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : 20'000;
  const auto history = services::GenerateSampleHistory(sample);
  const double n = static_cast<double>(history.size());
  testing::TempDir dir;
  std::printf("fold over %zu events, %d customers\n", history.size(), sample.customers);

  for (const std::string& name : Wanted("fold") ? Projections() : std::vector<std::string>{}) {
    std::vector<double> rates;
    for (int round = 0; round < bench::Repeats(); ++round) {
      auto seconds = FoldInto(name, dir.path() / ("fold-" + name + std::to_string(round)), history.size(),
                              [&](size_t i) -> Result<events::Event> { return history[i]; });
      if (!seconds.ok()) return std::fprintf(stderr, "%s\n", seconds.status().ToString().c_str()), 1;
      rates.push_back(n / *seconds);
    }
    bench::Result("fold_" + name + "_events_per_s", bench::Median(rates), "events/s", "apply + checkpoint, in process");
  }

  // The journal as the gateway writes it, 12 partitions by customer.
  auto journal = projections::Journal::Open(dir.path() / "journal", projections::OpenMode::kReadWrite);
  if (!journal.ok()) return 1;
  {
    std::vector<projections::JournalEntry> entries;
    std::vector<int64_t> next_offset(12, 0);
    for (const auto& event : history) {
      const auto partition = static_cast<int32_t>(std::hash<std::string>{}(event.customer_id.str()) % 12);
      entries.push_back({Partition(partition), Offset(next_offset[partition]++), event.customer_id.str(),
                         events::EncodeWire(event), event.occurred_at_ms, "event"});
      if (entries.size() == kCheckpointEvery) {
        if (!(*journal)->Append(entries, false).ok()) return 1;
        entries.clear();
      }
    }
    if (!(*journal)->Append(entries, false).ok()) return 1;
  }
  for (const std::string& name : Wanted("rebuild") ? Projections() : std::vector<std::string>{}) {
    auto start = bench::Clock::now();
    double cpu_start = CpuSeconds();
    auto rebuilt = Rebuild(name, **journal, dir.path() / ("rebuild-" + name), projections::WriteMode::kIngest);
    if (!rebuilt.ok()) return std::fprintf(stderr, "%s\n", rebuilt.status().ToString().c_str()), 1;
    const double total = bench::SecondsSince(start);
    const double cpu = CpuSeconds() - cpu_start;
    bench::Result("rebuild_" + name + "_events_per_s", n / total, "events/s",
                  "journal scan + decode + dedupe + fold + ingest");
    if (name == services::ProjectionNames().front()) {
      bench::Result("rebuild_seconds", total, "s", "full rebuild of the customer view from the journal");
      bench::Result("rebuild_events", n, "events", "");
      bench::Result("rebuild_cpu_seconds", cpu, "s", "CPU time of every thread during the rebuild");
      if (std::getenv("BENCH_REBUILD_WRITEBATCH") != nullptr) {
        // The same rebuild checkpointing WriteBatches every 20,000 events: what bulk ingest saves.
        start = bench::Clock::now();
        cpu_start = CpuSeconds();
        rebuilt = Rebuild(name, **journal, dir.path() / ("rebuild-wb-" + name), projections::WriteMode::kWriteBatch);
        if (!rebuilt.ok()) return std::fprintf(stderr, "%s\n", rebuilt.status().ToString().c_str()), 1;
        bench::Result("rebuild_writebatch_seconds", bench::SecondsSince(start), "s",
                      "the same, WriteBatch checkpoints every 20,000 events");
        bench::Result("rebuild_writebatch_cpu_seconds", CpuSeconds() - cpu_start, "s", "");
      }
    }
  }

  // The analysts' replay path, end to end (what `rapport replay NAME` does).
  for (const std::string& name : Wanted("replay") ? Projections() : std::vector<std::string>{}) {
    services::ReplayRequest request;
    request.projection = name;
    request.data_dir = dir.path();
    request.into = dir.path() / ("replay-" + name);
    double cpu_start = CpuSeconds();
    auto summary = services::RunReplay(request);
    if (!summary.ok()) return std::fprintf(stderr, "%s\n", summary.status().ToString().c_str()), 1;
    bench::Result("replay_" + name + "_cpu_seconds", CpuSeconds() - cpu_start, "s", "CPU time of every thread");
    bench::Result("replay_" + name + "_events_per_s",
                  static_cast<double>(summary->read_this_run) / summary->seconds_this_run, "events/s",
                  "rapport replay: secondary journal, merged partitions, dedupe, ingested checkpoints, ranking");
    if (std::getenv("BENCH_REPLAY_WRITEBATCH") != nullptr) {
      request.bulk_ingest = false;  // WriteBatch checkpoints every 20,000 records, as before bulk ingest
      request.into = dir.path() / ("replay-wb-" + name);
      cpu_start = CpuSeconds();
      summary = services::RunReplay(request);
      if (!summary.ok()) return std::fprintf(stderr, "%s\n", summary.status().ToString().c_str()), 1;
      bench::Result("replay_" + name + "_writebatch_cpu_seconds", CpuSeconds() - cpu_start, "s", "");
      bench::Result("replay_" + name + "_writebatch_events_per_s",
                    static_cast<double>(summary->read_this_run) / summary->seconds_this_run, "events/s",
                    "the same, WriteBatch checkpoints");
    }
  }

  // Raw storage limit: the same number of writes (one dedupe key and one state
  // value per event), the same sizes, no fold.
  std::vector<double> raw_rates;
  const std::string value(200, 'v');
  for (int round = 0; round < (Wanted("raw") ? bench::Repeats() : 0); ++round) {
    auto store = projections::Store::Open(dir.path() / ("raw" + std::to_string(round)), projections::OpenMode::kReadWrite);
    if (!store.ok()) return 1;
    rocksdb::WriteBatch batch;
    auto start = bench::Clock::now();
    for (size_t i = 0; i < history.size(); ++i) {
      batch.Put((*store)->handle(projections::Family::kState), history[i].customer_id.str(), value);
      batch.Put((*store)->handle(projections::Family::kDedupe), projections::DedupeKey(history[i]), "");
      if ((i + 1) % kCheckpointEvery == 0 || i + 1 == history.size()) {
        if (!(*store)->Write(batch).ok()) return 1;
        batch.Clear();
      }
    }
    raw_rates.push_back(n / bench::SecondsSince(start));
  }
  if (!raw_rates.empty()) bench::Result("rocksdb_raw_writes_per_s", bench::Median(raw_rates), "events/s",
                "WriteBatch of 2 puts per event, 10,000 events a batch");
  return 0;
}
