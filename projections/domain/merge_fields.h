#pragma once
// The merge bookkeeping every per-customer state of projections/runtime/merged_states.h
// carries (satisfaction, loyalty): erased, and where a merge left the customer.
// merge_fields_codec.h encodes these fields, in this order, after a state's own.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "events/event.h"

namespace rapport::projections {

struct MergeFields {
  bool erased = false;
  std::string merged_into;  // a pointer to the survivor, nothing else (customer_merge.h rules)
  int64_t merged_at_ms = 0;
  std::vector<std::string> merged_from;

  bool is_pointer() const { return !merged_into.empty(); }
  bool operator==(const MergeFields&) const = default;
};

// Whether `event` is an interaction of the customer: every event but
// customers_merged and customer_erased, the bookkeeping of identities. An erasure
// also marks `state` erased (these states keep no personal data; aggregates stay).
inline bool CountAsInteraction(const events::Event& event, MergeFields& state) {
  if (std::holds_alternative<events::CustomerErased>(event.payload)) {
    state.erased = true;
    return false;
  }
  return !std::holds_alternative<events::CustomersMerged>(event.payload);
}

}  // namespace rapport::projections
