#include "storage/journal_first_copies.h"

#include "events/event_identity.h"

namespace rapport::projections {

Result<bool> JournalFirstCopies::Keep(const JournalEntry& entry) {
  auto identity = events::PeekEventIdentity(entry.value);
  if (!identity) return true;
  const std::string key = events::IdentityKey(*identity);
  if (!seen_.MayContain(key)) {
    seen_.Add(key);
    return true;
  }
  auto first = journal_.FirstCopyOf(key);
  if (!first.ok()) return first.status();
  if (!first->has_value()) return false;
  return (*first)->first == entry.partition && (*first)->second == entry.offset;
}

}  // namespace rapport::projections
