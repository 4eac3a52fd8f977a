#pragma once
// The fold step of the projector runtime, shared by the live Projector and by
// replays: for a batch of records, verify and decode each one, skip duplicates (by
// customer and event id, within the batch and against the store's dedupe family),
// fold the rest with Projection::Apply, and decide which records are rejected (bad
// bytes, invalid values, a fold that fails). Checkpoint then writes the projection's
// changes, the de-duplication keys and the next offsets in ONE WriteBatch.
//
// What happens to rejected records is the caller's choice: the live projector sends
// them to the dead-letter topic before checkpointing, a replay records them in its
// own store. Single-threaded, like the projection it drives.
//
// A rebuild folds many batches into one FoldedBatch before it checkpoints, and
// ingests the checkpoint as sorted SST files (WriteMode::kIngest,
// storage/bulk_ingest.h): same contents, a fraction of the write cost.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/consumer.h"
#include "events/event.h"
#include "events/record.h"
#include "events/status.h"
#include "storage/dedupe_filter.h"
#include "storage/dedupe_keys.h"
#include "projections/runtime/projection.h"
#include "storage/store.h"

namespace rapport::projections {

// A record that cannot be processed: records[index] of the folded batch, and why.
struct RejectedRecord {
  size_t index = 0;
  Status reason;
};

// What Fold did with one batch; Checkpoint makes it durable.
struct FoldedBatch {
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t filtered = 0;  // decoded, but the applier's filter left them out
  std::vector<RejectedRecord> rejected;
  std::map<events::TopicPartition, Offset> next_offsets;  // one past the last record of each partition
  DedupeKeys dedupe_keys;                                  // of the applied events
};

// Which decoded events to fold; the others only advance the offsets (replays "as of").
using EventFilter = std::function<bool(const events::Event&)>;
// Whether a decoded event may be folded at all; an error rejects it like bad bytes
// (the live projector's event-time bound, events/event_time_bound.h).
using EventAdmission = std::function<Status(const events::Event&)>;

// How Checkpoint writes: a WriteBatch through the WAL and memtable (the live
// projector), or sorted SST files ingested atomically (rebuilds and replays).
enum class WriteMode { kWriteBatch, kIngest };

class BatchApplier {
 public:
  BatchApplier(Store& store, Projection& projection, EventFilter keep = {}, WriteMode mode = WriteMode::kWriteBatch)
      : store_(store), projection_(projection), keep_(std::move(keep)), mode_(mode) {}

  // Folds `records` in order. `decoded`, when given, holds DecodeWire of each record
  // (decoded elsewhere, e.g. on another thread); fillers may hold anything. An error
  // means the store could not be read: nothing of the batch may be checkpointed.
  Result<FoldedBatch> Fold(std::span<const events::Record> records,
                           std::span<Result<events::Event>> decoded = {});
  // The same, adding to `into` (folded since its last checkpoint): duplicates are
  // found across everything `into` holds. The indices of the rejected records added
  // are into `records`. On error `into` must not be checkpointed.
  Status FoldInto(FoldedBatch& into, std::span<const events::Record> records,
                  std::span<Result<events::Event>> decoded = {});

  // One WriteBatch: the projection's checkpoint, the dedupe keys, the next offsets,
  // and whatever `extra` adds (a replay's progress). Written without sync. On
  // success the projection is told Committed(); on failure its cache is dropped.
  Status Checkpoint(const FoldedBatch& folded, const std::function<void(rocksdb::WriteBatch&)>& extra = {});

  // For a store only this applier writes (a rebuild or replay output): loads the
  // store's dedupe keys into a DedupeFilter, after which Fold looks a key up (in the
  // batch, then in the store) only when the filter may hold it. Same results, ~2 M
  // fewer reads for a rebuild of 2 M events. Call before folding; not for the live
  // store (other instances may write it).
  Status UseDedupeFilter();

  // Rejects (with its reason) every decoded event `admit` refuses, before it is
  // de-duplicated or folded. Without one every valid event is admitted.
  void SetAdmission(EventAdmission admit) { admit_ = std::move(admit); }

 private:
  Store& store_;
  Projection& projection_;
  EventFilter keep_;
  WriteMode mode_;
  EventAdmission admit_;
  std::optional<DedupeFilter> filter_;
};

}  // namespace rapport::projections
