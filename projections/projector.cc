#include "projections/projector.h"

#include <unordered_set>

#include <spdlog/spdlog.h>

#include "events/dead_letter.h"
#include "events/wire_codec.h"
#include "projections/offsets.h"

namespace rapport::projections {

std::string DedupeKey(const events::Event& event) {
  std::string key = event.customer_id.str();
  key.push_back('\0');  // ids are printable, so NUL cannot occur inside them
  key += event.event_id.str();
  return key;
}

Projector::Projector(const events::KafkaSettings& kafka, ProjectorOptions options, Store& store,
                     Projection& projection, events::Publisher& dead_letters)
    : kafka_(kafka), options_(std::move(options)), store_(store), projection_(projection),
      dead_letters_(dead_letters) {}

Projector::~Projector() {
  if (consumer_) {
    Status closed = consumer_->Close();
    if (!closed.ok()) spdlog::warn("{}: close: {}", projection_.name(), closed.ToString());
  }
}

Result<std::unique_ptr<Projector>> Projector::Create(const events::KafkaSettings& kafka, ProjectorOptions options,
                                                     Store& store, Projection& projection,
                                                     events::Publisher& dead_letters) {
  if (options.group_id.empty()) options.group_id = "rapport." + std::string(projection.name());
  std::unique_ptr<Projector> projector(new Projector(kafka, std::move(options), store, projection, dead_letters));
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
    starts.push_back(*next);
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
  for (const auto& tp : partitions) assigned_.erase(tp);
  UpdateReady();
}

void Projector::UpdateReady() {
  bool all = !assigned_.empty();
  for (const auto& [tp, reached_end] : assigned_) all = all && reached_end;
  ready_ = all;
}

Status Projector::Run() {
  Status result;
  while (!stopping_) {
    auto messages = consumer_->Poll(options_.max_batch, options_.poll_timeout);
    if (messages.empty()) continue;
    result = ProcessBatch(messages);
    if (!result.ok()) {
      spdlog::error("{}: stopping: {}", projection_.name(), result.ToString());
      break;
    }
  }
  Status closed = consumer_->Close();
  if (!closed.ok()) spdlog::warn("{}: close: {}", projection_.name(), closed.ToString());
  return result;
}

Status Projector::ProcessBatch(std::vector<events::ConsumedMessage>& messages) {
  std::map<events::TopicPartition, Offset> next_offsets;
  std::vector<events::OutgoingMessage> dead;
  std::unordered_set<std::string> batch_keys;
  ProjectorStats delta;

  for (events::ConsumedMessage& message : messages) {
    events::TopicPartition tp{std::string(message.topic()), message.partition()};
    if (message.error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (auto it = assigned_.find(tp); it != assigned_.end() && !it->second) {
        it->second = true;
        UpdateReady();
      }
      continue;
    }
    if (message.error() != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Consumer errors are transient (broker down, leader change) unless the
      // offset left the topic; either way nothing is skipped: the position stays.
      spdlog::warn("{}: consume {}[{}]: {}", projection_.name(), tp.topic, tp.partition.value(),
                   message.error_text());
      continue;
    }
    if (!assigned_.contains(tp)) continue;  // revoked while the batch was in flight

    next_offsets[tp] = Offset(message.offset().value() + 1);
    auto event = events::DecodeWire(message.value());
    if (!event.ok()) {
      dead.push_back(events::MakeDeadLetter(message, event.status(), options_.group_id, kafka_.topics.dead_letter));
      continue;
    }
    std::string key = DedupeKey(*event);
    if (batch_keys.contains(key)) {
      ++delta.duplicates;
      continue;
    }
    auto seen = store_.Get(Family::kDedupe, key);
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) {
      ++delta.duplicates;
      continue;
    }
    Status applied = projection_.Apply(*event, EventSource{message.partition(), message.offset()});
    if (!applied.ok()) {
      dead.push_back(events::MakeDeadLetter(message, applied, options_.group_id, kafka_.topics.dead_letter));
      continue;
    }
    batch_keys.insert(std::move(key));
    ++delta.applied;
  }
  if (next_offsets.empty()) return Status::Ok();

  // Dead letters are acknowledged before their offsets are checkpointed, so a
  // crash in between re-sends them rather than losing them.
  if (!dead.empty()) {
    RAPPORT_RETURN_IF_ERROR(dead_letters_.PublishAndWait(dead));
    delta.dead_lettered = static_cast<int64_t>(dead.size());
    spdlog::warn("{}: {} message(s) sent to {}", projection_.name(), dead.size(), kafka_.topics.dead_letter);
  }

  rocksdb::WriteBatch batch;
  Status checkpoint = projection_.Checkpoint(batch);
  if (!checkpoint.ok()) {
    projection_.DropCache();
    return checkpoint;
  }
  for (const std::string& key : batch_keys) batch.Put(store_.handle(Family::kDedupe), key, "");
  std::vector<events::PartitionOffset> committed;
  for (const auto& [tp, next] : next_offsets) {
    PutNextOffset(batch, store_, tp, next);
    committed.push_back({tp, next});
  }
  Status written = store_.Write(batch);
  if (!written.ok()) {
    projection_.DropCache();
    return written;
  }
  projection_.Committed();
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
