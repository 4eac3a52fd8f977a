#pragma once
// The de-duplication keys a store holds, kept in memory as 64-bit hashes, for a
// fold into a store that nothing else writes (a rebuild or replay output): a key
// whose hash the filter lacks is certainly not in the store, so the store is read
// only on a hash hit (a true duplicate, or a rare collision). With ~2 M events that
// saves ~2 M point reads of the dedupe family, most of them misses, for ~16 bytes
// a key. False positives cost one read each; false negatives cannot happen as long
// as every key written to the store's dedupe family was Add-ed (or was there when
// the filter was loaded). Single-threaded.

#include <cstdint>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "storage/store.h"

namespace rapport::projections {

class DedupeFilter {
 public:
  // Every key of `store`'s dedupe family (one scan; empty for a fresh store).
  static Result<DedupeFilter> Load(const Store& store);

  // False: `key` is certainly not among the keys loaded or added.
  bool MayContain(std::string_view key) const;
  void Add(std::string_view key);
  size_t size() const { return size_; }

 private:
  static uint64_t Hash(std::string_view key);
  void Insert(uint64_t hash);
  void Grow();

  // Open addressing, linear probing; 0 marks a free slot (no hash is 0).
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(1024, 0);
  size_t size_ = 0;
};

}  // namespace rapport::projections
