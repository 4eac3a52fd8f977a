#pragma once
// The churn timer index: the next deadline of every customer who has one, in
// memory in deadline order and in the index family ("timer/<deadline>/<customer>",
// projections/churn/churn_keys.h). When event time reaches a deadline the customer
// is evaluated as of it, so a customer who simply stops buying is alerted with no
// further event from them. A customer's state holds its own deadline (timer_ms);
// an entry whose deadline the state no longer holds is stale. Single-threaded.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "events/status.h"
#include "projections/churn/churn_index_writes.h"
#include "storage/store.h"

namespace rapport::projections {

class ChurnTimerIndex {
 public:
  using Timer = std::pair<int64_t, std::string>;  // deadline, customer

  // Replaces the timers in memory with the stored ones.
  Status Load(const Store& store);
  // Moves `customer`'s timer from `from` to `to` (0: none).
  void Move(const std::string& customer, int64_t from, int64_t to, ChurnIndexWrites& index);
  // The earliest timer with a deadline <= up_to_ms.
  std::optional<Timer> EarliestDue(int64_t up_to_ms) const;
  void Clear() { timers_.clear(); }

 private:
  std::set<Timer> timers_;
};

}  // namespace rapport::projections
