#include "projections/churn/churn_timers.h"

#include "projections/churn/churn_keys.h"

namespace rapport::projections {

Status ChurnTimerIndex::Load(const Store& store) {
  timers_.clear();
  auto it = store.NewIterator(Family::kIndex);
  for (it->Seek(kTimerPrefix); it->Valid() && KeyStartsWith(it->key(), kTimerPrefix); it->Next()) {
    const std::string key = it->key().ToString();
    auto deadline = ParseStoredNumber(key.substr(kTimerPrefix.size(), 20), "timer deadline");
    if (!deadline.ok()) return deadline.status();
    timers_.emplace(*deadline, key.substr(kTimerPrefix.size() + 21));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read churn timers");
  return Status::Ok();
}

void ChurnTimerIndex::Move(const std::string& customer, int64_t from, int64_t to, ChurnIndexWrites& index) {
  if (from == to) return;
  if (from != 0) {
    timers_.erase({from, customer});
    index.Delete(TimerKey(from, customer));
  }
  if (to != 0) {
    timers_.emplace(to, customer);
    index.Put(TimerKey(to, customer), "");
  }
}

std::optional<ChurnTimerIndex::Timer> ChurnTimerIndex::EarliestDue(int64_t up_to_ms) const {
  if (timers_.empty() || timers_.begin()->first > up_to_ms) return std::nullopt;
  return *timers_.begin();
}

}  // namespace rapport::projections
