#pragma once
// Readers' de-duplication of the journal: tells the first accepted copy of each
// event (customer, event id) from later copies, so `rapport export`, replays and
// every other reader see each event once, as the projections do, even in a journal
// written before the append became idempotent (storage/journal.h).
//
// Cheap on the common path: a hash filter of the identities seen (~16 bytes an
// event); only a hash hit (a duplicate, or a rare collision) reads the journal's
// first-copy index, which says which entry is the first copy. A journal with no
// index (never opened by a writer since the index came) counts a hit as a
// duplicate. An entry that is no event (a filler, a poison message) is always kept.
// Single-threaded.

#include "events/status.h"
#include "storage/dedupe_filter.h"
#include "storage/journal.h"

namespace rapport::projections {

class JournalFirstCopies {
 public:
  explicit JournalFirstCopies(const Journal& journal) : journal_(journal) {}

  // True when `entry` is to be read: the first copy of its event, or no event.
  Result<bool> Keep(const JournalEntry& entry);

 private:
  const Journal& journal_;
  DedupeFilter seen_;
};

}  // namespace rapport::projections
