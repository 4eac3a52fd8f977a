#pragma once
// Reads ranges of the journal's partitions as one stream in event-time order: at
// each step the partition whose next entry has the smallest (timestamp, partition)
// goes next; within a partition, offsets stay in order. The order is a function of
// the per-partition positions only, so a reader restarted at stored positions
// continues exactly as one that never stopped (replays resume this way).
// JournalCopies::kFirstOnly reads each event once (its first accepted copy,
// journal_first_copies.h; ~16 bytes of memory an event); the default reads the raw
// log. Single-threaded; reads in bounded chunks, so memory stays flat.

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "events/status.h"
#include "events/strong_types.h"
#include "storage/journal.h"
#include "storage/journal_first_copies.h"

namespace rapport::projections {

struct OffsetRange {
  Offset from;  // first offset to read
  Offset to;    // one past the last
};

class JournalMerge {
 public:
  JournalMerge(const Journal& journal, std::map<Partition, OffsetRange> ranges, size_t chunk = 4096,
               JournalCopies copies = JournalCopies::kAll);

  // Moves up to `max` next entries to the end of `out`; false when nothing is left.
  Result<bool> Next(size_t max, std::vector<JournalEntry>& out);

 private:
  struct Source {
    Partition partition;
    Offset next;  // next offset to fetch from the journal
    Offset to;
    std::deque<JournalEntry> buffered;
  };
  // Buffers the next chunk of `source` unless it has entries or is exhausted.
  Status Fill(Source& source);

  const Journal& journal_;
  std::optional<JournalFirstCopies> first_copies_;  // unset: JournalCopies::kAll
  std::vector<Source> sources_;
  size_t chunk_;
};

}  // namespace rapport::projections
