#pragma once
// Customer value as the query API answers it. Field names are part of the HTTP
// contract (issue #3: state, lifecycle_stage, tier, rfm {r, f, m, score},
// historic_value; the pyramid's {"tiers": {"A": {"customers", "revenue"}}}): add,
// never rename.

#include <nlohmann/json.hpp>

#include "projections/customer_view/customer_value.h"
#include "projections/customer_view/customer_view.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

// The derived fields GET /v1/customers/{id} adds to CustomerViewToJson.
nlohmann::json CustomerValueToJson(const CustomerValue& value);

// One line of GET /v1/customers?tier=...
nlohmann::json CustomerSummaryToJson(const CustomerView& view, const CustomerValue& value);

// GET /v1/segments/pyramid and GET /v1/segments/rfm.
nlohmann::json PyramidToJson(const ValueSnapshot& snapshot);
nlohmann::json RfmCellsToJson(const ValueSnapshot& snapshot);

}  // namespace rapport::projections
