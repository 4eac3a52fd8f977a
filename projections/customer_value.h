#pragma once
// Everything the customer view answers beyond its folded counts (DOMAIN.md §2–§3):
// state, lifecycle stage, historic value, RFM and pyramid tier, evaluated for one
// customer as of an event time (the projection's watermark) against a ValueSnapshot
// (projections/value_snapshot.h). Pure.

#include <cstdint>
#include <optional>

#include "events/status.h"
#include "projections/customer_lifecycle.h"
#include "projections/customer_view.h"
#include "projections/domain_settings.h"
#include "projections/tier.h"
#include "projections/value_snapshot.h"

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

// Settings no evaluation could use (a window of 0 days, tier shares out of order,
// a lapse factor of 0...) are an error naming the setting, at start.
Status CheckCustomerValueSettings(const DomainSettings& settings);

// `view` must not be a merge pointer.
CustomerValue EvaluateCustomer(const CustomerView& view, int64_t as_of_ms, const ValueSnapshot& snapshot,
                               const DomainSettings& settings);

}  // namespace rapport::projections
