#pragma once
// What the per-customer reads of the query API (customer view, satisfaction,
// loyalty) answer for a merged duplicate: where its history went. The duplicate's
// state in each store is a merge pointer (projections/customer_view/customer_merge.h rules); the
// answer names the end of its pointer chain. Stateless and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"
#include "storage/store.h"
#include "projections/runtime/http_answer.h"

namespace rapport::projections {

// 200 {"customer_id", "merged_into": survivor, "merged_at", "location":
// "/v1/customers/<survivor><suffix>"}. The part of PointerAnswer that is not a template.
HttpResponse MergePointerResponse(const std::string& customer_id, const std::string& survivor,
                                  int64_t merged_at_ms, std::string_view suffix);

// The answer for `pointer` (a State with customer_id, merged_into, merged_at_ms and
// is_pointer()), read from `store` with `read(store, id)` ->
// Result<std::optional<State>>. Follows the chain to the first id that is unknown or
// not a pointer, at most 64 hops (chains cannot loop; the bound guards damage); a
// failed read is the error answer. `suffix` is the route after the id ("/loyalty").
template <typename State, typename Read>
HttpResponse PointerAnswer(Read read, const projections::Store& store, const State& pointer,
                           std::string_view suffix) {
  constexpr int kMaxChain = 64;
  std::string survivor = pointer.merged_into;
  for (int hop = 0; hop < kMaxChain; ++hop) {
    auto next = read(store, survivor);
    if (!next.ok()) return ErrorResponse(next.status());
    if (!next->has_value() || !(*next)->is_pointer()) break;
    survivor = (*next)->merged_into;
  }
  return MergePointerResponse(pointer.customer_id, survivor, pointer.merged_at_ms, suffix);
}

}  // namespace rapport::projections
