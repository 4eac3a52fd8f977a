#pragma once
// A projection as the projector runtime sees it. The runtime (projections/runtime/projector.h)
// consumes a batch, calls Apply for each decoded event in partition order, then
// Checkpoint, and writes the batch together with the next offsets in one RocksDB
// WriteBatch. Projections keep changed state in memory between checkpoints (a
// write-back cache), so throughput is not one read-modify-write per event.
//
// Threading: one runtime thread calls every method; no locking needed inside.
// Determinism: Apply must depend only on the stored state and the event (event
// time, never the wall clock), so a replay gives the same answers.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <rocksdb/write_batch.h>

#include "events/event.h"
#include "events/status.h"
#include "events/strong_types.h"

namespace rapport::projections {

// Where an event came from, for projections that keep per-partition progress.
struct EventSource {
  Partition partition;
  Offset offset;
};

class Projection {
 public:
  virtual ~Projection() = default;

  // Stable name: consumer group suffix and store folder ("customer-view").
  virtual std::string_view name() const = 0;

  // Folds one event. An error means this event cannot be folded: the runtime sends
  // it to the dead-letter topic with the reason and moves on; the projection must
  // leave its state as it was before the call.
  virtual Status Apply(const events::Event& event, const EventSource& source) = 0;

  // Adds every change since the last checkpoint to `batch`. After a successful
  // write of the batch the runtime calls Committed(); after a failed one DropCache().
  virtual Status Checkpoint(rocksdb::WriteBatch& batch) = 0;
  virtual void Committed() {}

  // Forgets in-memory state so that the next read comes from the store (after a
  // failed write, or when partitions are revoked and may move to another instance).
  virtual void DropCache() = 0;

  // The most clean states each of the projection's state caches keeps after a
  // checkpoint (projections/runtime/state_cache.h; storage.state_cache_entries unless set).
  // A replay raises it so that no checkpoint throws its states away. Default: a
  // projection without a state cache ignores it.
  virtual void SetStateCacheLimit(size_t /*max_entries*/) {}

  // The last poll brought nothing: the projection has caught up with its
  // partitions. Work deferred while catching up (rankings) may run here; nothing is
  // pending, so the projection writes its own batch. An error stops the runtime.
  virtual Status Idle() { return Status::Ok(); }

  // Everything there is to fold has been folded (the end of a replay): finish the
  // deferred work now, as of the projection's own event time, so the result does not
  // depend on when wall-clock budgets let it run. Default: the idle work.
  virtual Status Finish() { return Idle(); }
};

}  // namespace rapport::projections
