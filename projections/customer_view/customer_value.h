#pragma once
// Everything the customer view answers beyond its folded counts (DOMAIN.md §2–§3):
// state, lifecycle stage, historic value, RFM and pyramid tier, evaluated for one
// customer as of an event time (the projection's watermark) against a ValueSnapshot
// (projections/domain/value_snapshot.h). Pure.

#include <cstdint>
#include <optional>

#include "events/status.h"
#include "projections/domain/customer_lifecycle.h"
#include "projections/customer_view/customer_view.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/tier.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

struct CustomerValue {
  int64_t as_of_ms = 0;          // event time the time-dependent fields are evaluated at
  int64_t ranking_as_of_ms = 0;  // event time of the cut-offs' ranking (0: none yet)
  CustomerState state = CustomerState::kPotential;
  LifecycleStage stage = LifecycleStage::kExploration;
  int64_t historic_value = 0;  // profit to date: revenue - cost
  Tier tier = Tier::kD;
  ValueInputs inputs;                // R, F, M and the pyramid value
  std::optional<RfmScores> rfm;      // nullopt for a customer who never bought
};

// A customer view's ranking inputs as of an event time.
inline ValueInputs InputsOf(const CustomerView& view, int64_t as_of_ms, const RankingParams& params) {
  return InputsOf(view.customer_id, view.purchase_history, as_of_ms, params);
}

// `view` must not be a merge pointer.
CustomerValue EvaluateCustomer(const CustomerView& view, int64_t as_of_ms, const ValueSnapshot& snapshot,
                               const DomainSettings& settings);

}  // namespace rapport::projections
