#pragma once
// When a projection that ranks customers against each other (pyramid tiers, RFM
// quintiles) rebuilds its ranking. Shared by every projection that keeps its own
// ranking (customer view, satisfaction, loyalty, churn): each ranks the customers of
// its own store, on the same event-time boundaries, so tiers agree across services.
//
// A rebuild is due at start and whenever the event-time watermark passes a multiple
// of `refresh_hours` (since the epoch) after the last rebuild. While a projector
// catches up, due rebuilds are held to `time_share` of the wall time; a rebuild still
// due runs when the runtime is idle (Projection::Idle). docs/domain.md ("Rankings").
// Wall time decides only *when* a rebuild runs, never what a ranking contains.
// Single-threaded, owned by one projection.

#include <chrono>
#include <cstdint>
#include <optional>

namespace rapport::projections {

class RankingSchedule {
 public:
  RankingSchedule(int refresh_hours, double time_share) : refresh_hours_(refresh_hours), time_share_(time_share) {}

  // A rebuild is due as of `watermark_ms` (always before the first one).
  bool Due(int64_t watermark_ms) const;
  // Rebuilds so far used at most `time_share` of the wall time since the last one.
  bool WithinTimeBudget() const;
  // Due and within the budget: what a Checkpoint asks before rebuilding into its batch.
  bool DueWithinBudget(int64_t watermark_ms) const { return Due(watermark_ms) && WithinTimeBudget(); }

  // A rebuild as of `as_of_ms` that began at `started` went into a batch being
  // written; Committed() makes it the last rebuild, Dropped() forgets it.
  void Rebuilt(int64_t as_of_ms, std::chrono::steady_clock::time_point started);
  void Committed();
  void Dropped() { pending_as_of_.reset(); }
  // A rebuild written on its own (start-up, idle): Rebuilt + Committed.
  void RebuiltAndCommitted(int64_t as_of_ms, std::chrono::steady_clock::time_point started);

  // Event time of the last committed rebuild; nullopt before the first.
  std::optional<int64_t> last_as_of() const { return as_of_; }

 private:
  int refresh_hours_;
  double time_share_;
  std::optional<int64_t> as_of_;
  std::optional<int64_t> pending_as_of_;
  std::chrono::steady_clock::time_point last_end_{};
  double last_seconds_ = 0;
};

}  // namespace rapport::projections
