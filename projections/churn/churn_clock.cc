#include "projections/churn/churn_clock.h"

#include <algorithm>
#include <string>

#include "projections/churn/churn_keys.h"

namespace rapport::projections {

Status ChurnClock::Load(const Store& store, int partitions) {
  watermarks_.assign(static_cast<size_t>(std::max(1, partitions)), 0);
  auto event_time = ReadMetaNumber(store, kChurnEventTimeKey, 0);
  if (!event_time.ok()) return event_time.status();
  event_time_ms_ = *event_time;
  auto min_event = ReadMetaNumber(store, kChurnMinEventKey, 0);
  if (!min_event.ok()) return min_event.status();
  min_event_ms_ = *min_event;
  auto it = store.NewIterator(Family::kMeta);
  for (it->Seek(kChurnWatermarkPrefix); it->Valid() && KeyStartsWith(it->key(), kChurnWatermarkPrefix); it->Next()) {
    auto p = ParseStoredNumber(it->key().ToString().substr(kChurnWatermarkPrefix.size()), "watermark partition");
    auto w = ParseStoredNumber(it->value().ToString(), "watermark");
    if (!p.ok()) return p.status();
    if (!w.ok()) return w.status();
    if (*p >= static_cast<int64_t>(watermarks_.size())) watermarks_.resize(static_cast<size_t>(*p) + 1, 0);
    watermarks_[static_cast<size_t>(*p)] = *w;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read churn watermarks");
  return Status::Ok();
}

void ChurnClock::Write(const Store& store, rocksdb::WriteBatch& batch) const {
  auto* meta = store.handle(Family::kMeta);
  for (size_t p = 0; p < watermarks_.size(); ++p) {
    batch.Put(meta, std::string(kChurnWatermarkPrefix) + std::to_string(p), std::to_string(watermarks_[p]));
  }
  batch.Put(meta, kChurnEventTimeKey, std::to_string(event_time_ms_));
  batch.Put(meta, kChurnMinEventKey, std::to_string(min_event_ms_));
}

int64_t ChurnClock::Observe(int32_t partition, int64_t t) {
  const auto p = static_cast<size_t>(std::max(0, partition));
  if (p >= watermarks_.size()) watermarks_.resize(p + 1, 0);
  watermarks_[p] = std::max(watermarks_[p], t);
  min_event_ms_ = min_event_ms_ == 0 ? t : std::min(min_event_ms_, t);
  return *std::min_element(watermarks_.begin(), watermarks_.end());
}

void ChurnClock::RaiseTo(int64_t floor_ms) { event_time_ms_ = std::max(event_time_ms_, floor_ms); }

int64_t ChurnClock::TickFloor(int64_t wall_ms, const ChurnSettings& settings) const {
  // Idle means caught up on every partition: nothing older is waiting anywhere, so
  // the newest event time seen is safe. The wall clock only counts for a stream of
  // current events; a history being loaded moves on its own events.
  const int64_t newest = watermarks_.empty() ? 0 : *std::max_element(watermarks_.begin(), watermarks_.end());
  if (newest == 0) return 0;
  int64_t floor = newest;
  const int64_t live_ms = int64_t{settings.wall_tick_live_within_hours} * 3'600'000;
  if (newest >= wall_ms - live_ms) floor = std::max(floor, wall_ms - int64_t{settings.wall_tick_lag_seconds} * 1000);
  return floor;
}

}  // namespace rapport::projections
