#pragma once
// Every key of the journal's store in one place. These keys are on disk: DO NOT
// CHANGE their layout or values (a journal written by an older build must still
// read), add new ones instead.
//
//   family  key                                                value
//   kState  partition (4, big-endian) | offset (8, big-endian) an encoded JournalEntry
//   kIndex  customer id | NUL | timestamp (8, sign bit flipped) | entry key    ""
//   kDedupe event identity (events/event_identity.h)           entry key of the first copy
//   kMeta   "journal/first-copies-indexed"                     "1" once kDedupe covers the journal
//   kMeta   "offset/<topic>/<partition>"                       next offset (storage/offsets.h)
//
// Big-endian numbers make a prefix scan walk one partition in offset order, and a
// customer's entries in time order; customer ids are printable, so NUL ends the id.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "events/consumer.h"

namespace rapport::projections {

struct JournalEntry;

inline constexpr uint8_t kJournalEntryVersion = 1;
inline constexpr size_t kJournalEntryKeySize = 12;
inline constexpr std::string_view kJournalFirstCopiesIndexedKey = "journal/first-copies-indexed";

// kState: where an entry is.
std::string JournalEntryKey(Partition partition, Offset offset);
// The partition and offset of an entry key of kJournalEntryKeySize bytes.
std::pair<Partition, Offset> JournalEntryPlace(std::string_view key);

// kIndex: a customer's entry, sorted by time. The prefix is the customer id and NUL.
std::string JournalCustomerPrefix(std::string_view customer);
std::string JournalCustomerKey(const JournalEntry& entry);
// The timestamp of an index key that starts with `prefix`.
int64_t JournalCustomerKeyTime(std::string_view key, size_t prefix_size);

}  // namespace rapport::projections
