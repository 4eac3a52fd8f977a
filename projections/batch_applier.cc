#include "projections/batch_applier.h"

#include <cassert>

#include "events/wire_codec.h"
#include "projections/offsets.h"
#include "projections/projector.h"

namespace rapport::projections {

Result<FoldedBatch> BatchApplier::Fold(std::span<const events::Record> records,
                                       std::span<Result<events::Event>> decoded) {
  assert(decoded.empty() || decoded.size() == records.size());
  FoldedBatch out;
  for (size_t i = 0; i < records.size(); ++i) {
    const events::Record& record = records[i];
    events::TopicPartition tp{std::string(record.topic), record.partition};
    out.next_offsets[tp] = Offset(record.offset.value() + 1);
    if (record.filler) continue;
    Result<events::Event> event = decoded.empty() ? events::DecodeWire(record.value) : std::move(decoded[i]);
    if (!event.ok()) {
      out.rejected.push_back({i, event.status()});
      continue;
    }
    if (keep_ && !keep_(*event)) {
      ++out.filtered;
      continue;
    }
    std::string key = DedupeKey(*event);
    if (out.dedupe_keys.contains(key)) {
      ++out.duplicates;
      continue;
    }
    auto seen = store_.Get(Family::kDedupe, key);
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) {
      ++out.duplicates;
      continue;
    }
    Status applied = projection_.Apply(*event, EventSource{record.partition, record.offset});
    if (!applied.ok()) {
      out.rejected.push_back({i, applied});
      continue;
    }
    out.dedupe_keys.insert(std::move(key));
    ++out.applied;
  }
  return out;
}

Status BatchApplier::Checkpoint(const FoldedBatch& folded, const std::function<void(rocksdb::WriteBatch&)>& extra) {
  rocksdb::WriteBatch batch;
  Status checkpoint = projection_.Checkpoint(batch);
  if (!checkpoint.ok()) {
    projection_.DropCache();
    return checkpoint;
  }
  for (const std::string& key : folded.dedupe_keys) batch.Put(store_.handle(Family::kDedupe), key, "");
  for (const auto& [tp, next] : folded.next_offsets) PutNextOffset(batch, store_, tp, next);
  if (extra) extra(batch);
  Status written = store_.Write(batch);
  if (!written.ok()) {
    projection_.DropCache();
    return written;
  }
  projection_.Committed();
  return Status::Ok();
}

}  // namespace rapport::projections
