#pragma once
// Alert release of the churn projection. Alerts and clears are produced into a
// pending queue keyed by (event time, customer, n) and released when event time
// passes their time, in that order, so what is released does not depend on how
// partitions interleave. A released alert gets the next sequence number of the
// alert log and goes to the log (read by SSE, webhooks), the alert records (HTTP
// queries) and the outbox (drained to the alert topic by services/alerts in the live
// service; without a drainer, a replay, it just grows). The queue and the sequence
// are kept in the store (projections/churn/churn_keys.h). Single-threaded.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_index_writes.h"
#include "storage/store.h"

namespace rapport::projections {

class ChurnAlertRelease {
 public:
  using Key = std::tuple<int64_t, std::string, int64_t>;  // time, customer, n

  // Reads the stored queue and the next sequence number.
  Status Load(const Store& store);
  // Adds the next sequence number to `batch` (meta family); the queue travels in
  // the index writes.
  void Write(const Store& store, rocksdb::WriteBatch& batch) const;

  // Queues `alert`, the customer's n-th.
  void Queue(int64_t n, AlertEvent alert, ChurnIndexWrites& index);
  // Takes the first queued alert with a time before `before_ms` out of the queue.
  std::optional<AlertEvent> TakeBefore(int64_t before_ms, ChurnIndexWrites& index);
  // Gives `alert` its sequence number and writes it to the log, the outbox and the
  // records: a raise opens a record, a clear closes the record it clears.
  Status Release(AlertEvent alert, const Store& store, ChurnIndexWrites& index);

 private:
  std::map<Key, AlertEvent> pending_;
  int64_t next_sequence_ = 1;
};

}  // namespace rapport::projections
