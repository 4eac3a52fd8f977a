#pragma once
// Where a projector stands in each topic partition, kept in the store's meta family
// in the same WriteBatch as the state it produced: that is what makes a projection's
// effect exactly-once across crashes.

#include <optional>
#include <string>

#include <rocksdb/write_batch.h>

#include "events/consumer.h"
#include "events/status.h"
#include "storage/store.h"

namespace rapport::projections {

// "offset/<topic>/<partition>"
std::string OffsetKey(const events::TopicPartition& tp);

// The next offset to read for `tp`; nullopt when nothing was ever applied.
Result<std::optional<Offset>> ReadNextOffset(const Store& store, const events::TopicPartition& tp);
void PutNextOffset(rocksdb::WriteBatch& batch, const Store& store, const events::TopicPartition& tp,
                   Offset next);

// Every stored partition offset (for `rapport status`, tests and replays).
Result<std::vector<events::PartitionOffset>> ReadAllOffsets(const Store& store);

}  // namespace rapport::projections
