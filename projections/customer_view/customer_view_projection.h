#pragma once
// The customer-view projection as the runtime runs it ("customer-view"): the fold of
// projections/customer_view/customer_view.h and the merge of
// projections/customer_view/customer_merge.h, run by the generic per-customer runtime
// (projections/runtime/customer_projection.h: state cache, merge rules, value
// rankings as of the event-time watermark, Finish).
// Readers (the query service) evaluate each customer as of that watermark against
// that snapshot: ReadWatermark / ReadValueSnapshot below.

#include <optional>
#include <string>
#include <string_view>

#include "projections/customer_view/customer_merge.h"
#include "projections/customer_view/customer_view.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/value_snapshot.h"
#include "projections/runtime/customer_projection.h"
#include "projections/runtime/projection_meta.h"
#include "storage/store.h"

namespace rapport::projections {

// The customer view's part of CustomerProjection (see its header for the contract).
struct CustomerViewTraits {
  using State = CustomerView;
  static constexpr std::string_view kName = "customer-view";

  static Status CheckSettings(const DomainSettings& settings) { return CheckCustomerValueSettings(settings); }
  static std::string Encode(const CustomerView& view) { return EncodeCustomerView(view); }
  static Result<CustomerView> Decode(std::string_view bytes) { return DecodeCustomerView(bytes); }
  static const PurchaseHistory* RankInputs(const CustomerView& view) { return RankedHistory(view); }

  static void Fold(CustomerView& view, const std::string& /*id*/, const events::Event& event,
                   const FoldContext& context) {
    view = Apply(std::move(view), event, context.settings);
  }
  static void Merge(CustomerView& survivor, CustomerView&& duplicate, const std::string& duplicate_id,
                    const FoldContext& /*context*/) {
    survivor = MergeInto(std::move(survivor), duplicate, duplicate_id);
  }
};

using CustomerViewProjection = CustomerProjection<CustomerViewTraits>;

// Reads one customer's view from a store (any open mode); nullopt when unknown.
inline Result<std::optional<CustomerView>> ReadCustomerView(const Store& store, std::string_view customer_id) {
  return ReadStateOf<CustomerViewTraits>(store, customer_id);
}

// The event-time watermark of the last checkpoint (0 before any event).
inline Result<int64_t> ReadWatermark(const Store& store) {
  return ReadWatermarkOf(store, CustomerViewTraits::kName);
}

// The last ranking snapshot; nullopt before the first rebuild.
inline Result<std::optional<ValueSnapshot>> ReadValueSnapshot(const Store& store) {
  return ReadSnapshotOf(store, CustomerViewTraits::kName);
}

}  // namespace rapport::projections
