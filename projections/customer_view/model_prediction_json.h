#pragma once
// The probabilistic fields of GET /v1/customers/{id}: p_alive,
// expected_purchases_12m and predictive_value (DOMAIN.md §3, §5), evaluated from
// the customer's purchases as of an event time with the published parameters.

#include <cstdint>
#include <nlohmann/json.hpp>

#include "projections/customer_view/customer_view.h"
#include "models/model_parameters.h"
#include "projections/domain/value_settings.h"

namespace rapport::projections {

// All three null when `parameters` is null (none published yet) or the customer has
// no purchase at or before `as_of_ms`; predictive_value null when the expected
// spend is undefined. Money in minor units, rounded to whole units.
nlohmann::json ModelPredictionToJson(const CustomerView& view, int64_t as_of_ms,
                                     const ModelParameters* parameters, const ValueSettings& settings);

}  // namespace rapport::projections
