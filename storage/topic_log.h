#pragma once
// The durable copy of every topic rapport writes besides the interactions (alerts,
// dead letters, model parameters, instances, and what comes), for the embedded
// broker, which keeps ~5 MiB a partition in memory and nothing across restarts.
// One RocksDB store (`<data-dir>/topics`), fed by the topic archiver
// (services/ingest/topic_archiver.h) and read back by the restore at start and by
// rapport's own topic readers (events/topic_reader.h: it is a TopicHistory).
//
// Records are kept by topic, partition and broker offset. A compacted topic keeps
// what compaction would leave: a record replaces its key's older value (deleted),
// and a tombstone (null value) removes the key altogether; after a tombstone the
// store is flushed and compacted, so the removed bytes are gone from its files.
// The archiver's progress (next broker offset per partition) is written in the
// same batch as the records. Format and guarantees: docs/journal.md.
//
// Thread-safe (one writer: the archiver; the restore runs before it starts).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "events/consumer.h"
#include "events/status.h"
#include "events/topic_reader.h"
#include "storage/store.h"

namespace rapport::projections {

class TopicLog final : public events::TopicHistory {
 public:
  static Result<std::unique_ptr<TopicLog>> Open(const std::filesystem::path& dir, OpenMode mode);

  // Appends `records` (any topics and partitions, each partition in offset order)
  // and sets the archiver's progress, in one batch. Topics in `compacted` keep the
  // latest value per key (see above). The same batch marks the spool ids
  // (events/topic_spool.h) of the records in `spooled` as held, and forgets the
  // marks in `forget` (ids whose spool files are gone).
  Status Append(std::span<const events::TopicRecord> records, const std::set<std::string>& compacted,
                const std::vector<events::PartitionOffset>& progress, const std::vector<std::string>& spooled = {},
                const std::vector<std::string>& forget = {});

  // Whether a record spooled as `id` is in the log: a spool file left by a crash
  // between the log's write and the file's removal is not published again.
  Result<bool> HoldsSpooled(const std::string& id) const;
  // Forgets the marks of `ids`.
  Status ForgetSpooled(const std::vector<std::string>& ids);

  // Replaces what the log holds of one partition with `records` (their offsets as
  // the restored broker numbered them) and sets the progress to `next`: after a
  // restore, the copy and the broker agree offset for offset again.
  Status ReplacePartition(const std::string& topic, Partition partition, std::span<const events::TopicRecord> records,
                          Offset next);

  // Every record of `topic`, partition by partition in offset order, and per
  // partition the archiver's progress (TopicHistory).
  Result<std::map<int32_t, int64_t>> Visit(const std::string& topic,
                                           const events::TopicVisitor& visit) const override;
  // Partitions of `topic` that hold records or progress.
  Result<std::vector<Partition>> Partitions(const std::string& topic) const;
  // The archiver's progress: the next broker offset of `tp` not archived yet.
  Result<std::optional<Offset>> Progress(const events::TopicPartition& tp) const;

  Status Refresh() const { return mode_ == OpenMode::kSecondary ? store_->CatchUp() : Status::Ok(); }
  const Store& store() const { return *store_; }

 private:
  TopicLog(std::unique_ptr<Store> store, OpenMode mode) : store_(std::move(store)), mode_(mode) {}
  // The records of one partition below offset `to`, in offset order.
  Status Scan(const std::string& topic, Partition partition, Offset to, const events::TopicVisitor& visit) const;
  // Flushes every family and compacts the records and the key index fully: the
  // bytes of deleted values leave the files (after a tombstone).
  Status CompactAway();

  std::unique_ptr<Store> store_;
  OpenMode mode_;
};

}  // namespace rapport::projections
