#pragma once
// The ranking a projection keeps of its own customers (customer view, satisfaction,
// loyalty): the event-time watermark, the RankingSchedule that says when to rebuild,
// and the ValueSnapshot's write, in the store's meta family under the keys of
// projections/runtime/projection_meta.h ("<projection>/watermark", "<projection>/value-snapshot").
//
// Lifecycle, driven by the owning projection from the runtime's calls: Start() once
// (reads the watermark, rebuilds and writes at once), Advance() per applied event,
// Checkpoint() into each batch (a due rebuild and the watermark), then Committed() or
// Dropped(); Idle() and Refresh() rebuild outside a batch and write the snapshot alone.
// Single-threaded, owned by one projection; `rank` usually reads that projection's
// cache, so the projection must not be copied or moved once it owns one.

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"
#include "projections/domain/value_settings.h"
#include "projections/domain/value_snapshot.h"
#include "projections/runtime/ranking_schedule.h"
#include "storage/store.h"

namespace rapport::projections {

class ProjectionRanking {
 public:
  // Ranks every customer the projection knows as of `as_of_ms` (RankStates of
  // projection_meta.h: its cached, newest states first, then the rest of the store).
  using Rank = std::function<Result<ValueSnapshot>(int64_t as_of_ms)>;

  // No I/O. `projection` names the meta keys; the schedule comes from `settings`.
  ProjectionRanking(Store& store, std::string_view projection, const ValueSettings& settings, Rank rank);

  // The first call reads the stored watermark and rebuilds (settings may have changed
  // since the last run), writing the snapshot alone; later calls do nothing.
  Status Start();
  bool started() const { return started_; }

  // After Start: an event of `occurred_at_ms` was applied; the watermark never goes back.
  void Advance(int64_t occurred_at_ms) {
    watermark_ms_ = std::max(watermark_ms_, occurred_at_ms);
    applied_since_rebuild_ = true;
  }

  // Starts if needed, then adds to the runtime's `batch` a rebuild when the schedule
  // says one is due within its time budget, and the watermark.
  Status Checkpoint(rocksdb::WriteBatch& batch);
  // The batch was written: its rebuild is the last one.
  void Committed() { schedule_.Committed(); }
  // The batch was not written: its rebuild is forgotten (Current() reads the store).
  void Dropped();

  // After Start, a rebuild still due runs now and is written alone.
  Status Idle();
  // Rebuilds now, as of the watermark, and writes the snapshot alone (not the
  // watermark: that travels with the states in the runtime's batches).
  Status Refresh();
  // Refresh(), unless the last committed rebuild already ranked every applied event
  // as of the watermark (the end of a replay, whose last checkpoint often just did).
  Status RefreshIfBehind();

  // The ranking as of the last rebuild (committed, or in the batch being written);
  // after Dropped(), the last one written, read back; empty before any. Valid until
  // the next call that rebuilds or drops.
  Result<const ValueSnapshot*> Current();

  int64_t watermark_ms() const { return watermark_ms_; }
  // Event time of the last committed rebuild; 0 before the first.
  int64_t as_of_ms() const { return schedule_.last_as_of().value_or(0); }

 private:
  Store& store_;
  std::string snapshot_key_;
  std::string projection_;
  Rank rank_;
  RankingSchedule schedule_;
  bool started_ = false;
  int64_t watermark_ms_ = 0;
  // An event was applied after the last rebuild began (or that rebuild was dropped).
  bool applied_since_rebuild_ = true;
  std::optional<ValueSnapshot> current_;
};

}  // namespace rapport::projections
