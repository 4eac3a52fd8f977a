#include "storage/topic_log.h"

#include <algorithm>

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "storage/binary_codec.h"
#include "storage/offsets.h"

namespace rapport::projections {
namespace {

// Records live in the state family under: topic, NUL, big-endian partition (4
// bytes) and offset (8 bytes), so a prefix scan walks one partition in offset
// order. The key index of compacted topics lives in the index family: topic, NUL,
// partition (4), message key -> the offset (8) of the key's latest value. Topic
// names never hold NUL. DO NOT CHANGE: the layout is on disk.
constexpr uint8_t kRecordVersion = 1;

std::string PartitionPrefix(const std::string& topic, Partition partition) {
  std::string key = topic;
  key.push_back('\0');
  PutBigEndian(key, static_cast<uint32_t>(partition.value()), 4);
  return key;
}

std::string RecordKey(const std::string& topic, Partition partition, int64_t offset) {
  std::string key = PartitionPrefix(topic, partition);
  PutBigEndian(key, static_cast<uint64_t>(offset), 8);
  return key;
}

// Spool marks (events/topic_spool.h) live in the index family under NUL, "spool",
// NUL, id: no topic name is empty, so no record index key starts with NUL.
std::string SpoolMarkKey(const std::string& id) { return std::string("\0spool\0", 7) + id; }

std::string IndexKey(const events::TopicRecord& record) {
  return PartitionPrefix(record.topic, record.partition) + *record.key;
}

void PutOptional(BinaryWriter& w, const std::optional<std::string>& text) {
  w.PutBool(text.has_value());
  w.PutString(text.value_or(""));
}

bool GetOptional(BinaryReader& r, std::optional<std::string>* text) {
  bool present = false;
  std::string value;
  if (!r.GetBool(&present) || !r.GetString(&value)) return false;
  if (present) *text = std::move(value);
  return true;
}

std::string EncodeRecord(const events::TopicRecord& record) {
  BinaryWriter w;
  w.PutU8(kRecordVersion);
  PutOptional(w, record.key);
  PutOptional(w, record.value);
  w.PutSigned(record.timestamp_ms);
  w.PutVarint(record.headers.size());
  for (const auto& [name, value] : record.headers) {
    w.PutString(name);
    w.PutString(value);
  }
  return w.Release();
}

Result<events::TopicRecord> DecodeRecord(const std::string& topic, std::string_view key, std::string_view bytes) {
  events::TopicRecord record;
  record.topic = topic;
  const size_t at = topic.size() + 1;
  if (key.size() != at + 12) return Status::Corruption("topic log: malformed record key in " + topic);
  record.partition = Partition(static_cast<int32_t>(GetBigEndian(key, at, 4)));
  record.offset = Offset(static_cast<int64_t>(GetBigEndian(key, at + 4, 8)));
  BinaryReader r(bytes);
  uint8_t version = 0;
  uint64_t headers = 0;
  bool ok = r.GetU8(&version) && GetOptional(r, &record.key) && GetOptional(r, &record.value) &&
            r.GetSigned(&record.timestamp_ms) && r.GetVarint(&headers);
  for (uint64_t i = 0; ok && i < headers; ++i) {
    std::string name, value;
    ok = r.GetString(&name) && r.GetString(&value);
    record.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!ok || !r.ok() || !r.at_end() || version != kRecordVersion) {
    return Status::Corruption("topic log: malformed record " + topic + "[" + std::to_string(record.partition.value()) +
                              "]@" + std::to_string(record.offset.value()));
  }
  return record;
}

}  // namespace

Result<std::unique_ptr<TopicLog>> TopicLog::Open(const std::filesystem::path& dir, OpenMode mode) {
  auto store = Store::Open(dir, mode);
  if (!store.ok()) return store.status();
  return std::unique_ptr<TopicLog>(new TopicLog(std::move(store).value(), mode));
}

Status TopicLog::Append(std::span<const events::TopicRecord> records, const std::set<std::string>& compacted,
                        const std::vector<events::PartitionOffset>& progress, const std::vector<std::string>& spooled,
                        const std::vector<std::string>& forget) {
  rocksdb::WriteBatch batch;
  for (const std::string& id : forget) batch.Delete(store_->handle(Family::kIndex), SpoolMarkKey(id));
  for (const std::string& id : spooled) batch.Put(store_->handle(Family::kIndex), SpoolMarkKey(id), "");
  std::map<std::string, std::optional<int64_t>> latest;  // index key -> offset, as this batch leaves it
  bool tombstoned = false;
  for (const events::TopicRecord& record : records) {
    const std::string key = RecordKey(record.topic, record.partition, record.offset.value());
    if (!compacted.contains(record.topic) || !record.key) {
      batch.Put(store_->handle(Family::kState), key, EncodeRecord(record));
      continue;
    }
    const std::string index = IndexKey(record);
    auto pending = latest.find(index);
    std::optional<int64_t> older;
    if (pending != latest.end()) {
      older = pending->second;
    } else {
      auto stored = store_->Get(Family::kIndex, index);
      if (!stored.ok()) return stored.status();
      if (*stored && (*stored)->size() == 8) older = static_cast<int64_t>(GetBigEndian(**stored, 0, 8));
    }
    if (older) batch.Delete(store_->handle(Family::kState), RecordKey(record.topic, record.partition, *older));
    if (!record.value) {  // a tombstone: the key is gone, its bytes too (below)
      batch.Delete(store_->handle(Family::kIndex), index);
      latest[index] = std::nullopt;
      tombstoned = true;
      continue;
    }
    std::string offset;
    PutBigEndian(offset, static_cast<uint64_t>(record.offset.value()), 8);
    batch.Put(store_->handle(Family::kIndex), index, offset);
    batch.Put(store_->handle(Family::kState), key, EncodeRecord(record));
    latest[index] = record.offset.value();
  }
  for (const auto& po : progress) PutNextOffset(batch, *store_, po.tp, po.next_offset);
  RAPPORT_RETURN_IF_ERROR(store_->Write(batch));
  return tombstoned ? CompactAway() : Status::Ok();
}

Result<bool> TopicLog::HoldsSpooled(const std::string& id) const {
  auto mark = store_->Get(Family::kIndex, SpoolMarkKey(id));
  if (!mark.ok()) return mark.status();
  return mark->has_value();
}

Status TopicLog::ForgetSpooled(const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  rocksdb::WriteBatch batch;
  for (const std::string& id : ids) batch.Delete(store_->handle(Family::kIndex), SpoolMarkKey(id));
  return store_->Write(batch);
}

Status TopicLog::CompactAway() {
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (int i = 0; i < kFamilyCount; ++i) families.push_back(store_->handle(static_cast<Family>(i)));
  // The write-ahead log still holds the deleted values until every family is
  // flushed; then the tables are rewritten without them.
  RAPPORT_RETURN_IF_ERROR(FromRocks(store_->db()->Flush(rocksdb::FlushOptions(), families), "topic log flush"));
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (Family family : {Family::kState, Family::kIndex}) {
    RAPPORT_RETURN_IF_ERROR(FromRocks(store_->db()->CompactRange(options, store_->handle(family), nullptr, nullptr),
                                      "topic log compaction"));
  }
  return Status::Ok();
}

Status TopicLog::ReplacePartition(const std::string& topic, Partition partition,
                                  std::span<const events::TopicRecord> records, Offset next) {
  rocksdb::WriteBatch batch;
  const std::string prefix = PartitionPrefix(topic, partition);
  const std::string until = PartitionPrefix(topic, Partition(partition.value() + 1));
  // Key by key: the store's tables do not take range deletions.
  for (Family family : {Family::kState, Family::kIndex}) {
    auto it = store_->NewIterator(family);
    for (it->Seek(prefix); it->Valid() && it->key().compare(until) < 0; it->Next()) {
      batch.Delete(store_->handle(family), it->key());
    }
    RAPPORT_RETURN_IF_ERROR(FromRocks(it->status(), "topic log scan of " + topic));
  }
  for (const events::TopicRecord& record : records) {
    batch.Put(store_->handle(Family::kState), RecordKey(topic, partition, record.offset.value()), EncodeRecord(record));
    if (record.key) {
      std::string offset;
      PutBigEndian(offset, static_cast<uint64_t>(record.offset.value()), 8);
      batch.Put(store_->handle(Family::kIndex), prefix + *record.key, offset);
    }
  }
  PutNextOffset(batch, *store_, {topic, partition}, next);
  return store_->Write(batch);
}

Result<std::optional<Offset>> TopicLog::Progress(const events::TopicPartition& tp) const {
  return ReadNextOffset(*store_, tp);
}

Result<std::vector<Partition>> TopicLog::Partitions(const std::string& topic) const {
  auto offsets = ReadAllOffsets(*store_);
  if (!offsets.ok()) return offsets.status();
  std::vector<Partition> out;
  for (const auto& po : *offsets) {
    if (po.tp.topic == topic) out.push_back(po.tp.partition);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status TopicLog::Scan(const std::string& topic, Partition partition, Offset to,
                      const events::TopicVisitor& visit) const {
  const std::string prefix = PartitionPrefix(topic, partition);
  const std::string end = RecordKey(topic, partition, to.value());
  auto it = store_->NewIterator(Family::kState);
  for (it->Seek(prefix); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    auto record = DecodeRecord(topic, std::string_view(it->key().data(), it->key().size()),
                               std::string_view(it->value().data(), it->value().size()));
    if (!record.ok()) return record.status();
    RAPPORT_RETURN_IF_ERROR(visit(std::move(record).value()));
  }
  return FromRocks(it->status(), "topic log scan of " + topic);
}

Result<std::map<int32_t, int64_t>> TopicLog::Visit(const std::string& topic, const events::TopicVisitor& visit) const {
  auto partitions = Partitions(topic);
  if (!partitions.ok()) return partitions.status();
  std::map<int32_t, int64_t> progress;
  for (Partition partition : *partitions) {
    // The progress first, and only records below it: what the archiver appends
    // meanwhile is still on the broker, where the reader goes next.
    auto next = Progress({topic, partition});
    if (!next.ok()) return next.status();
    const Offset to = next->value_or(Offset(0));
    RAPPORT_RETURN_IF_ERROR(Scan(topic, partition, to, visit));
    progress[partition.value()] = to.value();
  }
  return progress;
}

}  // namespace rapport::projections
