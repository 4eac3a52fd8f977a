#include "projections/customer_view/customer_value.h"

namespace rapport::projections {
CustomerValue EvaluateCustomer(const CustomerView& view, int64_t as_of_ms, const ValueSnapshot& snapshot,
                               const DomainSettings& settings) {
  CustomerValue value;
  value.as_of_ms = as_of_ms;
  value.ranking_as_of_ms = snapshot.as_of_ms;
  value.state = StateAsOf(view.purchase_history, as_of_ms, settings.state);
  value.stage = StageAsOf(view.purchase_history, as_of_ms, settings.lifecycle);
  value.historic_value = view.profit();
  // Inputs with the snapshot's own parameters, so they compare with its cut-offs.
  value.inputs = InputsOf(view, as_of_ms, snapshot.params);
  value.tier = TierOf(value.inputs, snapshot);
  value.rfm = ScoreRfm(value.inputs, snapshot);
  return value;
}

}  // namespace rapport::projections
