#pragma once
// Journal entries as the gateway writes them, for tests that build a journal by
// hand: the partition by customer (std::hash modulo the partition count), offsets
// counting up within each partition in the order the entries are made.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "events/event.h"
#include "events/names.h"
#include "events/wire_codec.h"
#include "storage/journal.h"

namespace rapport::testing {

class GatewayEntries {
 public:
  explicit GatewayEntries(int partitions) : partitions_(partitions) {}

  // `event`, encoded, at the next offset of its customer's partition.
  projections::JournalEntry Next(const events::Event& event) {
    return Raw(event.customer_id.str(), events::EncodeWire(event), event.occurred_at_ms,
               std::string(events::Name(event.type())));
  }
  // Any bytes (a record that does not decode, say) at the next offset of `customer`'s partition.
  projections::JournalEntry Raw(const std::string& customer, std::string value, int64_t timestamp_ms,
                                std::string event_type) {
    const auto p = static_cast<int32_t>(std::hash<std::string>{}(customer) % partitions_);
    return {Partition(p), Offset(next_[p]++), customer, std::move(value), timestamp_ms, std::move(event_type)};
  }

 private:
  int partitions_;
  std::map<int32_t, int64_t> next_;
};

// Appends `entries` to a new journal in `data_dir`/journal, where the platform keeps it.
inline void WriteNewJournal(const std::filesystem::path& data_dir,
                            const std::vector<projections::JournalEntry>& entries) {
  auto journal = projections::Journal::Open(data_dir / "journal", projections::OpenMode::kReadWrite);
  REQUIRE(journal.ok());
  REQUIRE((*journal)->Append(entries, false).ok());
}

}  // namespace rapport::testing
