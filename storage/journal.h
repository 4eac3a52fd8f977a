#pragma once
// The event journal: rapport's own durable history of the interactions topic, in
// RocksDB. Kafka (and above all the embedded broker, which keeps ~5 MiB a
// partition) is a transport; the journal holds every message, by partition and
// offset exactly as Kafka numbered them, plus an index by customer and event time.
//
// Writers: the gateway in embedded mode (before it answers 202), the archive
// consumer with a real cluster. Readers: projectors filling a gap below the topic's
// low watermark, the embedded broker's restore at start, replays and exports.
// Thread-safe. Format: docs/journal.md.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/consumer.h"
#include "events/status.h"
#include "events/strong_types.h"
#include "storage/store.h"

namespace rapport::projections {

struct JournalEntry {
  Partition partition;
  Offset offset;
  std::string key;         // the Kafka key: the customer id
  std::string value;       // the message bytes as published (a FlatBuffers envelope)
  int64_t timestamp_ms = 0;  // the message timestamp: occurred_at
  std::string event_type;    // the rapport-event-type header
  bool operator==(const JournalEntry&) const = default;
};

// Whether a reader sees each event once (its first accepted copy, as the
// projections do; storage/journal_first_copies.h) or the raw log (audits:
// `rapport export --with-duplicates`, the restore, a projector's gap fill).
enum class JournalCopies { kFirstOnly, kAll };

class Journal {
 public:
  // The journal of one topic in `dir`. A secondary keeps its info log in
  // `secondary_dir` when given (see Store::Open).
  static Result<std::unique_ptr<Journal>> Open(const std::filesystem::path& dir, OpenMode mode,
                                               std::filesystem::path secondary_dir = {});
  // The writer flushes on close (see journal.cc).
  ~Journal();

  // Appends entries (any partitions, any order) as given, duplicates included (a
  // journal as older versions wrote it; tests build those). With `sync`, durable
  // on disk before it returns. The first copy of each event is indexed.
  Status Append(std::span<const JournalEntry> entries, bool sync);
  // The writers' append (the gateway before its 202, with `sync`): idempotent. An
  // entry whose (customer, event id) is already journaled, or earlier in
  // `entries`, or being appended by another thread, is left out, so retries and
  // re-published samples do not grow the history (its offset stays a hole; the
  // restore fills it with a filler). Entries that are no event (fillers, poison
  // messages) are always kept. `duplicates` (optional) counts those left out.
  Status AppendEvents(std::span<const JournalEntry> entries, bool sync, int64_t* duplicates = nullptr);
  // Appends entries (idempotent, as AppendEvents) and records the archive
  // consumer's progress in the same batch, so a crash re-reads exactly what was
  // not written.
  Status AppendWithProgress(std::span<const JournalEntry> entries,
                            const std::vector<events::PartitionOffset>& progress);

  // Where the first accepted copy of the event `identity_key` (events::IdentityKey)
  // is; nullopt when none is indexed (a journal from before the index that no
  // writer opened since: the writer indexes an old journal once, at open).
  Result<std::optional<std::pair<Partition, Offset>>> FirstCopyOf(std::string_view identity_key) const;

  // One past the highest journaled offset of `partition` (0 when empty).
  Result<Offset> EndOffset(Partition partition) const;
  // Partitions that have at least one entry.
  Result<std::vector<Partition>> Partitions() const;

  // Calls `visit` for each entry of `partition` with from <= offset < to, in offset
  // order; stops at the first error `visit` returns. Each entry is the visitor's to
  // keep (moved in: a reader that buffers them copies nothing).
  using Visitor = std::function<Status(JournalEntry&&)>;
  Status Scan(Partition partition, Offset from, Offset to, const Visitor& visit) const;
  // Every entry of every partition, partition by partition; with kFirstOnly each
  // event once (its first accepted copy).
  Status ScanAll(const Visitor& visit, JournalCopies copies = JournalCopies::kAll) const;
  // The entries of one customer with from_ms <= timestamp < to_ms, in time order.
  Status ScanCustomer(std::string_view customer_id, int64_t from_ms, int64_t to_ms,
                      const std::function<Status(const JournalEntry&)>& visit) const;

  // A secondary instance catches up with the writer; a no-op for the writer.
  Status Refresh() const { return mode_ == OpenMode::kSecondary ? store_->CatchUp() : Status::Ok(); }
  int64_t approximate_entries() const;
  const Store& store() const { return *store_; }

 private:
  Journal(std::unique_ptr<Store> store, OpenMode mode) : store_(std::move(store)), mode_(mode) {}
  // One entry to write and its identity key (empty: no event).
  struct Kept {
    const JournalEntry* entry;
    std::string identity;
  };
  // The entries of `entries` to write (see AppendEvents; with `keep_duplicates`,
  // every entry, only first copies indexed); their identity keys stay reserved
  // in in_flight_ until Release.
  Result<std::vector<Kept>> NewEntries(std::span<const JournalEntry> entries, int64_t& duplicates,
                                       bool keep_duplicates = false);
  Status WriteKept(const std::vector<Kept>& kept, const std::vector<events::PartitionOffset>& progress, bool sync);
  void Release(const std::vector<Kept>& kept);
  // Indexes a journal written before the dedupe index (once; see FirstCopyOf).
  Status IndexFirstCopies();

  std::unique_ptr<Store> store_;
  OpenMode mode_;
  std::mutex append_mutex_;           // guards in_flight_
  std::set<std::string> in_flight_;  // identity keys being appended right now
};

}  // namespace rapport::projections
