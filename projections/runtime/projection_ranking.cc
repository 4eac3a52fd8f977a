#include "projections/runtime/projection_ranking.h"

#include <chrono>

#include "projections/runtime/projection_meta.h"

namespace rapport::projections {

ProjectionRanking::ProjectionRanking(Store& store, std::string_view projection, const ValueSettings& settings,
                                     Rank rank)
    : store_(store),
      snapshot_key_(SnapshotKey(projection)),
      projection_(projection),
      rank_(std::move(rank)),
      schedule_(settings.ranking_refresh_hours, settings.ranking_time_share) {}

Status ProjectionRanking::Start() {
  if (started_) return Status::Ok();
  auto watermark = ReadWatermarkOf(store_, projection_);
  if (!watermark.ok()) return watermark.status();
  watermark_ms_ = *watermark;
  started_ = true;
  return Refresh();
}

Status ProjectionRanking::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (schedule_.DueWithinBudget(watermark_ms_)) {
    const auto started = std::chrono::steady_clock::now();
    auto snapshot = rank_(watermark_ms_);
    if (!snapshot.ok()) return snapshot.status();
    batch.Put(store_.handle(Family::kMeta), snapshot_key_, EncodeValueSnapshot(*snapshot));
    schedule_.Rebuilt(snapshot->as_of_ms, started);
    current_ = std::move(snapshot).value();
    applied_since_rebuild_ = false;
  }
  batch.Put(store_.handle(Family::kMeta), WatermarkKey(projection_), std::to_string(watermark_ms_));
  return Status::Ok();
}

void ProjectionRanking::Dropped() {
  schedule_.Dropped();
  applied_since_rebuild_ = true;
  current_.reset();
}

Status ProjectionRanking::Idle() {
  if (!started_ || !schedule_.Due(watermark_ms_)) return Status::Ok();
  return Refresh();
}

Status ProjectionRanking::Refresh() {
  const auto started = std::chrono::steady_clock::now();
  auto snapshot = rank_(watermark_ms_);
  if (!snapshot.ok()) return snapshot.status();
  rocksdb::WriteBatch batch;
  batch.Put(store_.handle(Family::kMeta), snapshot_key_, EncodeValueSnapshot(*snapshot));
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  schedule_.RebuiltAndCommitted(snapshot->as_of_ms, started);
  current_ = std::move(snapshot).value();
  applied_since_rebuild_ = false;
  return Status::Ok();
}

Status ProjectionRanking::RefreshIfBehind() {
  if (!applied_since_rebuild_ && schedule_.last_as_of() == watermark_ms_) return Status::Ok();
  return Refresh();
}

Result<const ValueSnapshot*> ProjectionRanking::Current() {
  if (!current_) {
    auto stored = ReadSnapshotOf(store_, projection_);
    if (!stored.ok()) return stored.status();
    current_ = stored->value_or(ValueSnapshot{});
  }
  return &*current_;
}

}  // namespace rapport::projections
