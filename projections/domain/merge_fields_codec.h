#pragma once
// The fields a per-customer state of projections/runtime/merged_states.h stores last, in
// this order: erased, merged_into, merged_at_ms, merged_from. Shared by the state
// codecs (satisfaction, loyalty) so that the merge bookkeeping is encoded once.
// State needs: bool erased; std::string merged_into; int64_t merged_at_ms;
// std::vector<std::string> merged_from.

#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/binary_codec.h"

namespace rapport::projections {

template <typename State>
void PutMergeFields(BinaryWriter& w, const State& s) {
  w.PutBool(s.erased);
  w.PutString(s.merged_into);
  w.PutSigned(s.merged_at_ms);
  w.PutVarint(s.merged_from.size());
  for (const std::string& id : s.merged_from) w.PutString(id);
}

// False on a short or malformed buffer. `max_ids` is the size of the whole buffer:
// each id takes at least one byte, so a larger count is damage, not a reason to
// allocate.
template <typename State>
bool GetMergeFields(BinaryReader& r, State* s, size_t max_ids) {
  uint64_t merged = 0;
  if (!r.GetBool(&s->erased) || !r.GetString(&s->merged_into) || !r.GetSigned(&s->merged_at_ms) ||
      !r.GetVarint(&merged) || merged > max_ids) {
    return false;
  }
  s->merged_from.resize(merged);
  for (std::string& id : s->merged_from) {
    if (!r.GetString(&id)) return false;
  }
  return true;
}

}  // namespace rapport::projections
