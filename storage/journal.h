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
#include <optional>
#include <span>
#include <string>
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

class Journal {
 public:
  // The journal of one topic in `dir`. A secondary keeps its info log in
  // `secondary_dir` when given (see Store::Open).
  static Result<std::unique_ptr<Journal>> Open(const std::filesystem::path& dir, OpenMode mode,
                                               std::filesystem::path secondary_dir = {});
  // The writer flushes on close (see journal.cc).
  ~Journal();

  // Appends entries (any partitions, any order). With `sync`, durable on disk
  // before it returns: the gateway answers 202 only after that.
  Status Append(std::span<const JournalEntry> entries, bool sync);
  // Appends entries and records the archive consumer's progress in the same batch,
  // so a crash re-reads exactly what was not written.
  Status AppendWithProgress(std::span<const JournalEntry> entries,
                            const std::vector<events::PartitionOffset>& progress);

  // One past the highest journaled offset of `partition` (0 when empty).
  Result<Offset> EndOffset(Partition partition) const;
  // Partitions that have at least one entry.
  Result<std::vector<Partition>> Partitions() const;

  // Calls `visit` for each entry of `partition` with from <= offset < to, in offset
  // order; stops at the first error `visit` returns. Each entry is the visitor's to
  // keep (moved in: a reader that buffers them copies nothing).
  using Visitor = std::function<Status(JournalEntry&&)>;
  Status Scan(Partition partition, Offset from, Offset to, const Visitor& visit) const;
  // Every entry of every partition, partition by partition.
  Status ScanAll(const Visitor& visit) const;
  // The entries of one customer with from_ms <= timestamp < to_ms, in time order.
  Status ScanCustomer(std::string_view customer_id, int64_t from_ms, int64_t to_ms,
                      const std::function<Status(const JournalEntry&)>& visit) const;

  // A secondary instance catches up with the writer; a no-op for the writer.
  Status Refresh() const { return mode_ == OpenMode::kSecondary ? store_->CatchUp() : Status::Ok(); }
  int64_t approximate_entries() const;
  const Store& store() const { return *store_; }

 private:
  Journal(std::unique_ptr<Store> store, OpenMode mode) : store_(std::move(store)), mode_(mode) {}
  std::unique_ptr<Store> store_;
  OpenMode mode_;
};

}  // namespace rapport::projections
