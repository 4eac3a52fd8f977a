#pragma once
// What every per-customer presenter reads before it evaluates a customer: the
// state (a merged duplicate answered by its survivor's pointer, an unknown id by
// 404) and the as-of context (the store's event-time watermark and its latest
// ranking). Stateless and thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "projections/domain/value_snapshot.h"
#include "projections/runtime/http_answer.h"
#include "projections/runtime/merge_pointer_answer.h"
#include "projections/runtime/projection_meta.h"
#include "storage/store.h"

namespace rapport::projections {

// A customer is evaluated as of the watermark, against the latest ranking (empty:
// everyone D, no RFM, before the first rebuild).
struct AsOfContext {
  int64_t as_of_ms = 0;
  std::shared_ptr<const ValueSnapshot> snapshot;
};

inline Result<AsOfContext> ReadAsOfContext(const Store& store, std::string_view projection) {
  AsOfContext context;
  auto watermark = ReadWatermarkOf(store, projection);
  if (!watermark.ok()) return watermark.status();
  context.as_of_ms = *watermark;
  auto snapshot = ReadSharedSnapshotOf(store, projection);
  if (!snapshot.ok()) return snapshot.status();
  context.snapshot = std::move(snapshot).value();
  return context;
}

// The answer for one customer of a store whose states `read(store, id)` ->
// Result<std::optional<State>>: 404 for an unknown id, the merge pointer answer
// (`suffix`: the route after the id) for a merged duplicate, otherwise
// `present(state, context)` with the store's as-of context of `projection`.
template <typename Read, typename Present>
HttpResponse AnswerCustomer(Read read, const Store& store, std::string_view projection,
                            std::string_view customer_id, std::string_view suffix, Present present) {
  auto state = read(store, customer_id);
  if (!state.ok()) return ErrorResponse(state.status());
  if (!state->has_value()) return ErrorResponse(Status::NotFound("unknown customer " + std::string(customer_id)));
  const auto& found = **state;
  if (found.is_pointer()) return PointerAnswer(read, store, found, suffix);
  auto context = ReadAsOfContext(store, projection);
  if (!context.ok()) return ErrorResponse(context.status());
  return present(found, *context);
}

}  // namespace rapport::projections
