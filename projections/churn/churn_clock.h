#pragma once
// The churn projection's event clock. Each partition's watermark is the highest
// occurred_at applied from it; event time E is the minimum over the interactions
// partitions, never decreasing. Every partition has then delivered everything up to
// E (events arrive in publish order within a partition), so what happens at E does
// not depend on how partitions interleave. A partition that has delivered nothing
// holds E back; the live service's wall-clock tick (TickFloor) raises E on quiet
// partitions and quiet streams. Kept in the meta family (projections/churn/churn_keys.h).
// Single-threaded, like the projection.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "projections/domain/churn_settings.h"
#include "storage/store.h"

namespace rapport::projections {

class ChurnClock {
 public:
  // Reads the stored clock of `partitions` partitions (more when the store knows more).
  Status Load(const Store& store, int partitions);
  // Adds the clock to `batch` (meta family).
  void Write(const Store& store, rocksdb::WriteBatch& batch) const;

  // An event at `t` from `partition` was applied. Returns the lowest watermark: what
  // event time may advance to.
  int64_t Observe(int32_t partition, int64_t t);
  // Raises event time to `floor_ms` when it is later; never lowers it.
  void RaiseTo(int64_t floor_ms);

  int64_t event_time_ms() const { return event_time_ms_; }
  int64_t min_event_ms() const { return min_event_ms_; }  // earliest event applied (0: none yet)

  // What the wall-clock tick raises event time to at wall time `wall_ms` (0: nothing
  // seen yet).
  int64_t TickFloor(int64_t wall_ms, const ChurnSettings& settings) const;

 private:
  std::vector<int64_t> watermarks_;  // per partition
  int64_t event_time_ms_ = 0;
  int64_t min_event_ms_ = 0;
};

}  // namespace rapport::projections
