#pragma once
// The de-duplication keys of the events a batch applied (FoldedBatch), until its
// checkpoint writes them: an insert-only set of strings. A rebuild holds half a
// million of them per checkpoint; as an unordered_set<std::string> each cost a node,
// a heap string and a cache miss to insert, to walk and to free. Here the bytes of
// every key go into one growing buffer and an open-addressing table of hashes and
// indices finds them: no allocation per key, and the keys read back as views.
// Single-threaded.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::projections {

class DedupeKeys {
 public:
  bool contains(std::string_view key) const;
  // False (and nothing changes) when `key` is already in the set.
  bool insert(std::string_view key);

  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  // Every key once, in the order inserted; valid until the next insert.
  std::vector<std::string_view> Views() const;

 private:
  struct Span {
    size_t offset;
    size_t length;
  };
  struct Slot {
    uint64_t hash = 0;
    uint32_t index = kFree;  // into spans_
  };
  static constexpr uint32_t kFree = UINT32_MAX;

  std::string_view KeyAt(uint32_t index) const { return {bytes_.data() + spans_[index].offset, spans_[index].length}; }
  // The slot holding `key`, or the free slot where it would go.
  size_t Find(std::string_view key, uint64_t hash) const;
  void Grow();

  std::string bytes_;       // every key, back to back
  std::vector<Span> spans_;  // where each key is in bytes_, in insertion order
  std::vector<Slot> slots_;  // a power of two, at most half full
};

}  // namespace rapport::projections
