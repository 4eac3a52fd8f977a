#pragma once
// The loyalty projection as the runtime runs it ("loyalty", consumer group
// rapport.loyalty, store <data-dir>/loyalty): the fold of projections/loyalty/loyalty.h
// run by the generic per-customer runtime (projections/runtime/customer_projection.h:
// state cache, merge rules, its own ranking for the value half of the value x
// loyalty matrix, as of the event-time watermark, Finish). Readers evaluate
// indicators, score, quadrant and `inactive` as of that watermark against that
// ranking (EvaluateLoyalty). Single-threaded (the runtime's thread).

#include <optional>
#include <string>
#include <string_view>

#include "projections/domain/domain_settings.h"
#include "projections/loyalty/loyalty.h"
#include "projections/runtime/customer_projection.h"
#include "projections/runtime/projection_meta.h"
#include "storage/store.h"

namespace rapport::projections {

// Loyalty's part of CustomerProjection (see its header for the contract).
struct LoyaltyTraits {
  using State = CustomerLoyalty;
  static constexpr std::string_view kName = "loyalty";

  static Status CheckSettings(const DomainSettings& settings) { return CheckLoyaltySettings(settings); }
  static std::string Encode(const State& state) { return EncodeCustomerLoyalty(state); }
  static Result<State> Decode(std::string_view bytes) { return DecodeCustomerLoyalty(bytes); }
  static const PurchaseHistory* RankInputs(const State& state) { return RankedHistory(state); }

  static void Fold(State& state, const std::string& id, const events::Event& event, const FoldContext& /*context*/) {
    state = ApplyLoyalty(std::move(state), id, event);
  }
  static void Merge(State& survivor, State&& duplicate, const std::string& duplicate_id,
                    const FoldContext& /*context*/) {
    survivor = MergeLoyalty(std::move(survivor), duplicate, duplicate_id);
  }
};

using LoyaltyProjection = CustomerProjection<LoyaltyTraits>;

// One customer's state; nullopt when unknown.
inline Result<std::optional<CustomerLoyalty>> ReadCustomerLoyalty(const Store& store, std::string_view customer_id) {
  return ReadStateOf<LoyaltyTraits>(store, customer_id);
}

}  // namespace rapport::projections
