#include "projections/runtime/batch_applier.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <vector>

#include "events/wire_codec.h"
#include "storage/bulk_ingest.h"
#include "storage/offsets.h"
#include "projections/runtime/projector.h"
#include "storage/sorted_batch.h"

namespace rapport::projections {

Result<FoldedBatch> BatchApplier::Fold(std::span<const events::Record> records,
                                       std::span<Result<events::Event>> decoded) {
  FoldedBatch out;
  RAPPORT_RETURN_IF_ERROR(FoldInto(out, records, decoded));
  return out;
}

Status BatchApplier::FoldInto(FoldedBatch& out, std::span<const events::Record> records,
                              std::span<Result<events::Event>> decoded) {
  assert(decoded.empty() || decoded.size() == records.size());
  // The next-offset slot of each partition of the first topic, found once (map
  // nodes stay put): a replay interleaves partitions at almost every record.
  std::string_view slots_topic = records.empty() ? std::string_view() : records.front().topic;
  std::vector<Offset*> slots;
  std::string key;  // each event's dedupe key, built in one reused buffer
  for (size_t i = 0; i < records.size(); ++i) {
    const events::Record& record = records[i];
    const auto p = static_cast<size_t>(record.partition.value());
    Offset* slot = record.topic == slots_topic && p < slots.size() ? slots[p] : nullptr;
    if (slot == nullptr) {
      slot = &out.next_offsets[events::TopicPartition{std::string(record.topic), record.partition}];
      if (record.topic == slots_topic && p < 4096) {
        if (p >= slots.size()) slots.resize(p + 1, nullptr);
        slots[p] = slot;
      }
    }
    *slot = Offset(record.offset.value() + 1);
    if (record.filler) continue;
    // Decoded elsewhere: used in place, not moved (an Event is a dozen strings).
    std::optional<Result<events::Event>> decoded_here;
    const Result<events::Event>& event = decoded.empty() ? decoded_here.emplace(events::DecodeWire(record.value))
                                                         : decoded[i];
    if (!event.ok()) {
      out.rejected.push_back({i, event.status()});
      continue;
    }
    if (keep_ && !keep_(*event)) {
      ++out.filtered;
      continue;
    }
    if (admit_) {
      if (Status admitted = admit_(*event); !admitted.ok()) {
        out.rejected.push_back({i, std::move(admitted)});
        continue;
      }
    }
    DedupeKey(*event, key);
    // The filter holds every key of the store and of `out`: a miss is certainly new.
    if (!filter_ || filter_->MayContain(key)) {
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
    }
    Status applied = projection_.Apply(*event, EventSource{record.partition, record.offset});
    if (!applied.ok()) {
      out.rejected.push_back({i, applied});
      continue;
    }
    if (filter_) filter_->Add(key);  // before a checkpoint writes it: a failed one only costs reads
    out.dedupe_keys.insert(key);
    ++out.applied;
  }
  return Status::Ok();
}

Status BatchApplier::UseDedupeFilter() {
  auto filter = DedupeFilter::Load(store_);
  if (!filter.ok()) return filter.status();
  filter_ = std::move(filter).value();
  return Status::Ok();
}

Status BatchApplier::Checkpoint(const FoldedBatch& folded, const std::function<void(rocksdb::WriteBatch&)>& extra) {
  rocksdb::WriteBatch batch;
  Status checkpoint = projection_.Checkpoint(batch);
  if (!checkpoint.ok()) {
    projection_.DropCache();
    return checkpoint;
  }
  // Ingesting, the dedupe keys go straight into their sorted file (IngestBatch
  // below), not through the batch.
  if (mode_ == WriteMode::kWriteBatch) {
    // Each family's keys in order make the memtable inserts cheap (sorted_batch.h):
    // the projection's part is re-sorted, the dedupe keys are put in order.
    SortForMemtable(store_, batch);
    std::vector<std::string_view> keys = folded.dedupe_keys.Views();
    std::sort(keys.begin(), keys.end());
    for (std::string_view key : keys) batch.Put(store_.handle(Family::kDedupe), key, "");
  }
  for (const auto& [tp, next] : folded.next_offsets) PutNextOffset(batch, store_, tp, next);
  if (extra) extra(batch);
  Status written =
      mode_ == WriteMode::kIngest
          ? IngestBatch(store_, batch, Family::kDedupe, folded.dedupe_keys.Views())
          : store_.Write(batch);
  if (!written.ok()) {
    projection_.DropCache();
    return written;
  }
  projection_.Committed();
  return Status::Ok();
}

}  // namespace rapport::projections
