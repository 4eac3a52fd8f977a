#include "projections/runtime/projector.h"

#include <spdlog/spdlog.h>

#include "events/dead_letter.h"
#include "events/wire_codec.h"
#include "storage/offsets.h"

namespace rapport::projections {

std::string DedupeKey(const events::Event& event) {
  std::string key;
  DedupeKey(event, key);
  return key;
}

void DedupeKey(const events::Event& event, std::string& out) {
  out.assign(event.customer_id.str());
  out.push_back('\0');  // ids are printable, so NUL cannot occur inside them
  out += event.event_id.str();
}

Projector::Projector(const events::KafkaSettings& kafka, ProjectorOptions options, Store& store,
                     Projection& projection, events::Publisher& dead_letters, const Journal* journal)
    : kafka_(kafka), options_(std::move(options)), store_(store), projection_(projection),
      dead_letters_(dead_letters), journal_(journal), applier_(store, projection) {
  // The bound is checked at consume time, against this process's clock: a replay
  // of the journal (Rebuilder, replay) re-folds accepted events without it.
  std::function<int64_t()> clock = options_.clock;
  if (!clock) {
    clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  applier_.SetAdmission([clock = std::move(clock), skew = options_.max_future_skew_ms](const events::Event& event) {
    return events::CheckEventTimeBound(event, clock(), skew, "consumer");
  });
}

Projector::~Projector() {
  if (consumer_) {
    Status closed = consumer_->Close();
    if (!closed.ok()) spdlog::warn("{}: close: {}", projection_.name(), closed.ToString());
  }
}

Result<std::unique_ptr<Projector>> Projector::Create(const events::KafkaSettings& kafka, ProjectorOptions options,
                                                     Store& store, Projection& projection,
                                                     events::Publisher& dead_letters, const Journal* journal) {
  if (options.group_id.empty()) options.group_id = "rapport." + std::string(projection.name());
  std::unique_ptr<Projector> projector(
      new Projector(kafka, std::move(options), store, projection, dead_letters, journal));
  auto consumer = events::Consumer::Create(kafka, projector->options_.group_id,
                                           "rapport-" + std::string(projection.name()), projector.get());
  if (!consumer.ok()) return consumer.status();
  projector->consumer_ = std::move(consumer).value();
  RAPPORT_RETURN_IF_ERROR(projector->consumer_->Subscribe({kafka.topics.interactions}));
  return projector;
}

ProjectorStats Projector::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

std::vector<std::optional<Offset>> Projector::OnAssigned(const std::vector<events::TopicPartition>& partitions) {
  std::vector<std::optional<Offset>> starts;
  for (const auto& tp : partitions) {
    auto next = ReadNextOffset(store_, tp);
    if (!next.ok()) {
      // Starting anywhere else could skip or repeat events; stop instead.
      spdlog::error("{}: cannot read stored offset of {}: {}", projection_.name(), OffsetKey(tp),
                    next.status().ToString());
      stopping_ = true;
      starts.push_back(std::nullopt);
      continue;
    }
    // Offset 0, not "beginning": if the head of the partition is gone, the
    // consumer must report it (auto.offset.reset=error) so the gap is filled.
    const Offset start = next->value_or(Offset(0));
    starts.push_back(start);
    positions_[tp] = start;
    assigned_[tp] = false;
  }
  UpdateReady();
  return starts;
}

void Projector::OnRevoked(const std::vector<events::TopicPartition>& partitions) {
  // Everything consumed so far is checkpointed at the end of each batch, and
  // rebalances are served inside Poll, between batches: nothing is pending here.
  // Cached state may belong to customers that move away, so forget it.
  projection_.DropCache();
  for (const auto& tp : partitions) {
    assigned_.erase(tp);
    positions_.erase(tp);
  }
  UpdateReady();
}

void Projector::UpdateReady() {
  bool all = !assigned_.empty();
  for (const auto& [tp, reached_end] : assigned_) all = all && reached_end;
  ready_ = all;
  if (!options_.on_assignment) return;
  std::pair<std::vector<Partition>, std::vector<Partition>> now;
  for (const auto& [tp, reached_end] : assigned_) {
    now.first.push_back(tp.partition);
    if (reached_end) now.second.push_back(tp.partition);
  }
  if (now == announced_) return;
  announced_ = now;
  options_.on_assignment(announced_.first, announced_.second);
}

Status Projector::Run() {
  Status result;
  while (!stopping_) {
    auto messages = consumer_->Poll(options_.max_batch, options_.poll_timeout);
    if (messages.empty()) {
      result = projection_.Idle();
      if (!result.ok()) {
        spdlog::error("{}: stopping: {}", projection_.name(), result.ToString());
        break;
      }
      continue;
    }
    result = ProcessMessages(messages);
    if (!result.ok()) {
      spdlog::error("{}: stopping: {}", projection_.name(), result.ToString());
      break;
    }
  }
  Status closed = consumer_->Close();
  if (!closed.ok()) spdlog::warn("{}: close: {}", projection_.name(), closed.ToString());
  return result;
}

Status Projector::ProcessMessages(std::vector<events::ConsumedMessage>& messages) {
  std::vector<events::Record> records;
  records.reserve(messages.size());
  bool reached_end = false;
  events::TopicPartition tp;  // reused: assign() keeps its buffer, no allocation a message
  for (events::ConsumedMessage& message : messages) {
    tp.topic.assign(message.topic());
    tp.partition = message.partition();
    switch (message.error()) {
      case RD_KAFKA_RESP_ERR_NO_ERROR: {
        auto position = positions_.find(tp);
        if (position == positions_.end()) break;  // revoked while the batch was in flight
        const Offset offset = message.offset();
        if (offset < position->second) {
          // Below what this store has applied (a fetch from before a rebalance or a
          // seek): folding it again could only reorder what is already there.
          std::lock_guard lock(stats_mutex_);
          ++stats_.repeated_dropped;
          break;
        }
        if (offset > position->second) NoteGap(tp, position->second, offset);
        position->second = Offset(offset.value() + 1);
        records.push_back(events::FromConsumed(message));
        break;
      }
      case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        if (auto it = assigned_.find(tp); it != assigned_.end() && !it->second) {
          it->second = true;
          reached_end = true;
        }
        break;
      case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
      case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        // Apply what came before the gap first, so offsets stay in order.
        RAPPORT_RETURN_IF_ERROR(ProcessRecords(records));
        records.clear();
        RAPPORT_RETURN_IF_ERROR(FillGapFromJournal(tp));
        break;
      default:
        // Transient (broker down, leader change): the position stays, nothing is
        // skipped, the consumer retries.
        spdlog::warn("{}: consume {}[{}]: {}", projection_.name(), tp.topic, tp.partition.value(),
                     message.error_text());
    }
  }
  RAPPORT_RETURN_IF_ERROR(ProcessRecords(records));
  // Announce the end only once the records before it are in the store: readiness
  // and scale-out routing treat a partition that reached its end as served, and a
  // query must then find every customer of it.
  if (reached_end) UpdateReady();
  return Status::Ok();
}

void Projector::NoteGap(const events::TopicPartition& tp, Offset expected, Offset got) {
  std::lock_guard lock(stats_mutex_);
  // Transaction markers and compaction leave gaps in a topic; this platform's own
  // producers never do, so the first few are worth a line in the log.
  if (stats_.offset_gaps++ < 10) {
    spdlog::info("{}: {}[{}] continues at offset {} after {} (offsets {}..{} not in the topic)", projection_.name(),
                 tp.topic, tp.partition.value(), got.value(), expected.value() - 1, expected.value(),
                 got.value() - 1);
  }
}

Status Projector::FillGapFromJournal(const events::TopicPartition& tp) {
  auto position = positions_.find(tp);
  if (position == positions_.end()) return Status::Ok();
  int64_t low = 0, high = 0;
  RAPPORT_RETURN_IF_ERROR(events::FromKafka(
      rd_kafka_query_watermark_offsets(consumer_->handle(), tp.topic.c_str(), tp.partition.value(), &low, &high,
                                       10'000),
      "watermarks of " + tp.topic));
  const Offset from = position->second;
  if (from.value() >= low) {
    // Not a gap below the topic (e.g. the topic was recreated empty): never skip.
    return Status::Unavailable(tp.topic + "[" + std::to_string(tp.partition.value()) + "]: next offset " +
                               std::to_string(from.value()) + " is outside the topic [" + std::to_string(low) +
                               ", " + std::to_string(high) + ")");
  }
  if (journal_ == nullptr) {
    return Status::Unavailable(tp.topic + "[" + std::to_string(tp.partition.value()) + "]: offsets " +
                               std::to_string(from.value()) + ".." + std::to_string(low - 1) +
                               " are gone from Kafka and no event journal is configured");
  }
  RAPPORT_RETURN_IF_ERROR(journal_->Refresh());
  auto journal_end = journal_->EndOffset(tp.partition);
  if (!journal_end.ok()) return journal_end.status();
  if (journal_end->value() < low) {
    return Status::Unavailable("the journal of partition " + std::to_string(tp.partition.value()) + " ends at " +
                               std::to_string(journal_end->value()) + ", below the topic's low watermark " +
                               std::to_string(low));
  }
  spdlog::info("{}: reading {}[{}] offsets {}..{} from the journal", projection_.name(), tp.topic,
               tp.partition.value(), from.value(), low - 1);
  // Bounded chunks keep memory flat however long the gap is.
  constexpr int64_t kChunk = 20'000;
  std::vector<projections::JournalEntry> chunk;
  for (int64_t begin = from.value(); begin < low; begin += kChunk) {
    chunk.clear();
    RAPPORT_RETURN_IF_ERROR(journal_->Scan(tp.partition, Offset(begin), Offset(std::min(low, begin + kChunk)),
                                           [&](const JournalEntry& entry) {
                                             chunk.push_back(entry);
                                             return Status::Ok();
                                           }));
    std::vector<events::Record> records;
    records.reserve(chunk.size());
    for (const JournalEntry& entry : chunk) {
      records.push_back(events::Record{tp.topic, tp.partition, entry.offset, entry.key, entry.value,
                                       entry.timestamp_ms, entry.value.empty()});
    }
    RAPPORT_RETURN_IF_ERROR(ProcessRecords(records));
    std::lock_guard lock(stats_mutex_);
    stats_.from_journal += static_cast<int64_t>(records.size());
  }
  // Whatever the journal holds, the topic now continues at `low`.
  rocksdb::WriteBatch batch;
  PutNextOffset(batch, store_, tp, Offset(low));
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  positions_[tp] = Offset(low);
  return consumer_->Seek(tp, Offset(low));
}

Status Projector::ProcessRecords(const std::vector<events::Record>& records) {
  auto folded = applier_.Fold(records);
  if (!folded.ok()) return folded.status();
  if (folded->next_offsets.empty()) return Status::Ok();
  ProjectorStats delta;
  delta.applied = folded->applied;
  delta.duplicates = folded->duplicates;

  // Dead letters are acknowledged before their offsets are checkpointed, so a
  // crash in between re-sends them rather than losing them.
  if (!folded->rejected.empty()) {
    std::vector<events::OutgoingMessage> dead;
    for (const RejectedRecord& rejected : folded->rejected) {
      dead.push_back(events::MakeDeadLetter(records[rejected.index], rejected.reason, options_.group_id,
                                            kafka_.topics.dead_letter));
    }
    RAPPORT_RETURN_IF_ERROR(dead_letters_.PublishAndWait(dead));
    delta.dead_lettered = static_cast<int64_t>(dead.size());
    spdlog::warn("{}: {} message(s) sent to {}", projection_.name(), dead.size(), kafka_.topics.dead_letter);
  }

  RAPPORT_RETURN_IF_ERROR(applier_.Checkpoint(*folded));
  std::vector<events::PartitionOffset> committed;
  for (const auto& [tp, next] : folded->next_offsets) {
    positions_[tp] = next;
    committed.push_back({tp, next});
  }
  Status commit = consumer_->CommitAsync(committed);
  if (!commit.ok()) spdlog::debug("{}: group commit: {}", projection_.name(), commit.ToString());

  delta.checkpoints = 1;
  std::lock_guard lock(stats_mutex_);
  stats_.applied += delta.applied;
  stats_.duplicates += delta.duplicates;
  stats_.dead_lettered += delta.dead_lettered;
  stats_.checkpoints += delta.checkpoints;
  return Status::Ok();
}

}  // namespace rapport::projections
