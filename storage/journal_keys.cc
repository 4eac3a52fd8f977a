#include "storage/journal_keys.h"

#include "storage/binary_codec.h"
#include "storage/journal.h"

namespace rapport::projections {
namespace {

// Flipping the sign bit makes negative times sort before positive ones.
constexpr uint64_t kSignBit = 1ULL << 63;

}  // namespace

std::string JournalEntryKey(Partition partition, Offset offset) {
  std::string key;
  PutBigEndian(key, static_cast<uint32_t>(partition.value()), 4);
  PutBigEndian(key, static_cast<uint64_t>(offset.value()), 8);
  return key;
}

std::pair<Partition, Offset> JournalEntryPlace(std::string_view key) {
  return {Partition(static_cast<int32_t>(GetBigEndian(key, 0, 4))),
          Offset(static_cast<int64_t>(GetBigEndian(key, 4, 8)))};
}

std::string JournalCustomerPrefix(std::string_view customer) {
  std::string prefix(customer);
  prefix.push_back('\0');
  return prefix;
}

std::string JournalCustomerKey(const JournalEntry& entry) {
  std::string key = JournalCustomerPrefix(entry.key);
  PutBigEndian(key, static_cast<uint64_t>(entry.timestamp_ms) ^ kSignBit, 8);
  key += JournalEntryKey(entry.partition, entry.offset);
  return key;
}

int64_t JournalCustomerKeyTime(std::string_view key, size_t prefix_size) {
  return static_cast<int64_t>(GetBigEndian(key, prefix_size, 8) ^ kSignBit);
}

}  // namespace rapport::projections
