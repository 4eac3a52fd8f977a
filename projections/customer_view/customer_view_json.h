#pragma once
// The customer view as the query API answers it (GET /v1/customers/{id}). Field
// names are part of the HTTP contract: add, never rename.

#include <nlohmann/json.hpp>

#include "projections/customer_view/customer_view.h"

namespace rapport::projections {

nlohmann::json CustomerViewToJson(const CustomerView& view);

}  // namespace rapport::projections
