#include "services/ingest/journal_restore.h"

#include <set>

#include <spdlog/spdlog.h>

#include "events/record.h"
#include "events/wire_codec.h"
#include "storage/offsets.h"

namespace rapport::services {
namespace {

class PartitionRestorer {
 public:
  PartitionRestorer(events::Publisher& publisher, const std::string& topic, Partition partition)
      : publisher_(publisher), topic_(topic), partition_(partition) {}

  Status Add(const projections::JournalEntry& entry) {
    while (expected_ < entry.offset.value()) RAPPORT_RETURN_IF_ERROR(Push(Filler()));
    // A filler the archiver journaled from an earlier restore stays a filler.
    if (entry.value.empty()) return Push(Filler());
    events::OutgoingMessage message;
    message.topic = topic_;
    message.partition = partition_;
    message.key = entry.key;
    message.value = entry.value;
    message.timestamp_ms = entry.timestamp_ms;
    message.headers = {{std::string(events::kHeaderEventType), entry.event_type},
                       {std::string(events::kHeaderSchemaVersion), std::to_string(events::kSchemaVersion)}};
    return Push(std::move(message));
  }

  Status PadTo(int64_t end) {
    while (expected_ < end) RAPPORT_RETURN_IF_ERROR(Push(Filler()));
    return Status::Ok();
  }
  Status Finish() { return Flush(); }
  int64_t published() const { return expected_; }

 private:
  events::OutgoingMessage Filler() const {
    events::OutgoingMessage message;
    message.topic = topic_;
    message.partition = partition_;
    message.headers = {{std::string(events::kHeaderFiller), "1"}};
    return message;
  }

  Status Push(events::OutgoingMessage message) {
    pending_.push_back(std::move(message));
    ++expected_;
    return pending_.size() >= 10'000 ? Flush() : Status::Ok();
  }

  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    std::vector<events::Delivery> deliveries;
    RAPPORT_RETURN_IF_ERROR(publisher_.PublishAndWait(pending_, &deliveries));
    const int64_t first = expected_ - static_cast<int64_t>(pending_.size());
    for (size_t i = 0; i < deliveries.size(); ++i) {
      if (deliveries[i].offset.value() != first + static_cast<int64_t>(i)) {
        return Status::Internal("restore of partition " + std::to_string(partition_.value()) + ": offset " +
                                std::to_string(first + static_cast<int64_t>(i)) + " came back as " +
                                std::to_string(deliveries[i].offset.value()) + " (was the topic empty?)");
      }
    }
    pending_.clear();
    return Status::Ok();
  }

  events::Publisher& publisher_;
  const std::string& topic_;
  Partition partition_;
  int64_t expected_ = 0;
  std::vector<events::OutgoingMessage> pending_;
};

}  // namespace

Result<int64_t> RestoreIntoBroker(const projections::Journal& journal, events::Publisher& publisher,
                                  const std::string& topic, const std::map<int32_t, int64_t>& floors) {
  auto journaled = journal.Partitions();
  if (!journaled.ok()) return journaled.status();
  std::set<Partition> partitions(journaled->begin(), journaled->end());
  for (const auto& [partition, floor] : floors) partitions.insert(Partition(partition));
  int64_t total = 0;
  for (Partition partition : partitions) {
    PartitionRestorer restorer(publisher, topic, partition);
    RAPPORT_RETURN_IF_ERROR(journal.Scan(partition, Offset(0), Offset(INT64_MAX),
                                         [&](const projections::JournalEntry& e) { return restorer.Add(e); }));
    if (auto floor = floors.find(partition.value()); floor != floors.end()) {
      if (floor->second > restorer.published()) {
        spdlog::warn("partition {}: the journal ends at {} but a projection is at {}; padding with fillers",
                     partition.value(), restorer.published(), floor->second);
      }
      RAPPORT_RETURN_IF_ERROR(restorer.PadTo(floor->second));
    }
    RAPPORT_RETURN_IF_ERROR(restorer.Finish());
    total += restorer.published();
  }
  if (total > 0) spdlog::info("restored {} message(s) from the journal into {}", total, topic);
  return total;
}

Result<std::map<int32_t, int64_t>> StoredOffsetFloors(const std::filesystem::path& data_dir,
                                                      const std::vector<std::string>& names,
                                                      const std::string& topic) {
  std::map<int32_t, int64_t> floors;
  for (const std::string& name : names) {
    const auto dir = data_dir / name;
    if (!std::filesystem::exists(dir / "CURRENT")) continue;
    auto store = projections::Store::Open(dir, projections::OpenMode::kReadOnly);
    if (!store.ok()) return store.status();
    auto offsets = projections::ReadAllOffsets(**store);
    if (!offsets.ok()) return offsets.status();
    for (const events::PartitionOffset& po : *offsets) {
      if (po.tp.topic != topic) continue;
      int64_t& floor = floors[po.tp.partition.value()];
      floor = std::max(floor, po.next_offset.value());
    }
  }
  return floors;
}

}  // namespace rapport::services
