#pragma once
// The offline peer of the Projector (projections/runtime/projector.h): rebuilds one
// projection's store from the event journal instead of from Kafka, never touching
// the live stores. The journal is opened as a RocksDB secondary, so a live platform
// keeps writing while a rebuild reads; its partitions are read merged in event-time
// order (storage/journal_merge.h). The fold is the live runtime's own
// (projections/runtime/batch_applier.h) on three threads: journal scan, decode, fold
// (projections/runtime/rebuild_pipeline.h, rebuild_fold.h). Rejected records are
// kept in the output store (projections/runtime/rebuild_output.h).
//
// Cuts: "as known at" keeps events with recorded_at <= T (events with no
// recorded_at, published straight to Kafka, count as known when they occurred);
// "as happened by" keeps events with occurred_at <= T; "to offsets" reads only
// offsets below the given ones, of the given partitions only.
//
// Resumable: the next offset of every partition, the counters and the dead letters
// travel in the same write as the state they produced, and the end of every
// partition is fixed at the first start, so a rebuild stopped at any point (stop
// flag, SIGKILL) and run again ends equal to one run.
//
// Lifecycle: Open (the output, and where an earlier run stopped) -> Start (the
// journal and the ends) -> Run (the fold). The caller makes the projection, on
// store(), between Start and Run. One thread calls every method.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/status.h"
#include "events/strong_types.h"
#include "projections/runtime/projection.h"
#include "projections/runtime/rebuild_output.h"
#include "storage/journal.h"
#include "storage/journal_merge.h"
#include "storage/store.h"
#include "storage/store_memory.h"

namespace rapport::projections {

struct RebuildCut {
  std::optional<int64_t> known_at_ms;     // keep recorded_at <= T
  std::optional<int64_t> happened_by_ms;  // keep occurred_at <= T
  std::optional<std::map<Partition, Offset>> to_offsets;  // read offsets < O of these partitions only
};

struct RebuildOptions {
  std::filesystem::path store_dir;      // the output store: created, or continued
  std::filesystem::path journal_dir;    // the event journal to read
  std::filesystem::path secondary_dir;  // the journal secondary's own files; removed on close
  std::string topic;                    // the journal's topic: the output's offsets are keyed by it
  RebuildCut cut;
  size_t batch_events = 20'000;  // records per checkpoint (per fold, with bulk_ingest)
  // Checkpoints as sorted SST files ingested into the output (storage/bulk_ingest.h),
  // every `ingest_events` records: the same store at a fraction of the cost. The
  // fold's memory grows with ingest_events (the dedupe keys and changed states).
  bool bulk_ingest = true;
  size_t ingest_events = 500'000;
  // Nothing else writes the output: its states can stay in memory from one
  // checkpoint to the next, up to this bound (storage.replay_state_cache_entries).
  size_t state_cache_entries = static_cast<size_t>(StorageSettings{}.replay_state_cache_entries);
};

struct RebuildProgress {
  int64_t done = 0;   // offsets read so far, over every run of this rebuild
  int64_t total = 0;  // offsets to read in all
  int64_t read_this_run = 0;
  double seconds_this_run = 0;
};

struct RebuildControl {
  const std::atomic<bool>* stop = nullptr;  // set: finish the current batch and return
  std::function<void(const RebuildProgress&)> on_progress;  // after every batch folded
};

// What one Run did.
struct RebuildRun {
  bool complete = false;  // false: stopped; Open, Start and Run again to continue
  int64_t read_this_run = 0;
  double seconds_this_run = 0;
};

class Rebuilder {
 public:
  // Opens (creating it if need be) the output store and reads what earlier runs left.
  static Result<std::unique_ptr<Rebuilder>> Open(RebuildOptions options);
  ~Rebuilder();

  Store& store() { return *store_; }
  const Store& store() const { return *store_; }
  // The arguments the output was started with (Start's); nullopt for a new output.
  const std::optional<nlohmann::json>& arguments() const { return arguments_; }
  // The output holds meta keys but no rebuild's arguments: a store no rebuild made.
  bool foreign() const { return foreign_; }
  bool complete() const { return complete_; }
  const RebuildCounters& counters() const { return counters_; }

  // Opens the journal and fixes the end of every partition: at the first start from
  // the journal and the cut (stored with `arguments`), later the stored ones. Errors
  // name "to-offsets" for offsets past the journal's end.
  Status Start(const nlohmann::json& arguments);
  // Folds what is left into `projection` (made on store()), checkpointing as it
  // goes; at the end Finish()es it and marks the output complete.
  Result<RebuildRun> Run(Projection& projection, const RebuildControl& control = {});

 private:
  explicit Rebuilder(RebuildOptions options) : options_(std::move(options)) {}
  Status ReadEarlierRuns();
  Result<nlohmann::json> EndsFromJournal() const;
  Result<std::map<Partition, OffsetRange>> RemainingRanges() const;

  RebuildOptions options_;
  std::unique_ptr<Store> store_;
  std::optional<nlohmann::json> arguments_;
  bool foreign_ = false;
  bool complete_ = false;
  RebuildCounters counters_;
  std::unique_ptr<Journal> journal_;
  nlohmann::json ends_ = nlohmann::json::object();  // partition (text) -> end offset
  int64_t total_ = 0;                               // offsets to read in all
};

}  // namespace rapport::projections
