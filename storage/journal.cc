#include "storage/journal.h"

#include <spdlog/spdlog.h>

#include <tuple>

#include "events/event_identity.h"
#include "storage/binary_codec.h"
#include "storage/journal_first_copies.h"
#include "storage/journal_keys.h"
#include "storage/offsets.h"
#include "storage/sorted_batch.h"

namespace rapport::projections {
namespace {

constexpr uint64_t kMaxWalBytes = 64ull << 20;

std::string EncodeEntry(const JournalEntry& entry) {
  BinaryWriter w;
  w.PutU8(kJournalEntryVersion);
  w.PutString(entry.key);
  w.PutSigned(entry.timestamp_ms);
  w.PutString(entry.value);
  w.PutString(entry.event_type);
  return w.Release();
}

Result<JournalEntry> DecodeEntry(std::string_view key, std::string_view bytes) {
  if (key.size() != kJournalEntryKeySize) return Status::Corruption("journal: malformed entry key");
  JournalEntry entry;
  std::tie(entry.partition, entry.offset) = JournalEntryPlace(key);
  BinaryReader r(bytes);
  uint8_t version = 0;
  r.GetU8(&version);
  r.GetString(&entry.key);
  r.GetSigned(&entry.timestamp_ms);
  r.GetString(&entry.value);
  r.GetString(&entry.event_type);
  if (!r.ok() || !r.at_end() || version != kJournalEntryVersion) {
    return Status::Corruption("journal: malformed entry at partition " +
                              std::to_string(entry.partition.value()) + " offset " +
                              std::to_string(entry.offset.value()));
  }
  return entry;
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const std::filesystem::path& dir, OpenMode mode,
                                               std::filesystem::path secondary_dir) {
  auto store = Store::Open(dir, mode, std::move(secondary_dir));
  if (!store.ok()) return store.status();
  if (mode == OpenMode::kReadWrite) {
    // Bound the write-ahead log. The customer index family takes ~40 bytes an entry
    // against ~300 for the entries, so its memtable fills (and flushes) seldom, and
    // every log file since its last flush stays alive: hundreds of MB that each
    // secondary (a replay) replays into memory on open, seconds for a 2 M-event
    // journal. Past this size RocksDB flushes the family holding the oldest log.
    RAPPORT_RETURN_IF_ERROR(
        FromRocks((*store)->db()->SetDBOptions({{"max_total_wal_size", std::to_string(kMaxWalBytes)}}),
                  "set max_total_wal_size of " + dir.string()));
  }
  std::unique_ptr<Journal> journal(new Journal(std::move(store).value(), mode));
  if (mode == OpenMode::kReadWrite) RAPPORT_RETURN_IF_ERROR(journal->IndexFirstCopies());
  return journal;
}

Journal::~Journal() {
  if (mode_ != OpenMode::kReadWrite) return;
  // A clean close leaves no write-ahead log behind: the next open, and every
  // replay's secondary, start without replaying it into memtables (up to
  // kMaxWalBytes, about a second at 64 MB).
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (int i = 0; i < kFamilyCount; ++i) families.push_back(store_->handle(static_cast<Family>(i)));
  rocksdb::Status flushed = store_->db()->Flush(rocksdb::FlushOptions(), families);
  if (!flushed.ok())
    spdlog::warn("journal {}: flush on close: {}", store_->dir().string(), flushed.ToString());
}

namespace {

// The identity key of an entry that is an event; empty for a filler or a poison
// message.
std::string IdentityOf(const JournalEntry& entry) {
  auto identity = events::PeekEventIdentity(entry.value);
  return identity ? events::IdentityKey(*identity) : std::string();
}

}  // namespace

Result<std::vector<Journal::Kept>> Journal::NewEntries(std::span<const JournalEntry> entries,
                                                       int64_t& duplicates, bool keep_duplicates) {
  std::vector<Kept> kept;
  kept.reserve(entries.size());
  for (const JournalEntry& entry : entries) kept.push_back({&entry, IdentityOf(entry)});
  std::lock_guard lock(append_mutex_);
  std::set<std::string> batch;  // identities kept from this call
  std::vector<Kept> out;
  out.reserve(kept.size());
  for (Kept& candidate : kept) {
    if (!candidate.identity.empty()) {
      bool seen = in_flight_.contains(candidate.identity) || batch.contains(candidate.identity);
      if (!seen) {
        auto stored = store_->Get(Family::kDedupe, candidate.identity);
        if (!stored.ok()) {
          for (const std::string& identity : batch) in_flight_.erase(identity);
          return stored.status();
        }
        // The same message again (an archiver re-reading after a crash) is no duplicate.
        seen = stored->has_value() &&
               **stored != JournalEntryKey(candidate.entry->partition, candidate.entry->offset);
        if (stored->has_value() && !seen) candidate.identity.clear();  // already indexed at this very entry
      }
      if (seen) {
        ++duplicates;
        if (!keep_duplicates) continue;
        candidate.identity.clear();  // written, not indexed: the first copy stays the one
      }
      if (!candidate.identity.empty()) {
        batch.insert(candidate.identity);
        in_flight_.insert(candidate.identity);
      }
    }
    out.push_back(std::move(candidate));
  }
  return out;
}

void Journal::Release(const std::vector<Kept>& kept) {
  std::lock_guard lock(append_mutex_);
  for (const Kept& k : kept) {
    if (!k.identity.empty()) in_flight_.erase(k.identity);
  }
}

// Sorted (storage/sorted_batch.h): a gateway batch spans every partition and
// a thousand customers, in arrival order.
Status Journal::WriteKept(const std::vector<Kept>& kept, const std::vector<events::PartitionOffset>& progress,
                          bool sync) {
  size_t bytes = 64;              // reserved once: grown by doubling, a batch copied itself over and over
  constexpr size_t kPerPut = 32;  // record header, lengths, the keys' fixed parts
  for (const Kept& k : kept) {
    bytes += 3 * kPerPut + 2 * k.entry->key.size() + k.entry->value.size() + k.entry->event_type.size() +
             k.identity.size();
  }
  rocksdb::WriteBatch batch(bytes);
  for (const Kept& k : kept) {
    const std::string entry_key = JournalEntryKey(k.entry->partition, k.entry->offset);
    batch.Put(store_->handle(Family::kState), entry_key, EncodeEntry(*k.entry));
    batch.Put(store_->handle(Family::kIndex), JournalCustomerKey(*k.entry), "");
    if (!k.identity.empty()) batch.Put(store_->handle(Family::kDedupe), k.identity, entry_key);
  }
  for (const auto& po : progress) PutNextOffset(batch, *store_, po.tp, po.next_offset);
  SortForMemtable(*store_, batch);
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(store_->db()->Write(options, &batch), "journal append");
}

Status Journal::AppendWithProgress(std::span<const JournalEntry> entries,
                                   const std::vector<events::PartitionOffset>& progress) {
  int64_t duplicates = 0;
  auto kept = NewEntries(entries, duplicates);
  if (!kept.ok()) return kept.status();
  Status written = WriteKept(*kept, progress, /*sync=*/false);
  Release(*kept);
  return written;
}

Status Journal::Append(std::span<const JournalEntry> entries, bool sync) {
  int64_t duplicates = 0;
  auto kept = NewEntries(entries, duplicates, /*keep_duplicates=*/true);
  if (!kept.ok()) return kept.status();
  Status written = WriteKept(*kept, {}, sync);
  Release(*kept);
  return written;
}

Status Journal::AppendEvents(std::span<const JournalEntry> entries, bool sync, int64_t* duplicates) {
  int64_t skipped = 0;
  auto kept = NewEntries(entries, skipped);
  if (!kept.ok()) return kept.status();
  Status written = WriteKept(*kept, {}, sync);
  Release(*kept);
  if (duplicates) *duplicates = skipped;
  return written;
}

Result<std::optional<std::pair<Partition, Offset>>> Journal::FirstCopyOf(
    std::string_view identity_key) const {
  using Place = std::optional<std::pair<Partition, Offset>>;
  auto stored = store_->Get(Family::kDedupe, identity_key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value() || (*stored)->size() != kJournalEntryKeySize) return Place();
  return Place(JournalEntryPlace(**stored));
}

Status Journal::IndexFirstCopies() {
  auto marked = store_->Get(Family::kMeta, kJournalFirstCopiesIndexedKey);
  if (!marked.ok()) return marked.status();
  if (marked->has_value()) return Status::Ok();
  // Partition by partition in offset order: the first copy is the one the
  // projections accepted (a customer's events share a partition).
  int64_t indexed = 0;
  rocksdb::WriteBatch batch;
  std::set<std::string> pending;
  auto flush = [&]() -> Status {
    RAPPORT_RETURN_IF_ERROR(store_->Write(batch));
    batch.Clear();
    pending.clear();
    return Status::Ok();
  };
  RAPPORT_RETURN_IF_ERROR(ScanAll(
      [&](JournalEntry&& entry) -> Status {  // raw: the index is being built
        const std::string identity = IdentityOf(entry);
        if (identity.empty() || pending.contains(identity)) return Status::Ok();
        auto stored = store_->Get(Family::kDedupe, identity);
        if (!stored.ok()) return stored.status();
        if (stored->has_value()) return Status::Ok();
        batch.Put(store_->handle(Family::kDedupe), identity, JournalEntryKey(entry.partition, entry.offset));
        pending.insert(identity);
        ++indexed;
        return pending.size() >= 10'000 ? flush() : Status::Ok();
      },
      JournalCopies::kAll));
  batch.Put(store_->handle(Family::kMeta), std::string(kJournalFirstCopiesIndexedKey), "1");
  RAPPORT_RETURN_IF_ERROR(flush());
  if (indexed > 0)
    spdlog::info("journal {}: indexed the first copy of {} event(s)", store_->dir().string(), indexed);
  return Status::Ok();
}

Result<Offset> Journal::EndOffset(Partition partition) const {
  auto it = store_->NewIterator(Family::kState);
  // The last key of the partition is just before the first key of the next one.
  it->SeekForPrev(JournalEntryKey(partition, Offset(INT64_MAX)));
  if (!it->status().ok()) return FromRocks(it->status(), "journal end offset");
  if (!it->Valid()) return Offset(0);
  std::string_view key(it->key().data(), it->key().size());
  if (key.size() != kJournalEntryKeySize) return Offset(0);
  const auto [last_partition, last_offset] = JournalEntryPlace(key);
  if (last_partition != partition) return Offset(0);
  return Offset(last_offset.value() + 1);
}

Result<std::vector<Partition>> Journal::Partitions() const {
  std::vector<Partition> out;
  auto it = store_->NewIterator(Family::kState);
  for (it->SeekToFirst(); it->Valid();) {
    std::string_view key(it->key().data(), it->key().size());
    const Partition partition = JournalEntryPlace(key).first;
    out.push_back(partition);
    it->Seek(JournalEntryKey(Partition(partition.value() + 1), Offset(0)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "journal partitions");
  return out;
}

Status Journal::Scan(Partition partition, Offset from, Offset to, const Visitor& visit) const {
  const std::string end = JournalEntryKey(partition, to);
  const rocksdb::Slice until(end);
  auto it = store_->NewScanIterator(Family::kState, until);
  for (it->Seek(JournalEntryKey(partition, from)); it->Valid();
       it->Next()) {  // the iterator stops at `until`
    auto entry = DecodeEntry(std::string_view(it->key().data(), it->key().size()),
                             std::string_view(it->value().data(), it->value().size()));
    if (!entry.ok()) return entry.status();
    RAPPORT_RETURN_IF_ERROR(visit(std::move(entry).value()));
  }
  return FromRocks(it->status(), "journal scan");
}

Status Journal::ScanAll(const Visitor& visit, JournalCopies copies) const {
  auto partitions = Partitions();
  if (!partitions.ok()) return partitions.status();
  std::optional<JournalFirstCopies> first_copies;
  if (copies == JournalCopies::kFirstOnly) first_copies.emplace(*this);
  for (Partition partition : *partitions) {
    RAPPORT_RETURN_IF_ERROR(
        Scan(partition, Offset(0), Offset(INT64_MAX), [&](JournalEntry&& entry) -> Status {
          if (first_copies) {
            auto keep = first_copies->Keep(entry);
            if (!keep.ok()) return keep.status();
            if (!*keep) return Status::Ok();
          }
          return visit(std::move(entry));
        }));
  }
  return Status::Ok();
}

Status Journal::ScanCustomer(std::string_view customer_id, int64_t from_ms, int64_t to_ms,
                             const std::function<Status(const JournalEntry&)>& visit) const {
  JournalEntry bound;
  bound.key = std::string(customer_id);
  bound.timestamp_ms = from_ms;
  const std::string start = JournalCustomerKey(bound);
  const std::string prefix = JournalCustomerPrefix(customer_id);
  auto it = store_->NewIterator(Family::kIndex);
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    const int64_t timestamp = JournalCustomerKeyTime(key, prefix.size());
    if (timestamp >= to_ms) break;
    const std::string entry_key(key.substr(prefix.size() + 8));
    auto value = store_->Get(Family::kState, entry_key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return Status::Corruption("journal: customer index points at a missing entry");
    auto entry = DecodeEntry(entry_key, **value);
    if (!entry.ok()) return entry.status();
    RAPPORT_RETURN_IF_ERROR(visit(*entry));
  }
  return FromRocks(it->status(), "journal customer scan");
}

int64_t Journal::approximate_entries() const {
  uint64_t count = 0;
  store_->db()->GetIntProperty(store_->handle(Family::kState), "rocksdb.estimate-num-keys", &count);
  return static_cast<int64_t>(count);
}

}  // namespace rapport::projections
