#pragma once
// The projector runtime, written once for every projection: consume a batch from
// the interactions topic, verify and decode each message, skip duplicates (by
// customer and event id), fold the rest with Projection::Apply, then write the
// projection's changes, the de-duplication keys and the next offsets in ONE RocksDB
// WriteBatch, and commit offsets to the group for lag monitoring. On assignment it
// starts each partition where the store says, so the effect of every event is
// applied exactly once across crashes and rebalances.
//
// Poison messages (bad bytes, invalid values, an occurred_at in the future, a fold
// that fails) go to the dead-letter topic with the reason, before their offset is
// checkpointed.
//
// Never skips: consumers run with auto.offset.reset=error. When the next offset of
// a partition is below the topic's low watermark (retention, or the embedded
// broker's 5 MiB limit removed it), the gap is read from the event journal and
// consumption continues on the topic from the low watermark.
//
// Lifecycle: Create, Run on one thread, Stop from any thread (the current batch is
// finished, checkpointed and the consumer closed). ready() and stats() are
// thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "events/consumer.h"
#include "events/event_time_bound.h"
#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/record.h"
#include "projections/runtime/batch_applier.h"
#include "storage/journal.h"
#include "projections/runtime/projection.h"
#include "storage/store.h"

namespace rapport::projections {

struct ProjectorOptions {
  std::string group_id;  // "rapport." + the projection's name
  size_t max_batch = 10'000;
  std::chrono::milliseconds poll_timeout{100};
  // Scale-out (services/cluster/instance_registry.h): called on the runtime thread whenever
  // the assigned partitions, or those caught up with their end once since they were
  // assigned ("serving"), change. Must not block.
  std::function<void(const std::vector<Partition>& assigned, const std::vector<Partition>& serving)>
      on_assignment;
  // An event whose occurred_at is further than this after `clock` at the moment it
  // is consumed is dead-lettered, not folded (events/event_time_bound.h): events
  // written to Kafka directly never met the gateway's check.
  int64_t max_future_skew_ms = events::kDefaultMaxFutureSkewMs;
  std::function<int64_t()> clock;  // epoch milliseconds; empty: the wall clock
};

struct ProjectorStats {
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t dead_lettered = 0;
  int64_t checkpoints = 0;
  int64_t from_journal = 0;  // events read from the journal to fill gaps
  // Messages below the partition's applied position (a fetch from before a rebalance
  // or seek), dropped; and jumps past offsets the topic does not hold.
  int64_t repeated_dropped = 0;
  int64_t offset_gaps = 0;
};

class Projector final : private events::RebalanceListener {
 public:
  // `journal` may be null (then a gap below the low watermark stops the projector
  // with an error instead of skipping).
  static Result<std::unique_ptr<Projector>> Create(const events::KafkaSettings& kafka, ProjectorOptions options,
                                                   Store& store, Projection& projection,
                                                   events::Publisher& dead_letters,
                                                   const Journal* journal = nullptr);
  ~Projector() override;

  // Consumes until Stop(). Returns the error that stopped it, if any (a store that
  // cannot be written stops the projector: crash-only, it resumes from the store).
  Status Run();
  void Stop() { stopping_ = true; }

  // Assigned at least one partition and reached the end of every assigned one.
  bool ready() const { return ready_; }
  ProjectorStats stats() const;

 private:
  Projector(const events::KafkaSettings& kafka, ProjectorOptions options, Store& store, Projection& projection,
            events::Publisher& dead_letters, const Journal* journal);

  std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<events::TopicPartition>& partitions) override;

  Status ProcessMessages(std::vector<events::ConsumedMessage>& messages);
  // Decodes, de-duplicates and folds records, then checkpoints them atomically.
  Status ProcessRecords(const std::vector<events::Record>& records);
  // Reads [position, low watermark) of `tp` from the journal, then seeks there.
  Status FillGapFromJournal(const events::TopicPartition& tp);
  // The next message of `tp` is at `got`, past the `expected` one.
  void NoteGap(const events::TopicPartition& tp, Offset expected, Offset got);
  void UpdateReady();

  events::KafkaSettings kafka_;
  ProjectorOptions options_;
  Store& store_;
  Projection& projection_;
  events::Publisher& dead_letters_;
  const Journal* journal_;
  BatchApplier applier_;
  std::unique_ptr<events::Consumer> consumer_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::map<events::TopicPartition, bool> assigned_;      // partition -> reached its end once
  std::map<events::TopicPartition, Offset> positions_;  // next offset to apply (consumed, then checkpointed)
  std::pair<std::vector<Partition>, std::vector<Partition>> announced_;  // last on_assignment

  mutable std::mutex stats_mutex_;
  ProjectorStats stats_;
};

// "customer <id> event <id>", the de-duplication key of one event.
std::string DedupeKey(const events::Event& event);
// The same into `out` (replacing what it held): a loop reuses one buffer.
void DedupeKey(const events::Event& event, std::string& out);

}  // namespace rapport::projections
