#include "projections/runtime/rebuild_fold.h"

#include <nlohmann/json.hpp>

namespace rapport::projections {

Status RebuildFold::Fold(RebuildChunk& chunk) {
  const size_t rejected_before = pending_.rejected.size();
  const int64_t applied_before = pending_.applied, duplicates_before = pending_.duplicates,
                filtered_before = pending_.filtered;
  RAPPORT_RETURN_IF_ERROR(applier_.FoldInto(pending_, chunk.records, chunk.decoded));
  for (size_t i = rejected_before; i < pending_.rejected.size(); ++i) {
    const RejectedRecord& rejected = pending_.rejected[i];
    const events::Record& record = chunk.records[rejected.index];
    nlohmann::json note = {{"customer_id", std::string(record.key)}, {"reason", rejected.reason.ToString()}};
    pending_dead_.emplace_back(RebuildDeadLetterKey(record.partition, record.offset), note.dump());
  }
  counters_.read += static_cast<int64_t>(chunk.records.size());
  counters_.applied += pending_.applied - applied_before;
  counters_.duplicates += pending_.duplicates - duplicates_before;
  counters_.filtered += pending_.filtered - filtered_before;
  counters_.dead_lettered += static_cast<int64_t>(pending_.rejected.size() - rejected_before);
  pending_records_ += chunk.records.size();
  return Status::Ok();
}

Status RebuildFold::Checkpoint(RebuildChunk* free_with) {
  Status written = applier_.Checkpoint(pending_, [&](rocksdb::WriteBatch& batch) {
    for (const auto& [key, note] : pending_dead_) batch.Put(store_.handle(Family::kMeta), key, note);
    batch.Put(store_.handle(Family::kMeta), kRebuildCountersKey, counters_.ToJson().dump());
  });
  FoldedBatch done = std::exchange(pending_, {});
  if (free_with != nullptr) free_with->written = std::move(done);
  pending_dead_.clear();
  pending_records_ = 0;
  return written;
}

}  // namespace rapport::projections
