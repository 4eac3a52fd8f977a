#include "projections/runtime/ranking_schedule.h"

namespace rapport::projections {

bool RankingSchedule::Due(int64_t watermark_ms) const {
  if (!as_of_) return true;
  const int64_t refresh_ms = static_cast<int64_t>(refresh_hours_) * 3'600'000;
  if (refresh_ms <= 0) return true;  // refused by the settings check; constructed directly, rank every batch
  // Boundaries at multiples of the period since the epoch, as other services rank
  // their tiers: the schedule does not drift with where the last rebuild fell.
  const int64_t next_boundary = (*as_of_ / refresh_ms + 1) * refresh_ms;
  return watermark_ms >= next_boundary;
}

bool RankingSchedule::WithinTimeBudget() const {
  if (time_share_ >= 1.0) return true;
  if (time_share_ <= 0.0) return false;
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_end_).count();
  return since >= last_seconds_ * (1.0 - time_share_) / time_share_;
}

void RankingSchedule::Rebuilt(int64_t as_of_ms, std::chrono::steady_clock::time_point started) {
  last_end_ = std::chrono::steady_clock::now();
  last_seconds_ = std::chrono::duration<double>(last_end_ - started).count();
  pending_as_of_ = as_of_ms;
}

void RankingSchedule::Committed() {
  if (pending_as_of_) as_of_ = pending_as_of_;
  pending_as_of_.reset();
}

void RankingSchedule::RebuiltAndCommitted(int64_t as_of_ms, std::chrono::steady_clock::time_point started) {
  Rebuilt(as_of_ms, started);
  Committed();
}

}  // namespace rapport::projections
